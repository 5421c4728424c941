"""Each broken setup gives one error that names its cause: a wrong key, a missing
profile, a clock 10 minutes off (the expired session is in test_session_token.py)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from locus.core.errors import AuthenticationError, ConfigurationError, CredentialsError
from locus.emulator import Emulator
from locus.models.providers.oci import OCIAuthType, OCIChatCompletionsModel, OCIModel
from locus.models.providers.oci._api_key_auth import ApiKeyAuth
from tests.integration.auth.conftest import ASK, MODEL, config_with_other_key
from tests.integration.conftest import OCIModelFactory


async def test_wrong_key_is_named(
    emu: Emulator, oci_model: OCIModelFactory, tmp_path: Path
) -> None:
    model = oci_model(config_file=config_with_other_key(emu, tmp_path), auth_type="api_key")
    with pytest.raises(AuthenticationError) as info:
        await model.complete(ASK)
    hint = info.value.hint or ""
    assert "does not match its key_file" in hint and "fingerprint" in hint
    assert "BEGIN" not in str(info.value) + hint  # no key material


async def test_missing_profile_lists_the_ones_there(
    emu: Emulator, oci_model: OCIModelFactory
) -> None:
    model = oci_model(config_file=emu.config_file, profile_name="NOPE")
    with pytest.raises(CredentialsError, match=r"profile \[NOPE\] not found") as info:
        await model.complete(ASK)
    assert "DEFAULT" in str(info.value)


async def test_clock_ten_minutes_off_is_named(emu: Emulator, oci_model: OCIModelFactory) -> None:
    model = oci_model(config_file=emu.config_file, profile_name=emu.profile)
    await model.complete(ASK)
    auth = model.connection.auth
    assert isinstance(auth, ApiKeyAuth)
    auth.clock = lambda: time.time() - 600  # this machine's clock runs 10 minutes late
    with pytest.raises(AuthenticationError) as info:
        await model.complete(ASK)
    assert "10 minutes behind the server's" in (info.value.hint or "")
    assert "5 minutes" in str(info.value)


async def test_wrong_auth_type_lists_the_valid_ones(
    emu: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OCI_AUTH_TYPE", "instance-principle")
    with pytest.raises(ConfigurationError) as info:
        OCIModel(MODEL, service_endpoint=emu.service_endpoint)
    for name in ("API_KEY", "SECURITY_TOKEN", "INSTANCE_PRINCIPAL", "RESOURCE_PRINCIPAL"):
        assert name in str(info.value)
    assert "WORKLOAD_IDENTITY" in str(info.value) and "GENAI_API_KEY" in str(info.value)


async def test_auth_type_from_the_environment(
    emu: Emulator, oci_model: OCIModelFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    emu.principals.add_session_profile("SESSION")
    monkeypatch.setenv("OCI_AUTH_TYPE", "session_token")
    model = oci_model(config_file=emu.config_file, profile_name="SESSION")
    await model.complete(ASK)
    assert model.connection.auth_type is OCIAuthType.SECURITY_TOKEN


async def test_genai_api_key_as_bearer(emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OCI_GENAI_API_KEY", emu.api_key)
    model = OCIChatCompletionsModel(
        "xai.grok-4",
        auth_type="genai_api_key",
        service_endpoint=emu.service_endpoint,
        compartment_id=emu.compartment_id,
    )
    async with model:
        reply = await model.complete(ASK)
    assert "xai.grok-4" in (reply.message.content or "")


async def test_genai_api_key_without_a_key_says_where_to_put_it(emu: Emulator) -> None:
    model = OCIChatCompletionsModel(
        "xai.grok-4", auth_type="BEARER", service_endpoint=emu.service_endpoint
    )
    async with model:
        with pytest.raises(CredentialsError, match="OCI_GENAI_API_KEY"):
            await model.complete(ASK)
