"""``SQLiteThreadStore``: threads in one SQLite file, the embedded default for one machine.

The stdlib ``sqlite3`` in WAL mode, on one worker thread per store (the event loop never
waits on the disk); several processes may share the file (every write is a short
``BEGIN IMMEDIATE`` transaction with a busy timeout). The per-thread ``lock`` is a
process-local queue in front of a lease row in the file (see ``_sqlite_lease``).
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, TypeVar

from locus.core.errors import ConfigurationError, StoreError
from locus.core.messages import Message, dump_messages
from locus.stores import _sqlite_db as sql
from locus.stores import _sqlite_lease as lease
from locus.stores._ids import check_thread_id, check_timeout, is_thread_id
from locus.stores._keyed_lock import KeyedLock, lock_timeout_error
from locus.stores._metadata import dump_metadata
from locus.stores._paging import first_page, page_query
from locus.stores._sqlite_errors import translate

__all__ = ["SQLiteThreadStore"]

T = TypeVar("T")
_MAX_POLL = 0.1


class SQLiteThreadStore:
    """Threads in a SQLite file at ``path`` (created with its schema on first use).

    ``lease_seconds`` is how long a lock outlives a holder that stopped renewing it (a
    crashed process); ``busy_timeout`` how long a write waits for another writer. The
    file's directory must exist (``ConfigurationError`` otherwise); a database that fails
    later raises ``StoreError`` naming the path and what to check.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        lease_seconds: float = 30.0,
        busy_timeout: float = 30.0,
    ) -> None:
        if lease_seconds <= 0 or busy_timeout <= 0:
            raise ConfigurationError("lease_seconds and busy_timeout must be positive seconds")
        self._path = os.fspath(path)
        _check_directory(self._path)
        self._lease = lease_seconds
        self._busy = busy_timeout
        self._db: sqlite3.Connection | None = None
        self._file: tuple[int, int] | None = None
        self._worker = ThreadPoolExecutor(1, thread_name_prefix="locus-sqlite")
        self._owner = lease.make_owner()
        self._locks = KeyedLock()
        self._held: set[str] = set()
        self._closed = False

    @property
    def path(self) -> str:
        return self._path

    def __repr__(self) -> str:
        return f"SQLiteThreadStore({self._path!r})"

    async def load(self, thread_id: str) -> list[Message]:
        if not is_thread_id(thread_id):
            return []  # no thread can have it
        return await self._call(sql.load, thread_id, action=f"load thread {thread_id!r}")

    async def append(self, thread_id: str, messages: Sequence[Message]) -> None:
        check_thread_id(thread_id)
        if not messages:
            return
        body = dump_messages(messages)
        owner = self._owner if thread_id in self._held else None
        await self._call(
            sql.append, thread_id, body, owner, action=f"append to thread {thread_id!r}"
        )

    async def delete(self, thread_id: str) -> None:
        if not is_thread_id(thread_id):
            return
        owner = self._owner if thread_id in self._held else None
        await self._call(sql.delete, thread_id, owner, action=f"delete thread {thread_id!r}")

    async def list_threads(self, *, limit: int = 100, prefix: str | None = None) -> list[str]:
        return await first_page(self, limit, prefix)

    async def page_threads(
        self,
        *,
        limit: int = 100,
        prefix: str | None = None,
        cursor: str | None = None,
        oldest_first: bool = False,
    ) -> tuple[list[str], str | None]:
        query = page_query(limit, prefix, cursor, oldest_first)
        if query.impossible:
            return [], None  # no thread id holds NUL or a lone surrogate
        return await self._call(sql.page_threads, query, action="list threads")

    async def get_metadata(self, thread_id: str) -> dict[str, Any]:
        if not is_thread_id(thread_id):
            return {}
        action = f"read metadata of thread {thread_id!r}"
        return await self._call(sql.get_metadata, thread_id, action=action)

    async def set_metadata(self, thread_id: str, metadata: Mapping[str, Any]) -> None:
        action = f"set metadata of thread {check_thread_id(thread_id)!r}"
        owner = self._owner if thread_id in self._held else None
        text = dump_metadata(metadata)
        await self._call(sql.set_metadata, thread_id, text, owner, action=action)

    def lock(
        self, thread_id: str, *, timeout: float | None = None
    ) -> AbstractAsyncContextManager[None]:
        """Exclude other runs on ``thread_id`` in every process using this file."""
        return self._hold(check_thread_id(thread_id), check_timeout(timeout))

    async def aclose(self) -> None:
        """Close the connection and stop the worker thread (idempotent)."""
        if self._closed:
            return
        self._closed = True
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._worker, self._close_db)
        self._worker.shutdown(wait=False)

    @asynccontextmanager
    async def _hold(self, thread_id: str, timeout: float | None) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        async with self._locks.hold(thread_id, timeout):
            await self._take_lease(thread_id, deadline, timeout)
            self._held.add(thread_id)
            renewer = asyncio.ensure_future(self._renew(thread_id))
            try:
                yield
            finally:
                renewer.cancel()
                self._held.discard(thread_id)
                release = self._call(
                    lease.release, thread_id, self._owner, action=f"unlock thread {thread_id!r}"
                )
                await asyncio.shield(release)

    async def _take_lease(
        self, thread_id: str, deadline: float | None, timeout: float | None
    ) -> None:
        try:
            await self._poll_lease(thread_id, deadline, timeout)
        except BaseException:
            # taken as we gave up, or still queued as the waiter: undo it, even if cancelled
            if not self._closed:  # (closed: the worker is gone, and nothing was taken)
                self._worker.submit(self._in_worker(lease.give_up), thread_id, self._owner)
            raise

    async def _poll_lease(
        self, thread_id: str, deadline: float | None, timeout: float | None
    ) -> None:
        loop = asyncio.get_running_loop()
        delay = 0.002
        action = f"lock thread {thread_id!r}"
        while not await self._call(
            lease.try_take, thread_id, self._owner, self._lease, action=action
        ):
            wait = delay if deadline is None else min(delay, deadline - loop.time())
            if wait <= 0:
                raise lock_timeout_error(thread_id, timeout)
            await asyncio.sleep(wait)
            delay = min(delay * 2, _MAX_POLL)

    async def _renew(self, thread_id: str) -> None:
        while True:
            await asyncio.sleep(self._lease / 3)
            try:
                renewed = await self._call(
                    lease.renew, thread_id, self._owner, self._lease, action="renew a lock"
                )
            except StoreError:
                continue  # (a busy or failing file) the next renewal may work; the lease
                # has two more periods to run
            if not renewed:
                return  # lost: the next append on this thread raises ThreadConflictError

    async def _call(self, fn: Callable[..., T], *args: Any, action: str) -> T:
        try:
            return await self._submit(fn, *args)
        except sqlite3.Error as exc:
            where = os.path.abspath(self._path)
            raise translate(exc, where, action, self._busy) from exc

    def _submit(self, fn: Callable[..., T], *args: Any) -> asyncio.Future[T]:
        if self._closed:
            raise ConfigurationError(f"{self!r} is closed; open a new store")
        loop = asyncio.get_running_loop()
        return loop.run_in_executor(self._worker, self._in_worker(fn), *args)

    def _in_worker(self, fn: Callable[..., T]) -> Callable[..., T]:
        def run(*args: Any) -> T:
            self._check_file()
            if self._db is None:
                self._db = sql.connect(self._path, self._busy)
                self._file = _identity(self._path)
            return fn(self._db, *args)

        return run

    def _check_file(self) -> None:
        """Follow a file replaced at the path; report one deleted (the open connection
        would go on writing to the deleted file, which no one else can see)."""
        if self._db is None or self._file is None or _identity(self._path) == self._file:
            return
        self._close_db()
        if not os.path.exists(self._path):
            where = os.path.abspath(self._path)
            raise StoreError(
                f"SQLite thread store {where!r}: the database file was deleted or moved while "
                "this store had it open, so the threads in it are no longer at this path and "
                "nothing was done; restore the file, or call again to start a new empty one",
                url=where,
            )

    def _close_db(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


def _identity(path: str) -> tuple[int, int] | None:
    """The file at ``path`` (device, inode); ``None`` when missing or not a plain file."""
    if path == ":memory:" or path.startswith("file:"):
        return None
    try:
        found = os.stat(path)
    except OSError:
        return None
    return (found.st_dev, found.st_ino)


def _check_directory(path: str) -> None:
    if path == ":memory:" or path.startswith("file:"):
        return
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise ConfigurationError(
            f"the SQLite thread store's directory {directory!r} (for {path!r}) does not exist "
            "or is not a directory: create it first (mkdir -p), or fix the path"
        )
