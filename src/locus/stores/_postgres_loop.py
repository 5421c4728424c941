"""A PostgreSQL store's connections on one event loop, closed by themselves when it ends.

The data pool is psycopg_pool's, and a pool runs background tasks on its loop: workers that
make and replace connections, and a scheduler. A worker caught making a connection when the
loop ends swallows the loop's cancellation and waits for its next task, so ``asyncio.run``
never returns; a loop closed with them still pending prints "Task was destroyed but it is
pending!" for each. A program should ``aclose()`` its store, but an agent given a URL has
no place to, and a program stopped by Ctrl-C or by an error seldom does. So these close
themselves at the first of the loop's two last steps:

- ``asyncio.run`` (and ``asyncio.Runner``) cancel every task left: a watcher task that
  waits for nothing is one of them, and closes the connections as it is cancelled (the
  pool's ``close()`` tells its workers to stop, the one that swallowed its cancellation
  too, and waits for them);
- the loop finalises its async generators (``shutdown_asyncgens()``; Locus's sync loop
  does this at exit, without cancelling tasks): a guard generator has the watcher do it.

The pool keeps growing on demand (from one connection up to ``max_connections``): a
pool of fixed size would have no growing to be caught in, but psycopg_pool hands out its
connections in turn, and going round ten server sessions made sequential appends 10-15%
slower than reusing one (benchmarks/stores.py). Lock connections are made inline by the
runs that need them (``_postgres_locks``). Once closed, the store opens new connections on
the next loop that uses it (a second ``asyncio.run``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING, Any

from locus.stores._postgres_locks import LockConnections

if TYPE_CHECKING:
    from psycopg import AsyncConnection
    from psycopg_pool import AsyncConnectionPool

__all__ = ["LoopConnections"]

POOL_NAME = "locus-thread-store"


class _CancelledConnects(logging.Filter):
    """Drops psycopg_pool's "error connecting" warning for a connect of our pool that was
    cancelled: the loop's end cancels the one a growing pool was making; nothing failed."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args if isinstance(record.args, tuple) else ()
        return not (
            record.msg == "error connecting in %r: %s"
            and len(args) == 2
            and args[0] == POOL_NAME
            and isinstance(args[1], asyncio.CancelledError)
        )


logging.getLogger("psycopg.pool").addFilter(_CancelledConnects())

_live: set[LoopConnections] = set()
"""Connections not closed yet: a store let go of without ``aclose()`` still has its
connections closed when their loop ends (a pending task nothing refers to is collected)."""


class LoopConnections:
    """The data pool and the lock connections of one store on ``loop``."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        data: AsyncConnectionPool[AsyncConnection[Any]],
        locks: LockConnections,
    ) -> None:
        self.loop = loop
        self.data = data
        self.locks = locks
        self.closed = False
        self._watcher = loop.create_task(self._watch(), name="locus-postgres-store-closer")
        self._guard = self._until_loop_shutdown()

    @classmethod
    async def open(
        cls, dsn: str, max_connections: int, max_locks: int, connect_timeout: float
    ) -> LoopConnections:
        """The running loop's connections (the data pool's first one made before this returns)."""
        from psycopg_pool import AsyncConnectionPool

        data: AsyncConnectionPool[AsyncConnection[Any]] = AsyncConnectionPool(
            dsn,
            min_size=1,
            max_size=max_connections,
            kwargs={"autocommit": True, "connect_timeout": max(int(connect_timeout), 1)},
            name=POOL_NAME,
            open=False,
        )
        await data.open(wait=True, timeout=max(connect_timeout, 1.0))
        made = cls(
            asyncio.get_running_loop(), data, LockConnections(dsn, max_locks, connect_timeout)
        )
        await anext(made._guard)  # registers it with the loop's async-generator hooks
        _live.add(made)
        return made

    async def close(self) -> None:
        """Close them now (``aclose()``); from another thread's loop, ask theirs to."""
        if asyncio.get_running_loop() is not self.loop:
            if not self.loop.is_closed():
                self.loop.call_soon_threadsafe(self._watcher.cancel)
            return
        self._watcher.cancel()
        await asyncio.wait([self._watcher])
        await self._guard.aclose()

    def let_go(self) -> None:
        """Forget them: their loop was closed without ending its tasks (nothing can run
        on it any more; their sockets close with the objects)."""
        self.closed = True
        _live.discard(self)

    async def sweep(self) -> None:
        """After a broken connection, drop the other dead ones, so a retry works."""
        if self.closed or asyncio.get_running_loop() is not self.loop:
            return
        with contextlib.suppress(Exception):
            await self.data.check()
        await self.locks.sweep()

    async def _watch(self) -> None:
        try:
            await self.loop.create_future()  # never done: it ends when cancelled
        finally:
            self.closed = True
            _live.discard(self)
            with contextlib.suppress(Exception):
                await self.locks.close()
            with contextlib.suppress(Exception):
                await self.data.close()

    async def _until_loop_shutdown(self) -> AsyncGenerator[None, None]:
        try:
            yield
        finally:
            self._watcher.cancel()
            await asyncio.wait([self._watcher])
