"""After a burst of runs on many threads, a PostgreSQL store keeps a few lock connections
for reuse (``KEEP_IDLE``), not one per thread of the burst: nothing in the background closes
them later, and each is a server session (PostgreSQL allows 100 by default)."""

from __future__ import annotations

import asyncio

import psycopg

from locus.stores import PostgresThreadStore
from locus.stores._postgres_locks import KEEP_IDLE
from tests.deadlines import wait_until


def _sessions(admin_dsn: str, dbname: str) -> int:
    with psycopg.connect(admin_dsn, autocommit=True) as admin:
        row = admin.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (dbname,),
        ).fetchone()
    assert row is not None
    return int(row[0])


async def test_a_burst_on_30_threads_leaves_a_few_lock_connections(postgres_dsn: str) -> None:
    store = PostgresThreadStore(postgres_dsn)
    dbname = psycopg.conninfo.conninfo_to_dict(postgres_dsn)["dbname"]
    try:
        held = asyncio.Event()
        release = asyncio.Event()
        inside = 0

        async def run(thread: str) -> None:
            nonlocal inside
            async with store.lock(thread):
                inside += 1
                if inside == 30:
                    held.set()
                await release.wait()

        runs = [asyncio.create_task(run(f"t-{i}")) for i in range(30)]
        await held.wait()
        during = await asyncio.to_thread(_sessions, postgres_dsn, str(dbname))
        release.set()
        await asyncio.gather(*runs)
        assert during >= 30  # each held lock is a session

        async def settled() -> bool:  # (a closed session's server process ends a moment later)
            after = await asyncio.to_thread(_sessions, postgres_dsn, str(dbname))
            return after <= KEEP_IDLE + 1  # the kept ones and the data pool's

        await wait_until(settled, f"the store to keep at most {KEEP_IDLE} lock sessions")
        async with store.lock("t-0"):  # a kept one is reused
            pass
    finally:
        await store.aclose()
