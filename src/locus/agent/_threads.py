"""Thread access for a run: the store behind ``thread_store=`` and the per-thread lock.

A run on a thread holds the thread's lock from load to append, so two runs on one
thread never interleave. A store with a ``lock(thread_id, timeout=...)`` method (the
stores of ``locus.stores``) supplies its own, which also excludes other processes and
machines; a user's two-method store gets a lock that is local to this process.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from locus.core.errors import ThreadConflictError

__all__ = ["default_store", "open_store", "thread_lock"]


def open_store(spec: Any) -> Any:
    """The store for ``Agent(thread_store=...)``: a URL, a store, or ``None`` (the
    default in-memory store, made by ``default_store`` when first used)."""
    if spec is None:
        return None
    from locus.stores import open_thread_store

    return open_thread_store(spec)


def default_store() -> Any:
    """A new in-memory store: an agent's ``thread_store`` when none was given."""
    from locus.stores import InMemoryThreadStore

    return InMemoryThreadStore()


def thread_lock(
    store: Any, thread_id: str, timeout: float | None
) -> AbstractAsyncContextManager[None]:
    """The lock a run on ``thread_id`` holds; ``ThreadConflictError`` after ``timeout`` s."""
    lock = getattr(store, "lock", None)
    if lock is not None:
        held: AbstractAsyncContextManager[None] = lock(thread_id, timeout=timeout)
        return held
    return _local_lock((id(store), thread_id), timeout)


_local: dict[tuple[int, str], tuple[asyncio.Lock, int]] = {}


@asynccontextmanager
async def _local_lock(key: tuple[int, str], timeout: float | None) -> AsyncIterator[None]:
    lock, users = _local.get(key, (None, 0))
    lock = lock if lock is not None else asyncio.Lock()
    _local[key] = (lock, users + 1)
    try:
        try:
            async with asyncio.timeout(timeout):
                await lock.acquire()
        except TimeoutError:
            raise ThreadConflictError(
                f"thread {key[1]!r} is busy with another run and did not come free within "
                f"{timeout} s; try again, or give the run a longer timeout"
            ) from None
        try:
            yield
        finally:
            lock.release()
    finally:
        lock, users = _local[key]
        if users <= 1:
            del _local[key]
        else:
            _local[key] = (lock, users - 1)
