"""The SQLite store's file deleted or replaced under an open store, for real on disk."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from locus.core.errors import StoreError
from locus.core.messages import Message
from locus.stores import SQLiteThreadStore


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


async def test_a_file_deleted_while_open_is_an_error_not_a_silent_loss(tmp_path: Path) -> None:
    """Before: the store kept writing to the deleted file's inode; every append
    "succeeded" while a new store (another process) on the path saw nothing."""
    path = tmp_path / "threads.db"
    store = SQLiteThreadStore(path)
    await store.append("t", [Message.user("one")])
    _remove(path)
    with pytest.raises(StoreError, match="deleted or moved while this store had it open") as err:
        await store.append("t", [Message.user("two")])
    assert str(path) in str(err.value) and err.value.url == str(path)
    # the error is said once; the next call starts a new file, shared with other stores
    await store.append("t", [Message.user("three")])
    other = SQLiteThreadStore(path)
    assert await other.load("t") == [Message.user("three")]
    await other.aclose()
    await store.aclose()


async def test_a_file_replaced_while_open_is_followed(tmp_path: Path) -> None:
    """A backup restored over the file (or a new file made by another process after a
    delete): the store reads and writes the file now at the path."""
    path, backup = tmp_path / "threads.db", tmp_path / "backup.db"
    maker = SQLiteThreadStore(backup)
    await maker.append("t", [Message.user("from the backup")])
    await maker.aclose()
    store = SQLiteThreadStore(path)
    await store.append("t", [Message.user("current")])
    _remove(path)
    os.replace(backup, path)
    Path(f"{backup}-wal").unlink(missing_ok=True)
    await store.append("t", [Message.assistant("after")])
    assert await store.load("t") == [Message.user("from the backup"), Message.assistant("after")]
    other = SQLiteThreadStore(path)
    assert await other.load("t") == [Message.user("from the backup"), Message.assistant("after")]
    await other.aclose()
    await store.aclose()
