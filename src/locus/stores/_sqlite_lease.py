"""The SQLite store's cross-process lock: a lease row per thread (synchronous SQL).

``locus_locks(thread_id, owner, expires_at, wanted_by, wanted_at)``. Taking the lock is
one ``BEGIN IMMEDIATE`` transaction: the row is ours when there is none, when it has
expired, or when its last holder handed it to us. Otherwise the caller is recorded as
the one waiting (``wanted_by``) unless another live waiter already is, and retries. On
release, a holder with a live waiter hands the row over (owner = the waiter, a short
expiry) instead of deleting it, so two processes alternate instead of one starving the
other. The holder renews its lease while it runs; a crashed holder's lease expires, and
a holder on this machine whose process is gone loses it at once: an owner is
``host:pid-namespace:pid:random``, and a waiter with the same host and PID namespace
asks the kernel whether that process still runs (a zombie counts as gone; a PID reused
by another process only makes the waiter wait for the lease, as before). Write
transactions are short: no database lock is held for the length of a run.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import time
import uuid

from locus.stores._sqlite_db import transaction

__all__ = [
    "HANDOFF_SECONDS",
    "WAITER_STALE_SECONDS",
    "give_up",
    "make_owner",
    "release",
    "renew",
    "try_take",
]

HANDOFF_SECONDS = 2.0
"""How long a handed-over lease waits for its new owner to pick it up."""
WAITER_STALE_SECONDS = 1.0
"""A waiter that has not polled for this long no longer gets the lease handed to it."""


def try_take(db: sqlite3.Connection, thread_id: str, owner: str, lease: float) -> bool:
    """Take the lease if it is free, expired or handed to ``owner``; else queue as waiter."""
    now = time.time()
    with transaction(db):
        row = db.execute(
            "SELECT owner, expires_at, wanted_by, wanted_at FROM locus_locks WHERE thread_id = ?",
            (thread_id,),
        ).fetchone()
        if row is None or row[0] == owner or row[1] <= now or _gone(row[0]):
            db.execute(
                "INSERT OR REPLACE INTO locus_locks (thread_id, owner, expires_at) "
                "VALUES (?, ?, ?)",
                (thread_id, owner, now + lease),
            )
            return True
        wanted_by, wanted_at = row[2], row[3]
        if wanted_by is None or wanted_by == owner or wanted_at < now - WAITER_STALE_SECONDS:
            db.execute(
                "UPDATE locus_locks SET wanted_by = ?, wanted_at = ? WHERE thread_id = ?",
                (owner, now, thread_id),
            )
        return False


def renew(db: sqlite3.Connection, thread_id: str, owner: str, lease: float) -> bool:
    """Push the expiry on; ``False`` when the lease is no longer ``owner``'s."""
    with transaction(db):
        cursor = db.execute(
            "UPDATE locus_locks SET expires_at = ? WHERE thread_id = ? AND owner = ?",
            (time.time() + lease, thread_id, owner),
        )
        return cursor.rowcount == 1


def release(db: sqlite3.Connection, thread_id: str, owner: str) -> None:
    """Hand the lease to a live waiter, or delete it."""
    now = time.time()
    with transaction(db):
        cursor = db.execute(
            "UPDATE locus_locks SET owner = wanted_by, expires_at = ?, wanted_by = NULL, "
            "wanted_at = NULL WHERE thread_id = ? AND owner = ? AND wanted_by IS NOT NULL "
            "AND wanted_by != owner AND wanted_at >= ?",
            (now + HANDOFF_SECONDS, thread_id, owner, now - WAITER_STALE_SECONDS),
        )
        if cursor.rowcount == 0:
            db.execute(
                "DELETE FROM locus_locks WHERE thread_id = ? AND owner = ?", (thread_id, owner)
            )


def give_up(db: sqlite3.Connection, thread_id: str, owner: str) -> None:
    """A waiter that stops waiting: pass on a lease handed to it, withdraw its claim."""
    release(db, thread_id, owner)
    with transaction(db):
        db.execute(
            "UPDATE locus_locks SET wanted_by = NULL, wanted_at = NULL "
            "WHERE thread_id = ? AND wanted_by = ?",
            (thread_id, owner),
        )


def make_owner() -> str:
    """A lease owner id for one store: ``host:pid-namespace:pid:random``."""
    return f"{socket.gethostname()}:{_PID_NAMESPACE}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def _pid_namespace() -> str:
    try:
        return os.readlink("/proc/self/ns/pid").removeprefix("pid:").strip("[]")
    except OSError:
        return ""  # not Linux: no liveness check, the lease decides


_PID_NAMESPACE = _pid_namespace()


def _gone(owner: str) -> bool:
    """Whether ``owner``'s process is known to have ended (on this machine only)."""
    parts = owner.split(":")
    if len(parts) != 4 or not _PID_NAMESPACE or not parts[2].isdigit():
        return False
    host, namespace, pid = parts[0], parts[1], int(parts[2])
    if host != socket.gethostname() or namespace != _PID_NAMESPACE or pid == os.getpid():
        return False
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            state = stat.read().rpartition(b")")[2].split()[:1]
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return state == [b"Z"]
