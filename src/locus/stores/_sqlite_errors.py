"""sqlite3's exceptions as ``StoreError``s that say what to check (the one translation).

The SQLite result code (``sqlite_errorname``) picks the advice: a file that cannot be
opened, a read-only file or directory, a file that is not a database or is corrupt, a
full disk, an I/O error. A lock held longer than the busy timeout by another writer is
``StoreUnavailableError`` (retrying later may work).
"""

from __future__ import annotations

import sqlite3

from locus.core.errors import StoreError, StoreUnavailableError

__all__ = ["translate"]

_ADVICE = {
    "SQLITE_CANTOPEN": "cannot open or create the file: check that its directory exists and "
    "that this process may create and write files in it",
    "SQLITE_READONLY": "the file is read-only to this process: check the permissions of the "
    "file and of its directory (SQLite writes -wal and -shm files next to it) and whether "
    "the file system is mounted read-only",
    "SQLITE_PERM": "the operating system refused access: check the file's permissions",
    "SQLITE_NOTADB": "the file is not a SQLite database: point the store at another path, or "
    "move this file away",
    "SQLITE_CORRUPT": "the database file is corrupt: restore it from a backup, or rebuild it "
    "with the sqlite3 shell's .recover command",
    "SQLITE_FULL": "the disk (or the database's size limit) is full: free space; nothing was "
    "written",
    "SQLITE_IOERR": "a disk I/O error: check the disk and the file system (SQLite's WAL mode "
    "needs a local file system, not a network share)",
}
_BUSY = ("SQLITE_BUSY", "SQLITE_LOCKED")


def translate(exc: sqlite3.Error, path: str, action: str, busy_timeout: float) -> StoreError:
    """The ``StoreError`` for ``exc``, raised by ``action`` on the SQLite file at ``path``."""
    name = getattr(exc, "sqlite_errorname", None) or "SQLITE_ERROR"
    base = name.split("_")
    code = "_".join(base[:2])
    said = f"SQLite thread store {path!r}: {action} failed: {exc} ({name})"
    if code in _BUSY:
        return StoreUnavailableError(
            f"{said}; another connection held the database lock, either for longer than "
            f"busy_timeout={busy_timeout} s or where SQLite answers at once rather than risk "
            "a deadlock (another process writing to the file outside the store's "
            "transactions): retry, or give the store a longer busy_timeout",
            url=path,
        )
    advice = _ADVICE.get(code, "see the SQLite result code above")
    return StoreError(f"{said}; {advice}", url=path)
