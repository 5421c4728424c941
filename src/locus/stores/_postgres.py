"""``PostgresThreadStore``: threads in PostgreSQL, for many processes and machines.

psycopg 3 (``psycopg[binary]`` and ``psycopg_pool``): typed (``mypy --strict`` sees the
driver), one async connection pool per store, and a plain connection object to hold a
session advisory lock on for the length of a run. ``lock`` takes a process-local queue
first, then ``pg_advisory_lock(hashtextextended(thread_id, 0))`` on a connection of its
own (``_postgres_locks``), with ``lock_timeout`` for the timeout; the lock lives as long
as that connection, so a crashed process releases it with its connection. The
connections belong to an event loop and close when it ends (``_postgres_loop``).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TYPE_CHECKING, Any

from locus.core.errors import (
    ConfigurationError,
    SerializationError,
    StoreUnavailableError,
    ThreadConflictError,
)
from locus.core.messages import Message, dump_messages, load_messages
from locus.stores import _postgres_sql as sql
from locus.stores._dsn import mask, scrub
from locus.stores._ids import check_thread_id, check_timeout, is_thread_id
from locus.stores._keyed_lock import KeyedLock, lock_timeout_error
from locus.stores._metadata import dump_metadata, load_metadata
from locus.stores._paging import finish, first_page, page_query
from locus.stores._postgres_errors import translate
from locus.stores._postgres_locks import LockConnections
from locus.stores._postgres_loop import LoopConnections
from locus.stores._schema import check_foreign_table

if TYPE_CHECKING:
    from psycopg import AsyncConnection

__all__ = ["PostgresThreadStore"]

_MAX_LOCK_TIMEOUT_MS = 2_147_483_647

_INSTALL = (
    "the PostgreSQL thread store needs psycopg 3 and psycopg_pool, which are not installed: "
    "pip install 'locus-oci[postgres]'"
)


class PostgresThreadStore:
    """Threads in the PostgreSQL database at ``dsn`` (a libpq URL or key=value string).

    Tables are created on first use (``locus_schema`` holds their version). The store's
    connections belong to the event loop that uses it, and close when that loop ends (a
    later loop opens new ones). ``max_connections`` is the size of the data pool, opened
    in full on first use; ``max_locks`` bounds the connections holding locks (runs on
    more threads at once wait for one).

    A database that fails raises ``StoreError`` (``StoreUnavailableError`` when it cannot
    be reached or the connection broke) naming the URL with its password masked.
    """

    def __init__(
        self,
        dsn: str,
        *,
        max_connections: int = 10,
        max_locks: int = 64,
        connect_timeout: float = 10.0,
    ) -> None:
        if max_connections < 1 or max_locks < 1 or connect_timeout <= 0:
            raise ConfigurationError(
                "max_connections and max_locks must be at least 1, connect_timeout positive"
            )
        _require_driver(dsn)
        self._dsn = dsn
        self._sizes = (max_connections, max_locks)
        self._connect_timeout = connect_timeout
        self._conns: LoopConnections | None = None
        self._opening: tuple[asyncio.AbstractEventLoop | None, asyncio.Lock] = (
            None,
            asyncio.Lock(),
        )
        self._locks = KeyedLock()
        self._held: dict[str, AsyncConnection[Any]] = {}
        self._closed = False

    def __repr__(self) -> str:
        return f"PostgresThreadStore({mask(self._dsn)!r})"

    async def load(self, thread_id: str) -> list[Message]:
        if not is_thread_id(thread_id):
            return []  # no thread can have it
        async with self._connection(f"load thread {thread_id!r}") as conn:
            rows = await (await conn.execute(sql.LOAD, (thread_id,))).fetchall()
        out: list[Message] = []
        for (body,) in rows:
            out.extend(load_messages(body))
        return out

    async def append(self, thread_id: str, messages: Sequence[Message]) -> None:
        check_thread_id(thread_id)
        if not messages:
            return
        body = dump_messages(messages)
        await self._check_lock_alive(thread_id)
        async with self._connection(f"append to thread {thread_id!r}", transaction=True) as conn:
            cursor = await conn.execute(sql.BUMP_THREAD, {"t": thread_id, "m": None, "step": 1})
            row = await cursor.fetchone()
            assert row is not None
            await conn.execute(sql.APPEND_BATCH, (thread_id, row[0], body))

    async def delete(self, thread_id: str) -> None:
        if not is_thread_id(thread_id):
            return
        await self._check_lock_alive(thread_id)
        async with self._connection(f"delete thread {thread_id!r}", transaction=True) as conn:
            # the thread row first: its row lock waits out an append in flight, whose
            # batch the messages' DELETE (a later statement, a fresh snapshot) then sees
            await conn.execute(sql.DELETE_THREAD, (thread_id,))
            await conn.execute(sql.DELETE_MESSAGES, (thread_id,))

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
        async with self._connection("list threads", transaction=True) as conn:
            until = query.until
            if query.oldest_first and until is None:
                row = await (await conn.execute(sql.MAX_CHANGED)).fetchone()
                until = 0 if row is None else int(row[0])
            statement, args = sql.page(query, until)
            rows = await (await conn.execute(statement, args)).fetchall()
        return finish(query, [(int(c), t) for c, t in rows], until)

    async def get_metadata(self, thread_id: str) -> dict[str, Any]:
        if not is_thread_id(thread_id):
            return {}
        async with self._connection(f"read metadata of thread {thread_id!r}") as conn:
            row = await (await conn.execute(sql.GET_METADATA, (thread_id,))).fetchone()
        return {} if row is None else load_metadata(row[0])

    async def set_metadata(self, thread_id: str, metadata: Mapping[str, Any]) -> None:
        check_thread_id(thread_id)
        text = dump_metadata(metadata)
        await self._check_lock_alive(thread_id)
        async with self._connection(f"set metadata of thread {thread_id!r}") as conn:
            await conn.execute(sql.SET_METADATA, {"t": thread_id, "m": text, "step": 0})

    def lock(
        self, thread_id: str, *, timeout: float | None = None
    ) -> AbstractAsyncContextManager[None]:
        """Exclude other runs on ``thread_id`` in every process using this database."""
        return self._hold(check_thread_id(thread_id), check_timeout(timeout))

    async def aclose(self) -> None:
        """Close the connections (idempotent)."""
        self._closed = True
        conns, self._conns = self._conns, None
        if conns is not None:
            await conns.close()

    @asynccontextmanager
    async def _hold(self, thread_id: str, timeout: float | None) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        async with self._locks.hold(thread_id, timeout):
            async with self._translated(f"lock thread {thread_id!r}"):
                locks = (await self._open()).locks
                remaining = None if deadline is None else max(deadline - loop.time(), 0.001)
                conn = await _take(locks, remaining, thread_id, timeout)
                try:
                    await _advisory_lock(conn, thread_id, deadline, timeout)
                except BaseException:
                    await locks.discard(conn)
                    raise
            self._held[thread_id] = conn
            try:
                yield
            finally:
                del self._held[thread_id]
                async with self._translated(f"unlock thread {thread_id!r}"):
                    await _unlock(locks, conn, thread_id)

    @asynccontextmanager
    async def _connection(
        self, action: str, *, transaction: bool = False
    ) -> AsyncIterator[AsyncConnection[Any]]:
        """A pooled connection (in a transaction if asked), driver errors translated."""
        async with self._translated(action):
            pool = (await self._open()).data
            async with pool.connection() as conn:
                if not transaction:
                    yield conn
                    return
                async with conn.transaction():
                    yield conn

    @asynccontextmanager
    async def _translated(self, action: str) -> AsyncIterator[None]:
        try:
            yield
        except Exception as exc:
            psycopg = sys.modules.get("psycopg")  # (not imported here: see _import_driver)
            if psycopg is None or not isinstance(exc, psycopg.Error):
                raise
            error = translate(exc, self._dsn, action)
            if isinstance(error, StoreUnavailableError):
                await self._sweep()
            raise error from exc

    async def _sweep(self) -> None:
        """After a broken connection, drop the other dead ones, so a retry works."""
        if self._conns is not None:
            await self._conns.sweep()

    async def _check_lock_alive(self, thread_id: str) -> None:
        conn = self._held.get(thread_id)
        if conn is None:
            return
        try:
            await conn.execute("SELECT 1")
        except Exception as exc:
            said = scrub(str(exc), self._dsn)
            raise ThreadConflictError(
                f"the connection holding the lock on thread {thread_id!r} broke ({said}); "
                "another run may have taken the thread, so nothing was written (nor deleted): "
                "run it again"
            ) from None

    async def _open(self) -> LoopConnections:
        """The running loop's connections, opened (and the tables made) on first use."""
        if self._closed:
            raise ConfigurationError(f"{self!r} is closed; open a new store")
        loop = asyncio.get_running_loop()
        conns = self._conns
        if conns is not None and conns.loop is loop and not conns.closed:
            return conns
        if conns is not None and not conns.closed and not conns.loop.is_closed():
            raise ConfigurationError(
                f"{self!r} is in use on another event loop (another thread's); a Postgres "
                "store's connections belong to one loop at a time: make one store per loop"
            )
        if conns is not None and not conns.closed:  # its loop was closed, tasks pending
            conns.let_go()
        if self._opening[0] is not loop:  # (an asyncio.Lock belongs to one loop)
            self._opening = (loop, asyncio.Lock())
        async with self._opening[1]:
            conns = self._conns
            if conns is None or conns.closed or conns.loop is not loop:
                conns = await self._connect()
                self._conns = conns
        return conns

    async def _connect(self) -> LoopConnections:
        if "psycopg_pool" not in sys.modules:  # about 0.1 s of imports: not on the loop
            await asyncio.to_thread(_import_driver)
        import psycopg

        first = await psycopg.AsyncConnection.connect(
            self._dsn, autocommit=True, connect_timeout=max(int(self._connect_timeout), 1)
        )
        async with first:
            await _ensure_schema(first, mask(self._dsn))
        data, locks = self._sizes
        return await LoopConnections.open(self._dsn, data, locks, self._connect_timeout)


