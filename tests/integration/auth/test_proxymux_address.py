"""Where the emulated OKE proxymux listens: its own ``127.x.y.z`` on Linux, ``127.0.0.1``
where that address is not a local one (macOS has only 127.0.0.1 by default; here an
address that is never local, TEST-NET-1 of RFC 5737, stands for it), end to end with the
oci SDK's workload identity; and a clear error when port 12250 is taken there."""

from __future__ import annotations

import socket

import pytest

from locus.emulator import Emulator
from locus.emulator.auth._proxymux import PROXYMUX_PORT, Proxymux
from tests.integration.auth.conftest import ASK, MODEL
from tests.integration.conftest import OCIModelFactory


async def test_a_proxymux_whose_address_is_not_local_listens_on_127_0_0_1(
    emu: Emulator, oci_model: OCIModelFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    mux = Proxymux(emu.principals.authority, emu.principals._state_dir / "oke")
    assert mux.host.startswith("127.") and mux.host != "127.0.0.1"
    mux.host = "192.0.2.1"  # cannot be bound here, as 127.0.0.2 cannot on macOS
    emu.principals.proxymux = mux
    try:
        env = mux.start(emu.principals.region)
        assert env["KUBERNETES_SERVICE_HOST"] == "127.0.0.1" == mux.host
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        model = oci_model(auth_type="workload_identity")
        reply = await model.complete(ASK)  # TLS checked against the cert made for 127.0.0.1
        assert MODEL in (reply.message.content or "")
        assert mux.calls == 1
    finally:
        emu.principals.close()


def test_a_taken_port_is_a_clear_error(emu: Emulator) -> None:
    mux = Proxymux(emu.principals.authority, emu.principals._state_dir / "oke")
    mux.host = "192.0.2.1"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", PROXYMUX_PORT))
        taken.listen()
        with pytest.raises(RuntimeError, match=r"127\.0\.0\.1:12250 .*stop the other emulator"):
            mux.start(emu.principals.region)
