"""SQLite: a lock held by a process that was killed, on the same machine."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from locus.core.messages import Message
from locus.stores import SQLiteThreadStore
from tests.deadlines import read_line
from tests.integration.stores.services import ROOT


async def test_a_killed_holders_lock_is_taken_at_once_not_after_its_lease(
    tmp_path: Path,
) -> None:
    """Before: a thread whose holder was killed stayed locked until its lease expired
    (30 s by default), so this 5 s wait failed with ThreadConflictError. A holder on this
    machine (same host and PID namespace) whose process is gone is now seen as dead."""
    path = tmp_path / "threads.db"
    store = SQLiteThreadStore(path)  # the default 30 s lease, here and in the holder
    await store.append("t", [Message.user("x")])
    holder = subprocess.Popen(
        [sys.executable, "-m", "tests.integration.stores._proc", "hold", f"sqlite:///{path}", "t"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )
    assert holder.stdout is not None
    assert read_line(holder.stdout, "the holder says it holds the lock").strip() == "held"
    holder.kill()
    holder.communicate(timeout=30)
    started = time.monotonic()
    async with store.lock("t", timeout=5):
        waited = time.monotonic() - started
    assert waited < 5
    await store.aclose()
