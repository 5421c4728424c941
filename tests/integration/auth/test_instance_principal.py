"""INSTANCE_PRINCIPAL end to end: the oci SDK federates a token from the emulator's IMDS
and federation endpoint; Locus signs with it, refreshes it, and never loses a request."""

from __future__ import annotations

import asyncio
import time

import pytest

from locus.core.errors import AuthenticationError, CredentialsError
from locus.emulator import Emulator
from locus.models.providers.oci import OCIAuthType, OCIChatCompletionsModel, OCIModel
from locus.models.providers.oci.principals import PrincipalAuth
from tests.integration.auth.conftest import ASK, MODEL, streamed_text
from tests.integration.conftest import OCIModelFactory


@pytest.fixture
def instance_env(emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in emu.principals.enable_instance_principal(emu.url).items():
        monkeypatch.setenv(name, value)


def _auth(model: OCIModel) -> PrincipalAuth:
    auth = model.connection.auth
    assert isinstance(auth, PrincipalAuth)
    return auth


@pytest.mark.usefixtures("instance_env")
async def test_complete_and_stream_with_an_instance_principal(
    emu: Emulator, oci_model: OCIModelFactory
) -> None:
    model = oci_model(auth_type="instance_principal")
    reply = await model.complete(ASK)
    assert MODEL in (reply.message.content or "")
    text, deltas = await streamed_text(model)
    assert text == "1, 2, 3, 4, 5" and deltas > 1
    assert emu.principals.calls["federation"] == 1
    assert emu.principals.authority.issued["instance"] == 1
    auth = _auth(model)
    assert auth.region == emu.region and auth.refreshes == 0
    assert auth.expires_at is not None and auth.expires_at > time.time() + 600
    # the endpoint is given (loopback, no region in its host): the region is the principal's
    assert model.connection.region == emu.region and emu.region in repr(model)


@pytest.mark.usefixtures("instance_env")
async def test_token_expiring_mid_run_costs_one_refresh_and_no_request(
    emu: Emulator, oci_model: OCIModelFactory
) -> None:
    model = oci_model(auth_type="instance_principal")
    answers = []
    for index in range(6):
        if index == 3:
            emu.principals.authority.expire_all()  # the service now refuses the token
        answers.append(await model.complete(ASK))
    text, _ = await streamed_text(model)
    assert len(answers) == 6 and all(MODEL in (a.message.content or "") for a in answers)
    assert text == "1, 2, 3, 4, 5"
    assert _auth(model).refreshes == 1 and emu.principals.calls["federation"] == 2


@pytest.mark.usefixtures("instance_env")
async def test_concurrent_401s_share_one_refresh(emu: Emulator, oci_model: OCIModelFactory) -> None:
    model = oci_model(auth_type="instance_principal")
    await model.complete(ASK)
    emu.principals.authority.expire_all()
    answers = await asyncio.gather(*(model.complete(ASK) for _ in range(8)))
    assert len(answers) == 8
    assert _auth(model).refreshes == 1 and emu.principals.calls["federation"] == 2


@pytest.mark.usefixtures("instance_env")
async def test_refreshes_before_exp_without_a_401(
    emu: Emulator, oci_model: OCIModelFactory
) -> None:
    model = oci_model(auth_type="instance_principal")
    await model.complete(ASK)
    auth = _auth(model)
    assert auth.expires_at is not None
    jump = auth.expires_at - time.time() - 60  # one minute before exp, past the margin

    def later() -> float:  # both sides travel in time together
        return time.time() + jump

    auth.clock = emu.principals.authority.clock = later
    before = emu.principals.authority.issued["instance"]
    await model.complete(ASK)
    assert auth.refreshes == 1 and emu.principals.authority.issued["instance"] == before + 1
    await model.complete(ASK)  # the new token is fresh again: no second refresh
    assert auth.refreshes == 1


@pytest.mark.usefixtures("instance_env")
async def test_failed_refresh_is_exposed_and_named(
    emu: Emulator, oci_model: OCIModelFactory
) -> None:
    model = oci_model(auth_type="instance_principal")
    await model.complete(ASK)
    emu.principals.refuse_federation("the instance certificate is revoked")
    emu.principals.authority.expire_all()
    with pytest.raises(AuthenticationError) as info:
        await model.complete(ASK)
    auth = _auth(model)
    assert auth.last_refresh_error is not None and auth.refreshes == 0
    assert "the last instance principal token refresh failed" in (info.value.hint or "")
    assert "dynamic group matches this instance principal" in (info.value.hint or "")
    assert "key_file" not in (info.value.hint or "")  # no profile advice for a principal
    assert "ST$" not in str(info.value) and "eyJ" not in str(info.value)  # no token text
    emu.principals.refuse_federation(None)
    await model.complete(ASK)  # the next 401 refreshes again, and succeeds
    assert auth.last_refresh_error is None and auth.refreshes == 1


async def test_no_metadata_service_is_a_clear_credentials_error(
    emu: Emulator, oci_model: OCIModelFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OCI_METADATA_BASE_URL", f"{emu.url}/opc/v2")
    emu.principals.deny_metadata()  # a 403: the SDK gives up at once (a 404 it retries ~90 s)
    model = oci_model(auth_type="instance_principal")
    with pytest.raises(CredentialsError, match="instance principal") as info:
        await model.complete(ASK)
    assert "OCI_METADATA_BASE_URL" in str(info.value)


@pytest.mark.usefixtures("instance_env")
async def test_openai_compatible_api_with_an_instance_principal(emu: Emulator) -> None:
    model = OCIChatCompletionsModel(
        "xai.grok-4",
        auth_type=OCIAuthType.INSTANCE_PRINCIPAL,
        service_endpoint=emu.service_endpoint,
        compartment_id=emu.compartment_id,
    )
    async with model:
        reply = await model.complete(ASK)
        emu.principals.authority.expire_all()
        again = await model.complete(ASK)
    assert "xai.grok-4" in (reply.message.content or "") and again.message.content
    auth = model.connection.auth
    assert isinstance(auth, PrincipalAuth) and auth.refreshes == 1
    assert "ST$" not in repr(auth) and "ST$" not in repr(model)


@pytest.mark.usefixtures("instance_env")
async def test_aclose_closes_the_sdk_sessions_and_the_model_stays_usable(
    emu: Emulator, oci_model: OCIModelFactory
) -> None:
    from locus.models.providers.oci.principals import sdk_sessions

    model = oci_model(auth_type="instance_principal")
    await model.complete(ASK)
    sessions = sdk_sessions(_auth(model)._sdk_signer)
    assert sessions  # the metadata and federation clients keep requests sessions
    pools = [a.poolmanager.pools for s in sessions for a in s.adapters.values()]
    assert any(len(p) for p in pools)  # they hold connections to the emulator
    await model.aclose()
    assert all(len(p) == 0 for p in pools)
    emu.principals.authority.expire_all()  # the next call must federate again
    reply = await model.complete(ASK)
    assert MODEL in (reply.message.content or "") and _auth(model).refreshes == 1
