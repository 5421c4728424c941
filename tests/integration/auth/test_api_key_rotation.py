"""An API key rotated while a model is alive is picked up at its next 401, without a
restart: the emulator restarted on the same state directory writes a new ``key.pem`` and
``fingerprint`` and trusts only them (as OCI does once the old key is deleted).
Unchanged files give the 401 as before, with no second attempt."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import pytest

from locus.core.errors import AuthenticationError
from locus.emulator import Emulator
from locus.models.providers.oci import OCIAuthType, OCIModel
from locus.models.providers.oci._api_key_auth import ApiKeyAuth
from tests.integration.auth.conftest import ASK, MODEL, config_with_other_key
from tests.integration.conftest import OCIModelFactory

Backend = Literal["httpx", "aiohttp"]
BACKENDS: list[Backend] = ["httpx", "aiohttp"]


@pytest.fixture
def state_dir(tmp_path: Path) -> Path:
    return tmp_path / "state"


@pytest.fixture
def first(state_dir: Path) -> Iterator[Emulator]:
    """An emulator on a state directory of the test's own (restarted by the test)."""
    emulator = Emulator(state_dir=state_dir).start()
    try:
        yield emulator
    finally:
        emulator.stop()


def _restarted(emu: Emulator, state_dir: Path) -> Emulator:
    """``emu`` stopped and started again on its port and state directory: a new key.pem
    and config (new fingerprint), and only the new key is trusted."""
    port = int(emu.url.rsplit(":", 1)[1])
    emu.stop()
    return Emulator(port=port, state_dir=state_dir).start()


def _model(emu: Emulator, backend: Backend) -> OCIModel:
    return OCIModel(
        MODEL,
        config_file=emu.config_file,
        profile_name=emu.profile,
        auth_type=OCIAuthType.API_KEY,
        service_endpoint=emu.service_endpoint,
        compartment_id=emu.compartment_id,
        http_backend=backend,
    )


@pytest.mark.parametrize("backend", BACKENDS)
async def test_a_key_rotated_on_disk_is_used_after_one_401(
    first: Emulator, state_dir: Path, backend: Backend
) -> None:
    model = _model(first, backend)
    try:
        assert MODEL in ((await model.complete(ASK)).message.content or "")
        old_config = Path(first.config_file).read_text()
        second = _restarted(first, state_dir)
        try:
            assert Path(second.config_file).read_text() != old_config  # a new fingerprint
            reply = await model.complete(ASK)  # 401 with the old key, re-read, re-signed
            assert MODEL in (reply.message.content or "")
            assert [r.operation for r in second.requests] == ["chat", "chat"]
            reply = await model.complete(ASK)  # the new key from the start: no 401
            assert MODEL in (reply.message.content or "")
            assert len(second.requests) == 3
            auth = model.connection.auth
            assert isinstance(auth, ApiKeyAuth) and auth.reloads == 1
        finally:
            second.stop()
    finally:
        await model.aclose()


@pytest.mark.parametrize("backend", BACKENDS)
async def test_concurrent_calls_signed_with_the_old_key_all_go_through(
    first: Emulator, state_dir: Path, backend: Backend
) -> None:
    """Calls that got their 401 after another one already switched to the new key are
    signed again too, though the files did not change since that switch."""
    model = _model(first, backend)
    try:
        await model.complete(ASK)
        second = _restarted(first, state_dir)
        try:
            replies = await asyncio.gather(*(model.complete(ASK) for _ in range(4)))
            assert all(MODEL in (r.message.content or "") for r in replies)
            auth = model.connection.auth
            assert isinstance(auth, ApiKeyAuth) and auth.reloads == 1
        finally:
            second.stop()
    finally:
        await model.aclose()


@pytest.mark.parametrize("backend", BACKENDS)
async def test_unchanged_files_give_the_401_once_with_its_hint(
    emu: Emulator, oci_model: OCIModelFactory, tmp_path: Path, backend: Backend
) -> None:
    config = config_with_other_key(emu, tmp_path)
    model = oci_model(config_file=config, auth_type="api_key", http_backend=backend)
    with pytest.raises(AuthenticationError) as info:
        await model.complete(ASK)
    assert len(emu.requests) == 1, "nothing changed on disk: no second attempt"
    hint = info.value.hint or ""
    assert "does not match its key_file" in hint
    assert "BEGIN" not in str(info.value) + hint


@pytest.mark.parametrize("backend", BACKENDS)
async def test_a_profile_fixed_after_a_401_works_at_the_next_call(
    emu: Emulator, oci_model: OCIModelFactory, tmp_path: Path, backend: Backend
) -> None:
    """A key_file pointing at the wrong key, fixed while the model lives (as a user does
    after reading the hint): the next call re-reads it at its 401 and goes through."""
    config = config_with_other_key(emu, tmp_path)
    model = oci_model(config_file=config, auth_type="api_key", http_backend=backend)
    with pytest.raises(AuthenticationError):
        await model.complete(ASK)
    config.write_text(Path(emu.config_file).read_text())  # the right key_file again
    reply = await model.complete(ASK)
    assert MODEL in (reply.message.content or "")
    auth = model.connection.auth
    assert isinstance(auth, ApiKeyAuth) and auth.diagnosis() is None
