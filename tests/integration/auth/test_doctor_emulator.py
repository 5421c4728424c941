"""``locus doctor`` against the emulator, as docs/emulator.md tells a user to run it, and its
compartment step: a value that is not a compartment or tenancy OCID is named as such."""

from __future__ import annotations

import json
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from locus.doctor import main
from locus.emulator import Emulator
from tests.conftest import REPO_ROOT

DOCS = REPO_ROOT / "docs" / "emulator.md"
_HEADING = "## Check a set-up with `locus doctor`"
_LOCUS = Path(sys.executable).parent / "locus"


def _doc_block() -> str:
    section = DOCS.read_text(encoding="utf-8").split(_HEADING, 1)[1]
    return section.split("```console\n", 1)[1].split("```", 1)[0]


def _doc_commands(block: str) -> list[list[str]]:
    lines = block.replace("\\\n", " ").splitlines()
    return [shlex.split(line[2:], comments=True) for line in lines if line.startswith("$ ")]


def _steps(out: str) -> list[str]:
    """``[status] name`` of each step line, e.g. ``[  ok] config file``."""
    return [line[:19].rstrip() for line in out.splitlines() if line.startswith("[")]


def _wait_for_info(path: Path, process: subprocess.Popen[str]) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and process.poll() is None:
        if path.exists():
            info: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            return info
        time.sleep(0.02)
    raise AssertionError(f"the emulator did not start: {process.poll()=}")


def test_the_documented_command_passes_against_a_running_emulator(tmp_path: Path) -> None:
    block = _doc_block()
    (serve, doctor) = _doc_commands(block)
    assert serve[:2] == ["locus", "emulator"] and doctor[:2] == ["locus", "doctor"]
    assert _LOCUS.exists(), f"the locus console script is not installed next to {sys.executable}"
    port = serve.index("--port") + 1
    serve[port] = "0"  # the documented 8080 may be taken here; the test reads the real port
    emulator = subprocess.Popen(
        [str(_LOCUS), *serve[1:], "--log-level", "warning"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        info = _wait_for_info(tmp_path / ".emu" / "emulator.json", emulator)
        argv = [arg.replace("http://127.0.0.1:8080", info["url"]) for arg in doctor[1:]]
        done = subprocess.run(
            [str(_LOCUS), *argv], cwd=tmp_path, capture_output=True, text=True, timeout=60
        )
    finally:
        emulator.send_signal(signal.SIGTERM)
        emulator.communicate(timeout=20)
    assert done.returncode == 0, done.stdout + done.stderr
    assert info["compartment_id"] in doctor
    assert _steps(done.stdout) == _steps(block)
    shown = next(line for line in block.splitlines() if "] compartment" in line)
    assert shown in done.stdout.splitlines()
    assert done.stdout.rstrip().endswith("all checks passed")
    assert emulator.returncode == 0


def _run(capsys: pytest.CaptureFixture[str], emu: Emulator, *argv: str) -> tuple[int, str]:
    places = ("--config-file", emu.config_file, "--service-endpoint", emu.service_endpoint)
    code = main([*places, *argv])
    return code, capsys.readouterr().out


def _compartment_line(out: str) -> str:
    return next(line for line in out.splitlines() if "] compartment" in line)


def test_a_name_is_not_an_ocid(emu: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run(capsys, emu, "--compartment-id", "my-team")
    assert code == 1
    line = _compartment_line(out)
    assert line.startswith("[FAIL]")
    assert "'my-team' is not an OCID" in line and "not its name (given)" in line
    assert "signed call" not in out


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("ocid1.user.oc1..aaaaaaaalocusemulatoruser7h2k5m8q4t6w9z3b1d0f2j4n6r8v0x2c4g6", "user"),
        ("endpoint", "generativeaiendpoint"),
    ],
)
def test_another_kind_of_ocid_is_named(
    emu: Emulator, capsys: pytest.CaptureFixture[str], value: str, kind: str
) -> None:
    value = emu.endpoint("hermes")["ocid"] if value == "endpoint" else value
    code, out = _run(capsys, emu, "--compartment-id", value)
    assert code == 1
    line = _compartment_line(out)
    assert line.startswith("[FAIL]")
    assert f"is a {kind} OCID, not a compartment or tenancy OCID" in line
    assert "ocid1.compartment.oc1..<unique id>" in line
    assert "signed call" not in out


def test_the_readme_placeholder_in_the_environment_is_not_a_whole_ocid(
    emu: Emulator, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OCI_COMPARTMENT_ID", "ocid1.compartment.oc1....")
    code, out = _run(capsys, emu)
    assert code == 1
    line = _compartment_line(out)
    assert line.startswith("[FAIL]")
    assert "is not a whole compartment OCID (it ends in a placeholder)" in line
    assert line.endswith("(from OCI_COMPARTMENT_ID)")


def test_spaces_around_the_ocid_are_named(
    emu: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _run(capsys, emu, "--compartment-id", f" {emu.compartment_id}\n")
    assert code == 1
    assert "has white space around it" in _compartment_line(out)


def test_a_tenancy_ocid_passes_the_shape_and_the_emulator_refuses_it(
    emu: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _run(capsys, emu)
    assert code == 1
    line = _compartment_line(out)
    assert line.startswith("[  ok]") and line.endswith("(the profile's tenancy)")
    assert "ocid1.tenancy.oc1.." in line
    signed = next(line for line in out.splitlines() if "] signed call" in line)
    assert signed.startswith("[FAIL]") and "404 NotAuthorizedOrNotFound" in signed


def test_the_emulator_compartment_passes(emu: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run(capsys, emu, "--compartment-id", emu.compartment_id)
    assert code == 0, out
    assert _compartment_line(out) == f"[  ok] compartment  {emu.compartment_id} (given)"