def _require_driver(dsn: str) -> None:
    """Refuse a store whose driver is not installed, without importing it yet (a store is
    often made inside a running loop; ``_import_driver`` imports it off the loop)."""
    from importlib.util import find_spec

    for name in ("psycopg", "psycopg_pool"):
        if find_spec(name) is None:
            missing = ModuleNotFoundError(f"No module named {name!r}", name=name)
            raise ConfigurationError(f"{_INSTALL} (for {mask(dsn)}; {missing})") from missing


async def _ensure_schema(conn: AsyncConnection[Any], where: str) -> None:
    async with conn.transaction():
        await conn.execute(sql.SCHEMA_LOCK)
        await conn.execute("CREATE TABLE IF NOT EXISTS locus_schema (version integer NOT NULL)")
        row = await (await conn.execute("SELECT max(version) FROM locus_schema")).fetchone()
        version = None if row is None else row[0]
        if version is None:
            for table, wanted in sql.TABLES.items():
                rows = await (await conn.execute(sql.COLUMNS, (table,))).fetchall()
                found = {r[0] for r in rows}
                check_foreign_table(table, found, wanted, f"PostgreSQL database {where}")
            for statement in filter(str.strip, sql.SCHEMA.split(";")):
                await conn.execute(statement)
            await conn.execute("INSERT INTO locus_schema VALUES (%s)", (sql.SCHEMA_VERSION,))
        elif version > sql.SCHEMA_VERSION:
            raise SerializationError(
                f"this thread database has schema version {version}, written by a newer "
                f"Locus; this one reads version {sql.SCHEMA_VERSION}: upgrade locus-oci"
            )


