"""PostgreSQL: a ``delete`` racing an ``append`` in flight in another process; lock waits."""

from __future__ import annotations

import asyncio
from typing import Any

import psycopg
import pytest

from locus.core.errors import ThreadConflictError
from locus.core.messages import Message, dump_messages
from locus.stores import PostgresThreadStore
from locus.stores import _postgres_sql as sql


async def _wait_for_a_blocked_backend(admin: psycopg.AsyncConnection[Any]) -> None:
    for _ in range(500):
        cursor = await admin.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
        row = await cursor.fetchone()
        if row is not None and row[0] > 0:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the delete never waited for the append's row lock")


async def test_a_delete_racing_an_append_leaves_no_orphan_batch(postgres_dsn: str) -> None:
    """Before: the delete removed the messages first (not seeing the append's uncommitted
    batch), then waited for the thread row; the append committed, the delete removed the
    row, and the batch stayed behind without its thread: ``load`` still returned it,
    ``list_threads`` did not, and the thread's next appends restarted the numbering and
    failed with a duplicate key (a StoreError) once they reached the orphan's number."""
    store = PostgresThreadStore(postgres_dsn)
    try:
        await store.append("t", [Message.user("one")])
        await store.append("t", [Message.user("two")])
        async with (
            await psycopg.AsyncConnection.connect(postgres_dsn) as other,
            await psycopg.AsyncConnection.connect(postgres_dsn, autocommit=True) as admin,
        ):
            # another process's append, as the store runs it, stopped before its COMMIT
            cursor = await other.execute(sql.BUMP_THREAD, {"t": "t", "m": None, "step": 1})
            row = await cursor.fetchone()
            assert row is not None
            body = dump_messages([Message.user("in flight")])
            await other.execute(sql.APPEND_BATCH, ("t", row[0], body))
            deleting = asyncio.ensure_future(store.delete("t"))
            await _wait_for_a_blocked_backend(admin)
            await other.commit()
            await deleting
        assert await store.load("t") == []
        assert await store.list_threads() == []
        fresh = [[Message.user(f"new {i}")] for i in range(4)]
        for batch in fresh:
            await store.append("t", batch)
        assert await store.load("t") == [m for batch in fresh for m in batch]
    finally:
        await store.aclose()


async def test_a_lock_wait_for_a_free_lock_connection_says_so(postgres_dsn: str) -> None:
    """Before: "thread 'other' is locked by another run", though no run held it: every
    one of the store's ``max_locks`` connections was holding another thread's lock."""
    store = PostgresThreadStore(postgres_dsn, max_locks=2)
    release = asyncio.Event()
    held = [asyncio.Event(), asyncio.Event()]

    async def hold(i: int) -> None:
        async with store.lock(f"busy-{i}"):
            held[i].set()
            await release.wait()

    holders = [asyncio.ensure_future(hold(i)) for i in range(2)]
    try:
        await asyncio.wait_for(asyncio.gather(*(e.wait() for e in held)), 30)
        with pytest.raises(ThreadConflictError, match=r"all 2 lock connections.*max_locks"):
            async with store.lock("other", timeout=0.3):
                raise AssertionError("a third lock with two connections")
    finally:
        release.set()
        await asyncio.gather(*holders)
    async with store.lock("other", timeout=10):  # a connection came free
        pass
    await store.aclose()


async def test_a_writer_whose_lock_connection_broke_cannot_set_metadata(postgres_dsn: str) -> None:
    """Before: ``append`` refused a holder whose lock's session had ended (so another run
    may hold the thread now), but ``set_metadata`` wrote the metadata all the same."""
    store = PostgresThreadStore(postgres_dsn)
    try:
        async with store.lock("t"):
            await store.set_metadata("t", {"by": "holder"})
            async with await psycopg.AsyncConnection.connect(postgres_dsn, autocommit=True) as a:
                await a.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks "
                    "WHERE locktype = 'advisory' AND granted AND database = "
                    "(SELECT oid FROM pg_database WHERE datname = current_database())"
                )
            with pytest.raises(ThreadConflictError, match="another run may have taken"):
                await store.append("t", [Message.user("late")])
            with pytest.raises(ThreadConflictError, match="another run may have taken"):
                await store.set_metadata("t", {"by": "stale holder"})
            with pytest.raises(ThreadConflictError, match="another run may have taken"):
                await store.delete("t")  # before, it deleted what another run may hold
            assert await store.get_metadata("t") == {"by": "holder"}
    finally:
        await store.aclose()


async def test_a_write_in_flight_while_paging_is_the_one_documented_exception(
    postgres_dsn: str,
) -> None:
    """The exception docs/conversations.md states for PostgreSQL's paging: a write that
    took its change number before the first page and commits after it lands behind the
    cursor, so its thread is listed once more; the threads no one wrote come exactly once,
    and the pager ends. (A fix must change the docs with this test.)"""
    store = PostgresThreadStore(postgres_dsn)
    try:
        for tid in ("a", "b", "c"):
            await store.append(tid, [Message.user(tid)])
        async with await psycopg.AsyncConnection.connect(postgres_dsn) as slow:
            await slow.execute(sql.BUMP_THREAD, {"t": "a", "m": None, "step": 0})
            await store.append("d", [Message.user("d")])  # a later number, committed first
            listed, cursor = await store.page_threads(limit=1, oldest_first=True)
            await slow.commit()
        for _ in range(1000):  # (a pager that never ends fails, not hangs)
            if cursor is None:
                break
            page, cursor = await store.page_threads(limit=1, cursor=cursor, oldest_first=True)
            listed += page
        assert cursor is None, "the pager does not end"
        assert [t for t in listed if t != "a"] == ["b", "c", "d"]
        assert listed.count("a") == 2
    finally:
        await store.aclose()
