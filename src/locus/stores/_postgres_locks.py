"""The connections that hold a PostgreSQL store's thread locks, made by the runs that use them.

A lock holds its connection for the length of a run, so these are not a psycopg_pool pool:
such a pool makes (and, when one is closed, replaces) connections in background tasks, and
one of those still connecting when a program's event loop ends keeps ``asyncio.run`` from
ever returning (the pool's worker swallows the loop's cancellation and waits for its next
task), which a program that took many locks at once, or was interrupted while holding
some, hit. Here a connection is made inline, in the task of the run that needs it (a
cancelled run cancels its own connect), and nothing runs in the background.

At most ``size`` connections exist at once (a run past them waits for one to be given
back). Given-back connections are kept and reused newest first, at most ``KEEP_IDLE`` of
them: a burst of runs on many threads makes up to ``size`` connections, and with nothing
in the background to close them later, keeping them all would hold that many server
sessions per process for as long as traffic stays quiet (PostgreSQL's default
``max_connections`` is 100). One left unused for ``IDLE_SECONDS`` is closed the next time
another is given back; one older than ``LIFETIME_SECONDS`` is closed instead of reused,
as psycopg_pool does.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from psycopg import AsyncConnection

__all__ = ["LockConnections"]

IDLE_SECONDS = 600.0
KEEP_IDLE = 8
"""Given-back lock connections kept for reuse; the ones past it are closed at once."""
LIFETIME_SECONDS = 3600.0


class LockConnections:
    """``take`` a connection (waiting while ``size`` are out); ``give_back`` or ``discard`` it."""

    def __init__(self, dsn: str, size: int, connect_timeout: float) -> None:
        self.size = size
        self._dsn = dsn
        self._connect_timeout = max(int(connect_timeout), 1)
        self._slots = asyncio.Semaphore(size)
        self._idle: list[tuple[float, float, AsyncConnection[Any]]] = []  # made, idle since
        self._made: dict[int, float] = {}
        self._closed = False

    async def take(self, timeout: float | None) -> AsyncConnection[Any]:
        """A connection of the caller's own; ``TimeoutError`` when none came free in time.

        Waiting for a free one counts against ``timeout``; making a new one does not (it is
        bounded by the connect timeout, and a failure is psycopg's ``OperationalError``).
        """
        async with asyncio.timeout(timeout):
            await self._slots.acquire()
        try:
            return await self._reuse() or await self._connect()
        except BaseException:
            self._slots.release()
            raise

    async def give_back(self, conn: AsyncConnection[Any]) -> None:
        """``conn``, holding no lock any more, is kept for the next ``take`` (or closed)."""
        from psycopg.pq import TransactionStatus

        try:
            idle = conn.info.transaction_status == TransactionStatus.IDLE
            if self._closed or conn.closed or not idle:
                await self._close(conn)
                return
            now = time.monotonic()
            self._idle.append((self._made.get(id(conn), now), now, conn))
            while self._idle and (
                len(self._idle) > KEEP_IDLE or now - self._idle[0][1] > IDLE_SECONDS
            ):
                await self._close(self._idle.pop(0)[2])
        finally:
            self._slots.release()

    async def discard(self, conn: AsyncConnection[Any]) -> None:
        """Close ``conn`` (its session's locks end with it) and free its place."""
        try:
            await self._close(conn)
        finally:
            self._slots.release()

    async def sweep(self) -> None:
        """Close the idle connections (after one broke: the others may be dead too)."""
        idle, self._idle = self._idle, []
        for _, _, conn in idle:
            await self._close(conn)

    async def close(self) -> None:
        """Close the idle connections; the ones out are closed as they are given back."""
        self._closed = True
        await self.sweep()

    async def _reuse(self) -> AsyncConnection[Any] | None:
        now = time.monotonic()
        while self._idle:
            made, _, conn = self._idle.pop()
            if not conn.closed and now - made < LIFETIME_SECONDS:
                return conn
            await self._close(conn)
        return None

    async def _connect(self) -> AsyncConnection[Any]:
        import psycopg

        conn = await psycopg.AsyncConnection.connect(
            self._dsn, autocommit=True, connect_timeout=self._connect_timeout
        )
        self._made[id(conn)] = time.monotonic()
        return conn

    async def _close(self, conn: AsyncConnection[Any]) -> None:
        self._made.pop(id(conn), None)
        await conn.close()
