"""RESOURCE_PRINCIPAL (v2.2, as in OCI Functions and Data Science) end to end: the oci SDK
reads the RPST and key files the emulator writes; Locus follows their rotation."""

from __future__ import annotations

import time

import pytest

from locus.core.errors import CredentialsError
from locus.emulator import Emulator
from locus.models.providers.oci import OCIModel
from locus.models.providers.oci.principals import PrincipalAuth
from tests.integration.auth.conftest import ASK, MODEL, streamed_text
from tests.integration.conftest import OCIModelFactory


@pytest.fixture
def resource_env(emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in emu.principals.enable_resource_principal().items():
        monkeypatch.setenv(name, value)


def _auth(model: OCIModel) -> PrincipalAuth:
    auth = model.connection.auth
    assert isinstance(auth, PrincipalAuth)
    return auth


@pytest.mark.usefixtures("resource_env")
async def test_complete_and_stream_with_a_resource_principal(oci_model: OCIModelFactory) -> None:
    model = oci_model(auth_type="resource_principal")
    reply = await model.complete(ASK)
    assert MODEL in (reply.message.content or "")
    text, deltas = await streamed_text(model)
    assert text == "1, 2, 3, 4, 5" and deltas > 1
    assert _auth(model).region == "us-chicago-1"


@pytest.mark.usefixtures("resource_env")
async def test_rotated_token_is_picked_up_after_a_401(
    emu: Emulator, oci_model: OCIModelFactory
) -> None:
    model = oci_model(auth_type="RESOURCE_PRINCIPAL")
    await model.complete(ASK)
    emu.principals.authority.expire_all()
    emu.principals.rotate_resource_principal()  # the platform writes a new RPST
    answers = [await model.complete(ASK) for _ in range(3)]
    assert len(answers) == 3 and _auth(model).refreshes == 1


@pytest.mark.usefixtures("resource_env")
async def test_rotated_file_is_read_before_the_old_token_expires(
    emu: Emulator, oci_model: OCIModelFactory
) -> None:
    model = oci_model(auth_type="resource_principal")
    await model.complete(ASK)
    auth = _auth(model)
    assert auth.expires_at is not None
    jump = auth.expires_at - time.time() - 30

    def later() -> float:
        return time.time() + jump

    auth.clock = emu.principals.authority.clock = later
    emu.principals.rotate_resource_principal()
    await model.complete(ASK)
    assert auth.refreshes == 1 and auth.expires_at > later() + 600


async def test_missing_environment_names_what_to_set(oci_model: OCIModelFactory) -> None:
    model = oci_model(auth_type="resource_principal")
    with pytest.raises(CredentialsError, match="OCI_RESOURCE_PRINCIPAL_VERSION"):
        await model.complete(ASK)
