"""SECURITY_TOKEN profiles (``oci session authenticate``) end to end: the emulator issues
the session token and accepts ``ST$<token>``; Locus follows ``oci session refresh``."""

from __future__ import annotations

import pytest

from locus.core.errors import CredentialsError
from locus.emulator import Emulator
from locus.models.providers.oci import OCIAuthType, OCIModel
from locus.models.providers.oci._session_token_auth import SessionTokenAuth
from tests.integration.auth.conftest import ASK, MODEL, streamed_text
from tests.integration.conftest import OCIModelFactory


def _session_model(emu: Emulator, oci_model: OCIModelFactory, **options: object) -> OCIModel:
    return oci_model(config_file=emu.config_file, profile_name="SESSION", **options)


async def test_session_profile_is_detected_and_works(
    emu: Emulator, oci_model: OCIModelFactory
) -> None:
    emu.principals.add_session_profile("SESSION")
    model = _session_model(emu, oci_model)
    reply = await model.complete(ASK)
    assert MODEL in (reply.message.content or "")
    text, _ = await streamed_text(model)
    assert text == "1, 2, 3, 4, 5"
    assert model.connection.auth_type is OCIAuthType.SECURITY_TOKEN
    assert isinstance(model.connection.auth, SessionTokenAuth)


async def test_out_of_band_refresh_is_followed_without_a_failure(
    emu: Emulator, oci_model: OCIModelFactory
) -> None:
    emu.principals.add_session_profile("SESSION")
    model = _session_model(emu, oci_model, auth_type="session_token")
    await model.complete(ASK)
    emu.principals.authority.expire_all()  # the old token is dead on the server...
    emu.principals.refresh_session("SESSION")  # ...and `oci session refresh` wrote a new one
    answers = [await model.complete(ASK) for _ in range(3)]
    assert len(answers) == 3
    assert emu.principals.authority.issued["session"] == 2


async def test_expired_session_says_which_command_to_run(
    emu: Emulator, oci_model: OCIModelFactory
) -> None:
    emu.principals.add_session_profile("SESSION", lifetime=-60)
    model = _session_model(emu, oci_model, auth_type=OCIAuthType.SECURITY_TOKEN)
    with pytest.raises(CredentialsError) as info:
        await model.complete(ASK)
    text = str(info.value)
    assert "has expired" in text and "oci session refresh --profile SESSION" in text
    assert "oci session authenticate" in text
