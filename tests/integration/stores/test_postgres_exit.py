"""A program that used a PostgreSQL store's thread lock and ends without closing the store
still exits: the lock pool returned each connection through a background reset task
(``pg_advisory_unlock_all``), and when the event loop ended while that task ran, it never
let ``asyncio.run`` finish (every such program hung; ``locus serve`` did at SIGTERM)."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.integration.stores.services import ROOT

PROGRAM = """
import asyncio, sys
from locus.stores import PostgresThreadStore

async def main(dsn):
    store = PostgresThreadStore(dsn)
    for thread in ("t1", "t2"):
        async with store.lock(thread):
            await store.append(thread, [])
    # no aclose(): the loop ends right after the last lock is let go of

asyncio.run(main(sys.argv[1]))
print("exited")
"""


def test_a_program_that_leaves_its_store_open_after_a_lock_still_exits(postgres_dsn: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for _ in range(3):
        try:
            done = subprocess.run(
                [sys.executable, "-c", PROGRAM, postgres_dsn],
                capture_output=True,
                text=True,
                timeout=30,
                env=env,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise AssertionError("the program did not exit within 30 s of its end") from None
        assert (done.returncode, done.stdout.strip()) == (0, "exited"), done.stderr[-2000:]
