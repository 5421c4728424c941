"""The emulator in a separate process (as the benchmarks run it), driven by its admin route."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

__all__ = ["EmulatorProcess", "emulator_process"]

_START_TIMEOUT = 30.0


class EmulatorProcess:
    """What a test needs from a running ``python -m locus.emulator``: its info and admin route."""

    def __init__(self, info: dict[str, Any], proc: subprocess.Popen[bytes]) -> None:
        self.info = info
        self.proc = proc

    @property
    def url(self) -> str:
        return str(self.info["url"])

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def admin(self, action: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """POST ``/admin/<action>`` (GET for ``state``) and return the emulator's state."""
        url = f"{self.url}/admin/{action}"
        if action == "state":
            response = httpx.get(url, timeout=10)
        else:
            response = httpx.post(url, json=body or {}, timeout=10)
        response.raise_for_status()
        return dict(response.json())


@contextmanager
def emulator_process(state_dir: Path, *extra_args: str) -> Iterator[EmulatorProcess]:
    """Start the emulator on a free port with ``state_dir``; stop it (SIGTERM) afterwards."""
    cmd = [sys.executable, "-m", "locus.emulator", "--port", "0", "--state-dir", str(state_dir)]
    cmd += ["--log-level", "warning", *extra_args]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    try:
        yield EmulatorProcess(_wait_for_info(state_dir / "emulator.json", proc), proc)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _wait_for_info(path: Path, proc: subprocess.Popen[bytes]) -> dict[str, Any]:
    """Poll for ``emulator.json``, which the emulator writes once it is listening."""
    deadline = time.monotonic() + _START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the emulator exited with code {proc.returncode}")
        if path.exists():
            try:
                return dict(json.loads(path.read_text()))
            except json.JSONDecodeError:
                pass  # still being written
        time.sleep(0.05)
    raise RuntimeError(f"the emulator did not start within {_START_TIMEOUT} s")
