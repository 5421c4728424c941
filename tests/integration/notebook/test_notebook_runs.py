"""Run the seed notebook as a user would, against the embedded emulator, and read its output."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

NOTEBOOK = REPO_ROOT / "examples" / "notebook_04_oci_dac.py"


def _run(*args: str, pythonpath: str | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OCI_")}
    if pythonpath is not None:
        env["PYTHONPATH"] = pythonpath
    proc = subprocess.run(
        [sys.executable, str(NOTEBOOK), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO_ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    # a clean run leaves nothing open: no "Unclosed client session/connector" at exit
    assert "Unclosed" not in proc.stderr, proc.stderr
    return proc.stdout


def _part(output: str, number: int) -> str:
    chunks = re.split(r"=== Part (\d)", output)
    parts = {int(chunks[i]): chunks[i + 1] for i in range(1, len(chunks), 2)}
    return parts[number]


@pytest.fixture(scope="module")
def output() -> str:
    return _run()


def test_says_it_uses_the_emulator(output: str) -> None:
    first = output.splitlines()[0]
    assert "emulator" in first and "http://127.0.0.1:" in first


def test_part1_routing_table(output: str) -> None:
    part = _part(output, 1)
    assert "ocid1.generativeaiendpoint.<region>....  -> OCIModel (OCI SDK)" in part
    assert "-> OCIChatCompletionsModel" in part


def test_part2_agent_on_ocimodel(output: str) -> None:
    part = _part(output, 2)
    assert "underlying model class: OCIModel" in part
    assert "Agent configured against DAC endpoint in us-chicago-1." in part


def test_part3_complete_prints_reply_usage_stop_reason(output: str) -> None:
    part = _part(output, 3)
    reply = re.search(r"Reply: '(.+)'", part)
    assert reply and reply.group(1).strip()
    usage = re.search(r"usage: \{'prompt_tokens': (\d+), 'completion_tokens': (\d+)", part)
    assert usage and int(usage.group(1)) > 0 and int(usage.group(2)) > 0
    assert "stop_reason: stop" in part


def test_part4_streams_the_count(output: str) -> None:
    part = _part(output, 4)
    assert "1, 2, 3, 4, 5" in part


def test_part5_calls_the_tool_once_and_answers_42(output: str) -> None:
    part = _part(output, 5)
    final = re.search(r"final message: (.*)", part)
    assert final and "42" in final.group(1)
    assert "<tool_call>" not in part
    assert "iterations: 2" in part
    assert "locus tool calls: 1" in part


def test_no_emulator_flag_keeps_the_seed_behaviour() -> None:
    out = _run("--no-emulator")
    assert "emulator" not in out.splitlines()[0]
    assert "OCI_DAC_ENDPOINT_OCID / OCI_DAC_COMPARTMENT_ID not set." in out
    assert out.count("Skipping — env vars not set.") == 3


def test_without_the_emulator_extra_it_says_so_and_keeps_the_seed_behaviour(
    tmp_path: Path,
) -> None:
    # `pip install -e ".[oci]"` (the seed's set-up) has no Starlette: hide it from the child.
    blocked = tmp_path / "starlette"
    blocked.mkdir()
    (blocked / "__init__.py").write_text('raise ImportError("starlette is not installed")\n')
    out = _run(pythonpath=str(tmp_path))
    assert "the local emulator is not installed" in out.splitlines()[0]
    assert 'pip install -e ".[emulator]"' in out.splitlines()[0]
    assert out.count("Skipping — env vars not set.") == 3
