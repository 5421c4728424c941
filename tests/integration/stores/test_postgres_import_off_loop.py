"""A PostgreSQL store's first use imports its driver (psycopg, psycopg_pool: about 0.1 s)
in a worker thread, not on the event loop, which would otherwise stall every other task
of a server for that long. Checked in a fresh interpreter, where neither is imported yet."""

from __future__ import annotations

import subprocess
import sys

_PROGRAM = """
import asyncio, sys, threading
seen = {}
def watch(event, args):  # the "import" audit event: a module being loaded, in this thread
    if event == "import" and args[0] in ("psycopg", "psycopg_pool") and args[0] not in seen:
        seen[args[0]] = threading.current_thread() is threading.main_thread()
sys.addaudithook(watch)
from locus.core.messages import Message
from locus.stores import PostgresThreadStore

async def main():
    store = PostgresThreadStore(sys.argv[1])
    await store.append("t", [Message.user("hello")])
    assert [m.content for m in await store.load("t")] == ["hello"]
    await store.aclose()

asyncio.run(main())
print(sorted(seen.items()))
"""


def test_the_driver_is_imported_off_the_event_loop(postgres_dsn: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _PROGRAM, postgres_dsn], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[('psycopg', False), ('psycopg_pool', False)]"
