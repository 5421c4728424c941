"""Run the emulator in a separate process, so client and server never share an event loop."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

__all__ = ["configure", "emulator_process"]


@contextmanager
def emulator_process(*extra_args: str) -> Iterator[dict[str, Any]]:
    """Start ``python -m locus.emulator`` on a free port; yield its ``emulator.json``."""
    with tempfile.TemporaryDirectory(prefix="locus-bench-") as state:
        info_path = Path(state) / "emulator.json"
        cmd = [sys.executable, "-m", "locus.emulator", "--port", "0", "--state-dir", state]
        proc = subprocess.Popen([*cmd, *extra_args], stdout=subprocess.DEVNULL)
        try:
            info = _wait_for(info_path, proc)
            info["pid"] = proc.pid  # (emulator_rps reads the emulator's CPU time from /proc)
            yield info
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def _wait_for(path: Path, proc: subprocess.Popen[bytes]) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"emulator exited with {proc.returncode}")
        if path.exists():
            try:
                return dict(json.loads(path.read_text()))
            except json.JSONDecodeError:
                pass  # being written
        time.sleep(0.05)
    raise RuntimeError("emulator did not start within 30 s")


def configure(info: dict[str, Any], **settings: float | int | bool) -> None:
    """Change the emulator's run-time settings (latency, chunk_chars, ...) via ``/admin``."""
    response = httpx.post(f"{info['url']}/admin/settings", json=settings, timeout=10)
    response.raise_for_status()
