"""``locus chat`` fed by a pipe (a script, CI, ``< questions.txt``): each line is a turn,
the end of input ends the chat, and nothing of a terminal's editing reaches the output (no
"Input is not a terminal" warning, no redrawn prompt)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.unit.cli._locus import ECHO_AGENT, clean_env


def _chat(cwd: Path, stdin: str) -> subprocess.CompletedProcess[str]:
    (cwd / "echo_agent.py").write_text(ECHO_AGENT)
    return subprocess.run(
        [sys.executable, "-m", "locus.cli", "chat", "echo_agent:agent"],
        cwd=cwd,
        env=clean_env(cwd),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_piped_lines_are_turns_and_the_end_of_input_ends_the_chat(tmp_path: Path) -> None:
    done = _chat(tmp_path, "hello there\n/new\nsecond line")  # (no newline at the end)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("locus chat with echo on thread chat-")
    assert lines[1:4] == ["you> hello there", "echo> hello there", "you> /new"]
    assert lines[4].startswith("[new thread chat-")
    assert lines[5:] == ["you> second line", "echo> second line", "you> "]
    assert "\r" not in done.stdout


def test_exit_stops_reading(tmp_path: Path) -> None:
    done = _chat(tmp_path, "/exit\nnever asked\n")
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout.splitlines()[1:] == ["you> /exit"]
