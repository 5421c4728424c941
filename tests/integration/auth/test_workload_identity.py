"""WORKLOAD_IDENTITY (OKE) end to end: the oci SDK trades the pod's service-account token
for a token at the emulated proxymux (TLS on port 12250), and refreshes it."""

from __future__ import annotations

import pytest

from locus.emulator import Emulator
from locus.models.providers.oci.principals import PrincipalAuth
from tests.integration.auth.conftest import ASK, MODEL, streamed_text
from tests.integration.conftest import OCIModelFactory


@pytest.fixture
def workload_env(emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in emu.principals.enable_workload_identity().items():
        monkeypatch.setenv(name, value)


@pytest.mark.usefixtures("workload_env")
async def test_workload_identity_with_a_mid_run_expiry(
    emu: Emulator, oci_model: OCIModelFactory
) -> None:
    model = oci_model(auth_type="workload_identity")
    reply = await model.complete(ASK)
    assert MODEL in (reply.message.content or "")
    emu.principals.authority.expire_all()
    text, deltas = await streamed_text(model)
    assert text == "1, 2, 3, 4, 5" and deltas > 1
    auth = model.connection.auth
    assert isinstance(auth, PrincipalAuth) and auth.refreshes == 1
    assert emu.principals.proxymux is not None and emu.principals.proxymux.calls == 2