async def _take(
    locks: LockConnections, remaining: float | None, thread_id: str, timeout: float | None
) -> AsyncConnection[Any]:
    try:
        return await locks.take(remaining)
    except TimeoutError:
        raise ThreadConflictError(
            f"thread {thread_id!r} could not be locked within {timeout} s: all {locks.size} "
            f"lock connections of this store (max_locks) are held by runs on other threads; "
            "try again later, or give the store a larger max_locks (each is a connection "
            "to the server)"
        ) from None


async def _advisory_lock(
    conn: AsyncConnection[Any], thread_id: str, deadline: float | None, timeout: float | None
) -> None:
    from psycopg import errors

    loop = asyncio.get_running_loop()
    wait_ms = 0 if deadline is None else max(int((deadline - loop.time()) * 1000), 1)
    if wait_ms > _MAX_LOCK_TIMEOUT_MS:  # over 24 days: the server takes no more
        wait_ms = 0
    await conn.execute(sql.SET_LOCK_TIMEOUT, (f"{wait_ms}ms",))
    try:
        await conn.execute(sql.LOCK, (thread_id,))
    except errors.LockNotAvailable:
        raise lock_timeout_error(thread_id, timeout) from None
    except BaseException:
        await conn.cancel_safe(timeout=2.0)  # stop the server waiting on our behalf
        raise


async def _unlock(locks: LockConnections, conn: AsyncConnection[Any], key: str) -> None:
    """Let go of the lock on ``key``; on any failure close the connection instead, which
    lets go of it too (a cancelled unlock included: the run's task is ending)."""
    import psycopg

    try:
        await conn.execute(sql.UNLOCK, (key,))
    except psycopg.OperationalError:
        ended = conn.closed
        await locks.discard(conn)
        if ended:
            return  # the session ended, and its locks with it: released
        raise
    except BaseException:
        await locks.discard(conn)
        raise
    await locks.give_back(conn)


def _import_driver() -> None:
    """Import psycopg and psycopg_pool (in a worker thread: the first use of a store would
    otherwise hold its event loop for the length of the imports, about 0.1 s)."""
    try:
        import psycopg
        import psycopg_pool
    except ImportError as exc:  # installed but broken (``_require_driver`` found them)
        raise ConfigurationError(f"{_INSTALL} ({exc})") from exc
    del psycopg, psycopg_pool
