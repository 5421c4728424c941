"""``benchmarks.emulator_rps`` runs on a tiny size and reports the emulator's CPU per request
when it knows the emulator's process (never a timing assertion)."""

from __future__ import annotations

import os
import sys

import pytest
from benchmarks import emulator_rps

from locus.emulator import Emulator


def test_signed_chats_all_succeed_and_the_cpu_per_request_is_reported() -> None:
    with Emulator() as emu:
        row = emulator_rps.measure(emu.info, seconds=0.3, concurrency=2, pid=os.getpid())
        plain = emulator_rps.measure(emu.info, seconds=0.1, concurrency=1)
    assert row["errors"] == 0 and row["requests"] > 0 and row["rps"] > 0
    assert row["emulator_cpu_us"] > 0  # in-process here: the test's own CPU counts too
    assert "emulator_cpu_us" not in plain  # no process id, no CPU figure


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_an_unknown_process_gives_no_cpu_figure() -> None:
    assert emulator_rps._cpu_seconds(None) is None
    assert emulator_rps._cpu_seconds(2**22 + 12345) is None  # above Linux's largest pid
    own = emulator_rps._cpu_seconds(os.getpid())
    assert own is not None and own > 0


def test_headers_made_once_a_second_are_the_ones_signing_again_would_make() -> None:
    with Emulator() as emu:
        info = emu.info
        signer = emulator_rps._Signer(info["config_file"], info["profile"], "127.0.0.1:1")
        body = emulator_rps._body(info)
        first = signer.headers(body)
        assert signer._sign(body, first["date"]) == first  # PKCS#1 v1.5 is deterministic
        other = signer.headers(body + b" ")
        assert other["x-content-sha256"] != first["x-content-sha256"]
        assert other["authorization"] != first["authorization"]
