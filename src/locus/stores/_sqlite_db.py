"""The SQLite store's SQL: schema, threads and messages (synchronous, run in its worker).

Each ``append`` is one row of ``locus_messages`` holding the batch as ``dump_messages``
bytes, numbered per thread by ``locus_threads.next_seq`` inside the same
``BEGIN IMMEDIATE`` transaction, so a batch is stored whole or not at all.
``locus_threads.changed`` is a store-wide counter that orders ``list_threads`` and
``page_threads``; ``locus_counters`` keeps the number of the newest thread deleted, so no
number is given twice (a cursor holding it would take a later change for an older one).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from locus.core.errors import SerializationError, ThreadConflictError
from locus.core.messages import Message, load_messages
from locus.stores._metadata import load_metadata
from locus.stores._paging import PageQuery, finish
from locus.stores._schema import check_foreign_table

__all__ = [
    "SCHEMA_VERSION",
    "append",
    "connect",
    "delete",
    "get_metadata",
    "load",
    "page_threads",
    "set_metadata",
    "transaction",
    "use_wal",
]

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS locus_threads (
    thread_id  TEXT PRIMARY KEY,
    metadata   TEXT NOT NULL DEFAULT '{}',
    next_seq   INTEGER NOT NULL DEFAULT 0,
    changed    INTEGER NOT NULL,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS locus_threads_changed ON locus_threads (changed);
CREATE TABLE IF NOT EXISTS locus_messages (
    thread_id TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    body      BLOB NOT NULL,
    PRIMARY KEY (thread_id, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS locus_locks (
    thread_id  TEXT PRIMARY KEY,
    owner      TEXT NOT NULL,
    expires_at REAL NOT NULL,
    wanted_by  TEXT,
    wanted_at  REAL
);
"""


def connect(path: str, busy_timeout: float) -> sqlite3.Connection:
    """A connection in WAL mode with the schema in place (created on first use)."""
    db = sqlite3.connect(path, timeout=busy_timeout, isolation_level=None, check_same_thread=False)
    try:
        db.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        use_wal(db, time.monotonic() + busy_timeout)
        db.execute("PRAGMA synchronous = NORMAL")
        _ensure_schema(db, path)
    except BaseException:
        db.close()
        raise
    return db


def use_wal(db: sqlite3.Connection, deadline: float) -> None:
    """``PRAGMA journal_mode = WAL``, tried again until ``deadline`` (``time.monotonic``)
    while the database is locked. The mode is kept in the file, so only the first
    connection to a new file converts it; when two processes open a new file at once, one
    of them can hold a read lock while the other waits to convert, and SQLite then answers
    the first with SQLITE_BUSY at once instead of waiting (waiting could deadlock): once the
    other is done, the file is in WAL mode already."""
    while True:
        try:
            db.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY or time.monotonic() >= deadline:
                raise
        time.sleep(0.005)  # (on the store's worker thread, never the event loop)


def _ensure_schema(db: sqlite3.Connection, path: str) -> None:
    with transaction(db):
        db.execute("CREATE TABLE IF NOT EXISTS locus_schema (version INTEGER NOT NULL)")
        row = db.execute("SELECT max(version) FROM locus_schema").fetchone()
        version = row[0]
        if version is None:
            for table, wanted in TABLES.items():
                found = {r[1] for r in db.execute(f"PRAGMA table_info({table})")}
                check_foreign_table(table, found, wanted, f"SQLite file {path!r}")
            for statement in filter(str.strip, _SCHEMA.split(";")):
                db.execute(statement)
            db.execute("INSERT INTO locus_schema (version) VALUES (?)", (SCHEMA_VERSION,))
        elif version > SCHEMA_VERSION:
            raise SerializationError(
                f"this thread database has schema version {version}, written by a newer Locus; "
                f"this one reads version {SCHEMA_VERSION}: upgrade locus-oci"
            )
        # added to version 1 (a file of an earlier release gets it on first use)
        found = {r[1] for r in db.execute("PRAGMA table_info(locus_counters)")}
        check_foreign_table("locus_counters", found, _COUNTER_COLUMNS, f"SQLite file {path!r}")
        db.execute(_COUNTERS)


_COUNTERS = (
    "CREATE TABLE IF NOT EXISTS locus_counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)"
)
"""The highest change number a deleted thread had, so that numbers are never reused."""
_COUNTER_COLUMNS = {"name", "value"}


