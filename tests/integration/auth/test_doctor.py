"""``locus doctor`` against the emulator: a healthy profile, each broken one, a principal;
one plain-words line per step and never a secret in the output."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from locus.cli import main as locus_main
from locus.doctor import main
from locus.emulator import Emulator
from tests.integration.auth.conftest import config_with_other_key


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def _line(out: str, step: str) -> str:
    return next(line for line in out.splitlines() if f"] {step}" in line)


def _no_secrets(out: str, emu: Emulator) -> None:
    assert "PRIVATE KEY" not in out and "ST$" not in out and emu.api_key not in out
    for token in Path(emu.state_dir).glob("sessions/*/token"):
        assert token.read_text() not in out


def test_a_healthy_profile_passes_every_step(
    emu: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--config-file", emu.config_file, "--service-endpoint", emu.service_endpoint]
    code, out = _run(capsys, *args, "--compartment-id", emu.compartment_id)
    assert code == 0, out
    for step in ("config file", "auth type", "private key", "fingerprint", "region"):
        assert _line(out, step).startswith("[  ok]")
    assert "answered a signed request" in _line(out, "signed call")
    assert out.rstrip().endswith("all checks passed")
    _no_secrets(out, emu)


def test_the_locus_command_dispatches_to_doctor(
    emu: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    code = locus_main(["doctor", "--config-file", emu.config_file, "--profile", "MISSING"])
    out = capsys.readouterr().out
    assert code == 1
    assert "profile [MISSING] not found" in _line(out, "config file")


def test_a_wrong_key_fails_at_the_fingerprint(
    emu: Emulator, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = config_with_other_key(emu, tmp_path)
    code, out = _run(capsys, "--config-file", str(config))
    assert code == 1
    assert "key_file's fingerprint is" in _line(out, "fingerprint")
    assert "signed call" not in out
    _no_secrets(out, emu)


def test_an_expired_session_says_what_to_run(
    emu: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    emu.principals.add_session_profile("OLD", lifetime=-300)
    code, out = _run(capsys, "--config-file", emu.config_file, "--profile", "OLD")
    assert code == 1
    line = _line(out, "session token")
    assert line.startswith("[FAIL]") and "oci session refresh --profile OLD" in line
    _no_secrets(out, emu)


def test_a_live_session_reports_its_expiry(
    emu: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    emu.principals.add_session_profile("LIVE", lifetime=3600)
    code, out = _run(
        capsys,
        *("--config-file", emu.config_file, "--profile", "LIVE"),
        *("--service-endpoint", emu.service_endpoint, "--compartment-id", emu.compartment_id),
    )
    assert code == 0, out
    assert "valid for another 60 minutes" in _line(out, "session token")
    _no_secrets(out, emu)


def test_an_instance_principal(
    emu: Emulator, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in emu.principals.enable_instance_principal(emu.url).items():
        monkeypatch.setenv(name, value)
    code, out = _run(
        capsys,
        *("--auth-type", "instance_principal", "--service-endpoint", emu.service_endpoint),
        *("--compartment-id", emu.compartment_id),
    )
    assert code == 0, out
    assert "got a token, valid for another 20 minutes" in _line(out, "principal token")
    assert "us-chicago-1 (from the principal)" in _line(out, "region")
    _no_secrets(out, emu)


def test_a_wrong_auth_type_lists_the_valid_ones(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run(capsys, "--auth-type", "password")
    assert code == 1 and "valid values: API_KEY" in _line(out, "auth type")


def test_python_dash_m(emu: Emulator) -> None:
    env = {
        **os.environ,
        "OCI_CONFIG_FILE": emu.config_file,
        "OCI_COMPARTMENT_ID": emu.compartment_id,
    }
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "locus.doctor", "--service-endpoint", emu.service_endpoint],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "all checks passed" in done.stdout
    assert time.monotonic() - started < 30


def test_a_missing_config_file_is_told_in_doctors_own_flags(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OCI_CONFIG_FILE", raising=False)
    code, out = _run(capsys, "--config-file", str(tmp_path / "nowhere"))
    line = _line(out, "config file")
    assert code == 1 and line.startswith("[FAIL]")
    assert "OCI config file not found" in line and "pass --config-file" in line, line
    assert "config_file=" not in out
