"""What only the SQLite store does: its file, schema version, lease and closing."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from locus.core.errors import ConfigurationError, SerializationError, ThreadConflictError
from locus.core.messages import Message
from locus.stores import SQLiteThreadStore


async def test_schema_is_versioned_and_wal(tmp_path: Path) -> None:
    store = SQLiteThreadStore(tmp_path / "t.db")
    await store.append("t", [Message.user("hi")])
    await store.aclose()
    db = sqlite3.connect(tmp_path / "t.db")
    assert db.execute("SELECT version FROM locus_schema").fetchall() == [(1,)]
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    db.close()


async def test_a_second_store_on_the_file_sees_the_thread(tmp_path: Path) -> None:
    first, second = SQLiteThreadStore(tmp_path / "t.db"), SQLiteThreadStore(tmp_path / "t.db")
    await first.append("t", [Message.user("one")])
    await second.append("t", [Message.assistant("two")])
    assert await first.load("t") == [Message.user("one"), Message.assistant("two")]
    await first.aclose()
    await second.aclose()


async def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "t.db")
    db.execute("CREATE TABLE locus_schema (version INTEGER NOT NULL)")
    db.execute("INSERT INTO locus_schema VALUES (2)")
    db.commit()
    db.close()
    store = SQLiteThreadStore(tmp_path / "t.db")
    with pytest.raises(SerializationError, match=r"schema version 2.*upgrade locus-oci"):
        await store.load("t")
    await store.aclose()


async def test_corrupt_stored_messages_are_a_serialization_error(tmp_path: Path) -> None:
    store = SQLiteThreadStore(tmp_path / "t.db")
    await store.append("t", [Message.user("hi")])
    db = sqlite3.connect(tmp_path / "t.db")
    db.execute("UPDATE locus_messages SET body = ?", (b'{"v": 9, "messages": []}',))
    db.commit()
    db.close()
    with pytest.raises(SerializationError, match="version 9"):
        await store.load("t")
    await store.aclose()


async def test_two_stores_on_one_file_exclude_each_other(tmp_path: Path) -> None:
    first, second = SQLiteThreadStore(tmp_path / "t.db"), SQLiteThreadStore(tmp_path / "t.db")
    async with first.lock("t"):
        with pytest.raises(ThreadConflictError, match="locked by another run"):
            async with second.lock("t", timeout=0.1):
                raise AssertionError("taken twice")
    async with second.lock("t", timeout=5):
        pass
    await first.aclose()
    await second.aclose()


async def test_a_crashed_holders_lease_expires(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "t.db")
    store = SQLiteThreadStore(tmp_path / "t.db")
    await store.list_threads()  # schema
    db.execute("INSERT INTO locus_locks (thread_id, owner, expires_at) VALUES ('t', 'dead', 0)")
    db.commit()
    async with store.lock("t", timeout=5):
        owner = db.execute("SELECT owner FROM locus_locks WHERE thread_id = 't'").fetchone()
        assert owner[0] != "dead"
    assert db.execute("SELECT count(*) FROM locus_locks").fetchone() == (0,)
    db.close()
    await store.aclose()


async def test_a_lost_lease_makes_append_a_conflict_and_writes_nothing(tmp_path: Path) -> None:
    store = SQLiteThreadStore(tmp_path / "t.db")
    await store.append("t", [Message.user("before")])
    db = sqlite3.connect(tmp_path / "t.db")
    async with store.lock("t"):
        db.execute("UPDATE locus_locks SET owner = 'thief'")  # expired and taken by another
        db.commit()
        with pytest.raises(ThreadConflictError, match="nothing was written"):
            await store.append("t", [Message.user("after")])
    assert await store.load("t") == [Message.user("before")]
    db.close()
    await store.aclose()


async def test_closed_store(tmp_path: Path) -> None:
    store = SQLiteThreadStore(tmp_path / "t.db")
    await store.aclose()
    await store.aclose()
    with pytest.raises(ConfigurationError, match="is closed"):
        await store.load("t")


def test_bad_settings() -> None:
    with pytest.raises(ConfigurationError, match="positive"):
        SQLiteThreadStore("x.db", lease_seconds=0)


async def test_a_foreign_table_of_the_same_name_is_refused_untouched(tmp_path: Path) -> None:
    """Before: every call failed with 'no such column: changed (SQLITE_ERROR); see the
    SQLite result code above', which does not say that the file holds someone else's
    table."""
    db = sqlite3.connect(tmp_path / "app.db")
    db.execute("CREATE TABLE locus_threads (id INTEGER PRIMARY KEY, name TEXT)")
    db.execute("INSERT INTO locus_threads VALUES (1, 'mine')")
    db.commit()
    store = SQLiteThreadStore(tmp_path / "app.db")
    with pytest.raises(SerializationError, match=r"table 'locus_threads' that is not a Locus"):
        await store.append("t", [Message.user("x")])
    await store.aclose()
    assert db.execute("SELECT * FROM locus_threads").fetchall() == [(1, "mine")]
    tables = db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    assert tables == [("locus_threads",)]
    db.close()


async def test_a_renewal_that_fails_once_does_not_stop_the_renewals(tmp_path: Path) -> None:
    """Before: one renewal that met a busy file (another writer past busy_timeout) ended
    the renewing task, the lease ran out under a live holder, and another store took the
    thread (the holder's append then failed with ThreadConflictError)."""
    path = tmp_path / "t.db"
    # a 3 s lease is renewed every 1 s: the renewal at 1 s meets the busy file and fails;
    # the one at 2 s must work, or the lease ends at 3 s (a loop stalled ~1 s would do it)
    holder = SQLiteThreadStore(path, lease_seconds=3.0, busy_timeout=0.05)
    other = SQLiteThreadStore(path, lease_seconds=3.0, busy_timeout=0.05)
    await other.list_threads()
    blocker = sqlite3.connect(path, isolation_level=None)
    async with holder.lock("t"):
        blocker.execute("BEGIN IMMEDIATE")  # the file busy past the first renewal
        await asyncio.sleep(1.3)
        blocker.execute("COMMIT")
        await asyncio.sleep(2.3)  # past the lease: only renewals keep it
        with pytest.raises(ThreadConflictError, match="locked by another run"):
            async with other.lock("t", timeout=0.05):
                raise AssertionError("took a live holder's thread")
        await holder.append("t", [Message.user("still mine")])
    blocker.close()
    await holder.aclose()
    await other.aclose()


async def test_a_writer_whose_lease_was_taken_over_cannot_set_metadata(tmp_path: Path) -> None:
    """Before: ``append`` refused a holder whose lease another process had taken (its
    renewals stalled past the lease), but ``set_metadata`` wrote over the new holder's
    metadata (a paused run's state) all the same."""
    path = tmp_path / "t.db"
    holder = SQLiteThreadStore(path)
    async with holder.lock("t"):
        await holder.set_metadata("t", {"by": "holder"})
        db = sqlite3.connect(path, isolation_level=None)
        db.execute("UPDATE locus_locks SET owner = 'other-host:0:1:abc' WHERE thread_id = 't'")
        db.execute('UPDATE locus_threads SET metadata = \'{"by": "new holder"}\'')
        db.close()
        with pytest.raises(ThreadConflictError, match="taken by another run"):
            await holder.append("t", [Message.user("late")])
        with pytest.raises(ThreadConflictError, match="taken by another run"):
            await holder.set_metadata("t", {"by": "stale holder"})
        with pytest.raises(ThreadConflictError, match="taken by another run"):
            await holder.delete("t")  # before, it deleted the new holder's thread
        assert await holder.get_metadata("t") == {"by": "new holder"}
    await holder.set_metadata("t", {"by": "anyone, unlocked"})  # no lock held: no check
    assert await holder.get_metadata("t") == {"by": "anyone, unlocked"}
    await holder.aclose()


async def test_a_file_of_the_release_before_change_counters_is_used_as_is(tmp_path: Path) -> None:
    """A version-1 file made before ``locus_counters`` existed gets the table on first
    use, keeps its threads, and a deletion no longer lets a change number be reused."""
    path = tmp_path / "old.db"
    db = sqlite3.connect(path, isolation_level=None)
    db.executescript(
        "CREATE TABLE locus_schema (version INTEGER NOT NULL); INSERT INTO locus_schema "
        "VALUES (1); CREATE TABLE locus_threads (thread_id TEXT PRIMARY KEY, metadata TEXT "
        "NOT NULL DEFAULT '{}', next_seq INTEGER NOT NULL DEFAULT 0, changed INTEGER NOT "
        "NULL, updated_at REAL NOT NULL); CREATE TABLE locus_messages (thread_id TEXT NOT "
        "NULL, seq INTEGER NOT NULL, body BLOB NOT NULL, PRIMARY KEY (thread_id, seq)) "
        "WITHOUT ROWID; CREATE TABLE locus_locks (thread_id TEXT PRIMARY KEY, owner TEXT NOT "
        "NULL, expires_at REAL NOT NULL, wanted_by TEXT, wanted_at REAL); INSERT INTO "
        "locus_threads VALUES ('old', '{}', 0, 7, 0)"
    )
    db.close()
    store = SQLiteThreadStore(path)
    assert await store.list_threads() == ["old"]
    await store.append("new", [Message.user("x")])
    await store.delete("new")
    await store.append("later", [Message.user("y")])
    db = sqlite3.connect(path)
    assert db.execute(
        "SELECT thread_id, changed FROM locus_threads ORDER BY changed"
    ).fetchall() == [
        ("old", 7),
        ("later", 9),
    ]
    db.close()
    await store.aclose()


async def test_a_foreign_counters_table_is_refused(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "app.db")
    db.execute("CREATE TABLE locus_counters (id INTEGER, label TEXT)")
    db.commit()
    db.close()
    store = SQLiteThreadStore(tmp_path / "app.db")
    with pytest.raises(SerializationError, match=r"table 'locus_counters' that is not a Locus"):
        await store.append("t", [Message.user("x")])
    await store.aclose()
