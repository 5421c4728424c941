"""Run the real ``locus`` command in a subprocess, as a new user would: in a scratch
directory, with no OCI_* or LOCUS_* variables and a HOME of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

__all__ = ["ECHO_AGENT", "clean_env", "locus", "mistake"]

ECHO_AGENT = "from locus.agent import Agent\n\nagent = Agent(model='mock:echo', name='echo')\n"
"""A module that defines ``agent``: an agent answering with the prompt, offline."""


def clean_env(home: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("OCI_", "LOCUS_")) and key != "FORWARDED_ALLOW_IPS"
    }
    env["HOME"] = str(home)
    return env


def locus(
    cwd: Path,
    *args: str,
    timeout: float = 60,
    env: dict[str, str] | None = None,
    as_script: bool = False,
) -> subprocess.CompletedProcess[str]:
    """``locus ARGS`` run to its end in ``cwd`` (stdin empty; ``env`` added to a clean one).
    ``as_script``: the current directory is not on ``sys.path`` at start (``python -P``),
    as with the installed ``locus`` script, until the command puts it there."""
    python = [sys.executable, "-P"] if as_script else [sys.executable]
    return subprocess.run(
        [*python, "-m", "locus.cli", *args],
        cwd=cwd,
        env={**clean_env(cwd), **(env or {})},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def mistake(done: subprocess.CompletedProcess[str], status: int) -> str:
    """The last line of stderr, once the command exited ``status`` without a traceback."""
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == status, (done.returncode, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert lines, "nothing said on stderr"
    return lines[-1]