TABLES = {
    "locus_threads": {"thread_id", "metadata", "next_seq", "changed", "updated_at"},
    "locus_messages": {"thread_id", "seq", "body"},
    "locus_locks": {"thread_id", "owner", "expires_at", "wanted_by", "wanted_at"},
}


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[None]:
    """``BEGIN IMMEDIATE`` (the write lock up front, waiting out the busy timeout) … COMMIT."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        if db.in_transaction:  # SQLite ends it by itself on some errors (a full disk)
            db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def load(db: sqlite3.Connection, thread_id: str) -> list[Message]:
    rows = db.execute(
        "SELECT body FROM locus_messages WHERE thread_id = ? ORDER BY seq", (thread_id,)
    ).fetchall()
    out: list[Message] = []
    for (body,) in rows:
        out.extend(load_messages(body))
    return out


def append(db: sqlite3.Connection, thread_id: str, body: bytes, lease_owner: str | None) -> None:
    """Store one batch; with ``lease_owner``, only while that owner still holds the lock."""
    with transaction(db):
        if lease_owner is not None:
            _check_lease(db, thread_id, lease_owner)
        _touch(db, thread_id, seq_step=1, metadata=None)
        (seq,) = db.execute(
            "SELECT next_seq FROM locus_threads WHERE thread_id = ?", (thread_id,)
        ).fetchone()
        db.execute("INSERT INTO locus_messages VALUES (?, ?, ?)", (thread_id, seq, body))


def _check_lease(db: sqlite3.Connection, thread_id: str, owner: str) -> None:
    row = db.execute("SELECT owner FROM locus_locks WHERE thread_id = ?", (thread_id,)).fetchone()
    if row is None or row[0] != owner:
        raise ThreadConflictError(
            f"the lock on thread {thread_id!r} expired and was taken by another run before "
            "this run could write; nothing was written (nor deleted): run it again on the "
            "fresh thread"
        )


def _touch(db: sqlite3.Connection, thread_id: str, *, seq_step: int, metadata: str | None) -> None:
    db.execute(
        "INSERT INTO locus_threads (thread_id, metadata, next_seq, changed, updated_at) "
        "VALUES (?, coalesce(?, '{}'), ?, "
        "(SELECT max(coalesce(max(changed), 0), coalesce((SELECT value FROM locus_counters "
        "WHERE name = 'changed'), 0)) + 1 FROM locus_threads), ?) "
        "ON CONFLICT (thread_id) DO UPDATE SET next_seq = next_seq + excluded.next_seq, "
        "metadata = coalesce(?, metadata), changed = excluded.changed, "
        "updated_at = excluded.updated_at",
        (thread_id, metadata, seq_step, time.time(), metadata),
    )


def delete(db: sqlite3.Connection, thread_id: str, lease_owner: str | None) -> None:
    """Forget the thread; with ``lease_owner``, only while that owner holds the lock."""
    with transaction(db):
        if lease_owner is not None:
            _check_lease(db, thread_id, lease_owner)
        db.execute("DELETE FROM locus_messages WHERE thread_id = ?", (thread_id,))
        db.execute(  # its change number stays taken (a cursor may hold it)
            "INSERT INTO locus_counters (name, value) SELECT 'changed', changed "
            "FROM locus_threads WHERE thread_id = ? "
            "ON CONFLICT (name) DO UPDATE SET value = max(value, excluded.value)",
            (thread_id,),
        )
        db.execute("DELETE FROM locus_threads WHERE thread_id = ?", (thread_id,))


def page_threads(db: sqlite3.Connection, query: PageQuery) -> tuple[list[str], str | None]:
    """One page of ``page_threads`` (see ``_paging``), in one read transaction."""
    db.execute("BEGIN")
    try:
        until = query.until
        if query.oldest_first and until is None:
            (until,) = db.execute("SELECT coalesce(max(changed), 0) FROM locus_threads").fetchone()
        where: list[str] = []
        args: list[object] = []
        if query.prefix:
            where.append("substr(thread_id, 1, length(?)) = ?")
            args += [query.prefix, query.prefix]
        if until is not None:
            where.append("changed <= ?")
            args.append(until)
        if query.after is not None:
            where.append(f"(changed, thread_id) {'>' if query.oldest_first else '<'} (?, ?)")
            args += list(query.after)
        order = "ASC" if query.oldest_first else "DESC"
        rows = db.execute(
            "SELECT changed, thread_id FROM locus_threads"
            + (f" WHERE {' AND '.join(where)}" if where else "")
            + f" ORDER BY changed {order}, thread_id {order} LIMIT ?",
            (*args, query.limit + 1),
        ).fetchall()
    finally:
        db.execute("COMMIT")
    return finish(query, rows, until)


def get_metadata(db: sqlite3.Connection, thread_id: str) -> dict[str, Any]:
    row = db.execute(
        "SELECT metadata FROM locus_threads WHERE thread_id = ?", (thread_id,)
    ).fetchone()
    return {} if row is None else load_metadata(row[0])


def set_metadata(
    db: sqlite3.Connection, thread_id: str, text: str, lease_owner: str | None
) -> None:
    """Replace the metadata; with ``lease_owner``, only while that owner holds the lock."""
    with transaction(db):
        if lease_owner is not None:
            _check_lease(db, thread_id, lease_owner)
        _touch(db, thread_id, seq_step=0, metadata=text)
