"""A per-key lock for one process that works across event loops and OS threads.

The stores take it before their cross-process lock, so waiters in one process queue in
order (first come, first served) instead of polling the database. Ownership is handed
directly to the next waiter on release; a waiter that gives up (timeout, cancellation)
after being handed the lock passes it on.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from locus.core.errors import ThreadConflictError

__all__ = ["KeyedLock", "lock_timeout_error"]


@dataclass(eq=False)
class _Waiter:
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[None]
    granted: bool = False


@dataclass
class KeyedLock:
    """``async with keyed.hold(key, timeout)``: one holder per key in this process."""

    _mutex: threading.Lock = field(default_factory=threading.Lock)
    _held: set[str] = field(default_factory=set)
    _waiters: dict[str, deque[_Waiter]] = field(default_factory=dict)

    def locked(self, key: str) -> bool:
        return key in self._held

    @asynccontextmanager
    async def hold(self, key: str, timeout: float | None) -> AsyncIterator[None]:
        await self.acquire(key, timeout)
        try:
            yield
        finally:
            self.release(key)

    async def acquire(self, key: str, timeout: float | None) -> None:
        loop = asyncio.get_running_loop()
        with self._mutex:
            if key not in self._held:
                self._held.add(key)
                return
            waiter = _Waiter(loop, loop.create_future())
            self._waiters.setdefault(key, deque()).append(waiter)
        try:
            async with asyncio.timeout(timeout):
                await waiter.future
        except BaseException as exc:
            self._give_up(key, waiter)
            if isinstance(exc, TimeoutError):
                raise lock_timeout_error(key, timeout) from None
            raise

    def release(self, key: str) -> None:
        with self._mutex:
            queue = self._waiters.get(key)
            while queue:
                waiter = queue.popleft()
                if not queue:
                    del self._waiters[key]
                try:
                    waiter.loop.call_soon_threadsafe(_wake, waiter.future)
                except RuntimeError:  # its event loop is closed: it will never run
                    continue
                waiter.granted = True
                return
            self._held.discard(key)

    def _give_up(self, key: str, waiter: _Waiter) -> None:
        with self._mutex:
            if not waiter.granted:
                queue = self._waiters.get(key)
                if queue is not None:
                    queue.remove(waiter)
                    if not queue:
                        del self._waiters[key]
                return
        self.release(key)  # it was handed to us as we gave up: pass it on


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def lock_timeout_error(thread_id: str, timeout: float | None) -> ThreadConflictError:
    """The error for a lock not taken in time."""
    return ThreadConflictError(
        f"thread {thread_id!r} is locked by another run and was not released within "
        f"{timeout} s; try again later, or give lock() a longer timeout"
    )
