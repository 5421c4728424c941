"""The SQLite store's failures are ``StoreError``s that name the file and what to check.

Each case is made for real on disk: a directory that vanished, a read-only directory or
file (checked in a child process that, when the tests run as root, gives up the
capabilities that let root ignore file modes), a file that is not a database, a corrupt
one, a full database (SQLite's own ``max_page_count`` limit gives the same
``SQLITE_FULL`` as a full disk), a lock held past the busy timeout.
"""

from __future__ import annotations

import asyncio
import ctypes
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from locus.core.errors import ConfigurationError, StoreError, StoreUnavailableError
from locus.core.messages import Message
from locus.stores import SQLiteThreadStore, open_thread_store
from locus.stores._sqlite_db import use_wal

HELLO = [Message.user("hello"), Message.assistant("hi")]


def test_a_missing_directory_is_a_configuration_error(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such" / "threads.db"
    with pytest.raises(ConfigurationError, match="does not exist") as caught:
        SQLiteThreadStore(missing)
    assert str(missing.parent) in str(caught.value)
    assert "mkdir -p" in str(caught.value)
    with pytest.raises(ConfigurationError, match=str(missing.parent)):
        open_thread_store(f"sqlite:///{missing}")


def test_a_file_where_the_directory_should_be(tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("x")
    with pytest.raises(ConfigurationError, match="not a directory"):
        SQLiteThreadStore(tmp_path / "plain" / "threads.db")


async def test_a_directory_removed_after_opening(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    store = SQLiteThreadStore(folder / "threads.db")
    folder.rmdir()
    try:
        with pytest.raises(StoreError) as caught:
            await store.append("t", HELLO)
    finally:
        await store.aclose()
    error = caught.value
    assert not isinstance(error, StoreUnavailableError)
    assert isinstance(error.__cause__, sqlite3.OperationalError)
    assert str(folder / "threads.db") in str(error)
    assert "append to thread 't'" in str(error)
    assert "check that its directory exists" in str(error)


async def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are my notes, not a database\n" * 200)
    store = SQLiteThreadStore(path)
    try:
        for call in (store.load("t"), store.append("t", HELLO), store.list_threads()):
            with pytest.raises(StoreError, match="is not a SQLite database") as caught:
                await call
            assert isinstance(caught.value.__cause__, sqlite3.DatabaseError)
            assert caught.value.url == str(path)
    finally:
        await store.aclose()
    assert path.read_bytes().startswith(b"these are my notes")  # left as it was


async def test_a_corrupt_database(tmp_path: Path) -> None:
    path = tmp_path / "threads.db"
    store = SQLiteThreadStore(path)
    await store.append("t", [Message.user("x" * 20_000)])
    await store.aclose()
    data = bytearray(path.read_bytes())
    data[4096:] = b"\xff" * (len(data) - 4096)  # every page after the first is garbage
    path.write_bytes(bytes(data))
    for leftover in ("threads.db-wal", "threads.db-shm"):
        (tmp_path / leftover).unlink(missing_ok=True)
    store = SQLiteThreadStore(path)
    try:
        with pytest.raises(StoreError, match="corrupt") as caught:
            await store.load("t")
    finally:
        await store.aclose()
    assert "SQLITE_CORRUPT" in str(caught.value)


async def test_a_full_database_writes_nothing(tmp_path: Path) -> None:
    store = SQLiteThreadStore(tmp_path / "threads.db")
    try:
        await store.append("t", HELLO)
        await store._call(_cap_size, action="cap the size")  # the store's own connection
        with pytest.raises(StoreError, match="is full") as caught:
            await store.append("t", [Message.user("x" * 200_000), Message.assistant("y")])
        assert "SQLITE_FULL" in str(caught.value)
        assert await store.load("t") == HELLO
        await store.append("t", [Message.user("short")])  # the store still works
        assert [m.content for m in await store.load("t")] == ["hello", "hi", "short"]
    finally:
        await store.aclose()


def _cap_size(db: sqlite3.Connection) -> None:
    (pages,) = db.execute("PRAGMA page_count").fetchone()
    db.execute(f"PRAGMA max_page_count = {pages + 1}")


async def test_a_database_locked_too_long_is_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "threads.db"
    store = SQLiteThreadStore(path, busy_timeout=0.05)
    await store.append("t", HELLO)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process's writer that does not let go
    try:
        with pytest.raises(StoreUnavailableError, match=r"busy_timeout=0\.05"):
            await store.append("t", [Message.user("lost?")])
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert await store.load("t") == HELLO
    await store.aclose()


# -- read-only: in a child process, without root's override of file modes -------------

_CHILD = """
import asyncio, sys
from locus.core.errors import StoreError
from locus.core.messages import Message
from locus.stores import SQLiteThreadStore

async def main() -> None:
    store = SQLiteThreadStore(sys.argv[1])
    try:
        await store.append("t", [Message.user("hi")])
    except StoreError as exc:
        print(type(exc).__name__, type(exc.__cause__).__name__, "|", exc)
    else:
        print("written")
    finally:
        await store.aclose()

asyncio.run(main())
"""


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A directory of our own for the child to write in (or fail to)."""
    made = Path(tempfile.mkdtemp(prefix="locus-ro-"))
    os.chmod(made, 0o755)
    yield made
    os.chmod(made, 0o755)
    shutil.rmtree(made, ignore_errors=True)


def _append_in_child(path: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path)],
        capture_output=True,
        text=True,
        preexec_fn=_obey_file_modes if os.geteuid() == 0 else None,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_read_only_directory(shared_dir: Path) -> None:
    folder = shared_dir / "ro"
    folder.mkdir()
    os.chmod(folder, 0o555)
    said = _append_in_child(folder / "threads.db")
    assert said.startswith("StoreError OperationalError |"), said
    assert str(folder / "threads.db") in said
    assert "may create and write files in it" in said
    assert not (folder / "threads.db").exists()


def test_a_read_only_file(shared_dir: Path) -> None:
    path = shared_dir / "threads.db"
    asyncio.run(_seed(path))
    os.chmod(path, 0o444)
    os.chmod(shared_dir, 0o555)
    said = _append_in_child(path)
    assert said.startswith("StoreError OperationalError |"), said
    assert "SQLITE_READONLY" in said and "the file is read-only to this process" in said
    os.chmod(path, 0o644)
    assert asyncio.run(_load(path)) == HELLO  # the refused write left nothing behind


_PR_CAPBSET_DROP = 24
_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH = 1, 2


def _obey_file_modes() -> None:
    """In the child, before exec: drop root's capabilities to bypass file modes."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH):
        if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


async def _seed(path: Path) -> None:
    store = SQLiteThreadStore(path)
    await store.append("t", HELLO)
    await store.aclose()


async def _load(path: Path) -> list[Message]:
    store = SQLiteThreadStore(path)
    try:
        return await store.load("t")
    finally:
        await store.aclose()


def test_wal_conversion_waits_out_a_lock_sqlite_does_not_wait_for(tmp_path: Path) -> None:
    """Two processes opening a new file at once: SQLite may answer one's switch to WAL with
    SQLITE_BUSY at once (here: a busy timeout of 0 makes it answer so); the store tries
    again until the other has let go."""
    path = tmp_path / "new.db"
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    waiting = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")  # the new file, still in rollback mode, locked whole
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            waiting.execute("PRAGMA journal_mode = WAL")  # (SQLite alone gives up at once)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            use_wal(waiting, time.monotonic() + 0.05)  # still held at the deadline: raised
        release = threading.Timer(0.2, holder.execute, ("COMMIT",))
        release.start()
        use_wal(waiting, time.monotonic() + 30)  # tried again until the lock is gone
        release.join(30)
        assert not release.is_alive(), "the lock holder did not let go within 30 s"
        assert waiting.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        waiting.close()
        holder.close()
