"""The happy path the docs show, from a scratch directory and only the command line:
``locus emulator`` says how to point a client at it, ``locus doctor`` passes against it,
``locus serve`` answers a chat completion from it, and Ctrl-C stops both with status 0."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from tests.deadlines import read_line
from tests.unit.cli._locus import clean_env, locus

AGENT = Path(__file__).resolve().parents[1] / "serve" / "emulator_agent.py"


def _start(cwd: Path, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "locus.cli", *args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _stop(proc: subprocess.Popen[str]) -> str:
    """Ctrl-C; the process must exit 0 without a traceback. Returns its stderr."""
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    return err


def test_emulator_doctor_and_serve_from_the_command_line(tmp_path: Path) -> None:
    emulator = _start(
        tmp_path, clean_env(tmp_path), "emulator", "--state-dir", "emu", "--port", "0"
    )
    try:
        assert emulator.stdout is not None
        listening = read_line(emulator.stdout, "the emulator says it listens")
        assert listening.startswith("locus emulator listening on http://127.0.0.1:")
        told = read_line(emulator.stdout, "the emulator says where to point a client")
        info = json.loads((tmp_path / "emu" / "emulator.json").read_text())
        assert told == (
            f"point a client at it: OCI config emu/config (profile DEFAULT), service endpoint "
            f"{info['url']}, compartment {info['compartment_id']}; all in emu/emulator.json\n"
        )
        found = re.search(r"OCI config (\S+) .* service endpoint (\S+), compartment (\S+);", told)
        assert found is not None
        config, endpoint, compartment = found.groups()
        doctor = locus(
            tmp_path,
            *("doctor", "--config-file", config, "--service-endpoint", endpoint),
            *("--compartment-id", compartment),
        )
        assert doctor.returncode == 0, doctor.stdout
        assert doctor.stdout.rstrip().endswith("all checks passed")
        _serve_one_answer(tmp_path, tmp_path / "emu" / "emulator.json")
        assert "Finished server process" in _stop(emulator)
    finally:
        emulator.kill()
        emulator.communicate(timeout=30)


def _serve_one_answer(cwd: Path, emulator_json: Path) -> None:
    env = {**clean_env(cwd), "LOCUS_TEST_EMULATOR": str(emulator_json)}
    server = _start(cwd, env, "serve", f"{AGENT}:agent", "--port", "0")
    try:
        assert server.stdout is not None
        listening = read_line(server.stdout, "locus serve says it listens")
        found = re.match(r"locus serve listening on (http://\S+)", listening)
        assert found is not None
        base = found.group(1)
        name = httpx.get(f"{base}/v1/models", timeout=30).json()["data"][0]["id"]
        body = {
            "model": name,
            "messages": [
                {"role": "user", "content": "Use the add_two_numbers tool to add 2 and 3."}
            ],
        }
        answer = httpx.post(f"{base}/v1/chat/completions", json=body, timeout=60).json()
        assert "5" in answer["choices"][0]["message"]["content"]
        _stop(server)
    finally:
        server.kill()
        server.communicate(timeout=30)
