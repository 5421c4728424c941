"""docs/serving.md's "Run it" recipe, as a user runs it: ``locus emulator --state-dir
.emu`` in a folder, the page's own ``my_agents.py`` saved beside it, then ``locus chat``
(piped) and ``locus serve`` answering a tool call with 42. The page's console blocks are
not run by the docs test, so this one does what they say."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.deadlines import read_line

ROOT = Path(__file__).resolve().parents[3]
PAGE = ROOT / "docs" / "serving.md"


def _emulator_recipe() -> str:
    """The page's first ``my_agents.py`` (the one against the emulator)."""
    blocks: list[str] = re.findall(r"```python\n(.*?)```", PAGE.read_text(), re.S)
    found = [block for block in blocks if block.startswith("# my_agents.py (against the emulator)")]
    assert len(found) == 1, "docs/serving.md lost its emulator my_agents.py"
    return found[0]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OCI_", "LOCUS_SERVE"))}
    env["PYTHONPATH"] = str(ROOT / "src")  # (the package, as installed)
    return env


@contextlib.contextmanager
def _started(cmd: list[str], cwd: Path, what: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    proc = subprocess.Popen(
        cmd,
        cwd=cwd,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert proc.stdout is not None
        line = read_line(proc.stdout, what)
        found = re.search(r"listening on (http://\S+)", line)
        assert found, f"{what}: {line!r}"
        yield proc, found.group(1)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


@pytest.fixture
def folder(tmp_path: Path) -> Iterator[Path]:
    """The user's folder: the emulator running with its state in ``.emu``, and the page's
    ``my_agents.py``."""
    cmd = [sys.executable, "-m", "locus.cli", "emulator", "--state-dir", ".emu", "--port", "0"]
    cmd += ["--log-level", "warning"]
    with _started(cmd, tmp_path, "locus emulator says where it listens"):
        (tmp_path / "my_agents.py").write_text(_emulator_recipe())
        yield tmp_path


def test_locus_chat_on_the_pages_agent_calls_the_tool(folder: Path) -> None:
    cmd = [sys.executable, "-m", "locus.cli", "chat", "my_agents:support"]
    done = subprocess.run(
        cmd,
        cwd=folder,
        env=_env(),
        input="add 7 and 35\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "add_two_numbers(a=7, b=35)" in done.stdout
    assert "The result of add_two_numbers is 42." in done.stdout


def test_locus_serve_on_the_pages_agent_answers_with_a_tool_call(folder: Path) -> None:
    cmd = [sys.executable, "-m", "locus.cli", "serve", "my_agents:support", "--port", "0"]
    with _started(cmd, folder, "locus serve says where it listens") as (proc, url):
        body = {"model": "support", "messages": [{"role": "user", "content": "add 7 and 35"}]}
        answer = httpx.post(url + "/v1/chat/completions", json=body, timeout=60)
        assert answer.status_code == 200, answer.text
        assert answer.json()["choices"][0]["message"]["content"] == (
            "The result of add_two_numbers is 42."
        )
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
