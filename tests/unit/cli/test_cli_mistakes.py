"""A new user's mistakes with ``locus``, ``locus emulator`` and ``locus doctor``: one
line on stderr that says what is wrong, exit status 2 for a usage error and 1 for a
failure, and never a traceback."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from locus.emulator.server import prepare_state_dir
from tests.unit.cli._locus import locus, mistake


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A loopback port another server listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


def test_locus_alone_prints_its_usage_on_stderr(tmp_path: Path) -> None:
    done = locus(tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("usage: locus ")
    assert "doctor" in done.stderr


def test_an_unknown_option_is_called_an_option(tmp_path: Path) -> None:
    done = locus(tmp_path, "--bogus")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines()[0] == "locus: unknown option '--bogus'"


@pytest.mark.parametrize("port", ["99999", "-1"])
def test_emulator_refuses_a_port_out_of_range(tmp_path: Path, port: str) -> None:
    done = locus(tmp_path, "emulator", "--state-dir", "emu", "--port", port)
    line = mistake(done, 2)
    assert line.endswith(
        f"argument --port: {port} is not a port: give 1-65535, or 0 for any free one"
    )


def test_emulator_on_a_busy_port_says_so(tmp_path: Path, busy_port: int) -> None:
    done = locus(tmp_path, "emulator", "--state-dir", "emu", "--port", str(busy_port))
    assert mistake(done, 1) == (
        f"locus emulator: cannot listen on 127.0.0.1:{busy_port}: the port is in use "
        "(pick another --port, or 0 for any free one)"
    )


def test_emulator_on_an_unknown_host_says_so(tmp_path: Path) -> None:
    done = locus(tmp_path, "emulator", "--state-dir", "emu", "--host", "nosuch.invalid")
    assert mistake(done, 1) == (
        "locus emulator: cannot listen on nosuch.invalid: no such address (check --host)"
    )


@pytest.mark.parametrize(
    ("option", "value", "said"),
    [
        ("--latency", "-1", "argument --latency: -1 is not a number of seconds, 0 or more"),
        ("--latency", "nan", "argument --latency: nan is not a number of seconds, 0 or more"),
        ("--log-level", "loud", "argument --log-level: invalid choice: 'loud'"),
        ("--backend", "localhost", "argument --backend: 'localhost' is not a URL"),
    ],
)
def test_emulator_refuses_a_bad_value(tmp_path: Path, option: str, value: str, said: str) -> None:
    done = locus(tmp_path, "emulator", "--state-dir", "emu", "--port", "0", option, value)
    assert said in mistake(done, 2)


def test_emulator_state_dir_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "emu").write_text("")
    done = locus(tmp_path, "emulator", "--state-dir", "emu", "--port", "0")
    assert mistake(done, 2) == "locus emulator: --state-dir emu is a file, not a directory"


def test_doctor_refuses_a_service_endpoint_that_is_not_a_url(tmp_path: Path) -> None:
    done = locus(tmp_path, "doctor", "--service-endpoint", "localhost:8080")
    line = mistake(done, 2)
    assert "argument --service-endpoint: service_endpoint 'localhost:8080' is not an" in line


def test_doctor_reports_settings_the_model_refuses_as_a_failed_step(tmp_path: Path) -> None:
    """A DAC endpoint OCID of one region with another --region: the steps, then the
    refusal as the signed call's failure (it was a traceback)."""
    prepare_state_dir(tmp_path / "emu", "us-chicago-1")
    dac = "ocid1.generativeaiendpoint.oc1.us-chicago-1.amaaaaaagrp2g7gnlstwu6rgbbbgjujsnr63twydpi6"
    done = locus(
        tmp_path,
        *("doctor", "--config-file", "emu/config", "--model", dac, "--region", "eu-frankfurt-1"),
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "[FAIL] signed call  region='eu-frankfurt-1' does not match" in done.stdout
    assert done.stdout.rstrip().endswith("some checks failed (see above)")


@pytest.mark.parametrize("command", ["serve", "chat", "mcp serve", "emulator", "doctor"])
def test_help_explains_every_option_and_shows_an_example(tmp_path: Path, command: str) -> None:
    done = locus(tmp_path, *command.split(), "--help")
    assert done.returncode == 0
    text = done.stdout
    assert "\nexample" in text
    lines = text[text.index("options:") :].splitlines()
    for number, line in enumerate(lines):
        if line.startswith("  -"):
            described = "  " in line.strip() or lines[number + 1].startswith(" " * 8)
            assert described, f"{line.strip()} is not explained"


@pytest.mark.parametrize(
    ("command", "default"),
    [
        ("emulator", "--port PORT           port (default 8080"),
        ("emulator", "(default us-chicago-1)"),
        ("serve", "(default 1000000)"),
        ("serve", "(default 64)"),
        ("mcp serve", "stdio (default)"),
    ],
)
def test_help_shows_the_defaults(tmp_path: Path, command: str, default: str) -> None:
    done = locus(tmp_path, *command.split(), "--help")
    assert default in " ".join(done.stdout.split("\n"))
