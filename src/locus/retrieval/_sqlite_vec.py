"""``SQLiteVecStore``: documents in an SQLite file, searched with the ``sqlite-vec``
extension (``pip install "locus-oci[sqlite-vec]"``) — the embedded default, one file
beside the SQLite thread store.

Two tables: ``<table>`` (rowid, id, text, metadata as JSON) and the ``vec0`` virtual table
``<table>_vec`` (float32 vectors, cosine distance). SQLite calls run in a worker thread,
one at a time per store. Python builds whose ``sqlite3`` cannot load extensions (pyenv's
default) use ``pysqlite3`` instead, which the extra installs on Linux x86-64.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import re
import threading
from array import array
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from locus.core.errors import ConfigurationError, StoreError, StoreUnavailableError
from locus.retrieval._checks import Scalar, finite, name_documents
from locus.retrieval._document import Document
from locus.retrieval._protocols import Embedder
from locus.retrieval._store import VectorStore

__all__ = ["SQLiteVecStore", "check_table_name"]

T = TypeVar("T")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
_DIMENSIONS = re.compile(r"float\[(\d+)\]")
_KNN_LIMIT = 4096
_INSTALL = 'install it with: pip install "locus-oci[sqlite-vec]"'


def check_table_name(table: str) -> str:
    """``table`` when it is a plain SQL identifier (it is put into statements)."""
    if not isinstance(table, str) or not _NAME.fullmatch(table):
        raise ConfigurationError(
            f"table must be a plain identifier (letters, digits, _), not {table!r}"
        )
    return table


def _condition(where: dict[str, Scalar]) -> tuple[str, list[Any]]:
    """SQL matching ``d.metadata`` to ``where``, and its parameters (keys and values are
    parameters, never SQL: any string is data)."""
    parts: list[str] = ["1"]
    params: list[Any] = []
    for key, value in where.items():
        extra: list[Any]
        if value is None or isinstance(value, bool):
            test, extra = "type = ?", [{None: "null", True: "true", False: "false"}[value]]
        elif isinstance(value, int | float):
            test, extra = "type IN ('integer', 'real') AND value = ?", [value]
        else:
            test, extra = "type = 'text' AND value = ?", [value]
        parts.append(f"EXISTS (SELECT 1 FROM json_each(d.metadata) WHERE key = ? AND {test})")
        params += [key, *extra]
    return " AND ".join(parts), params


def _store_error(exc: Exception, path: str) -> StoreError:
    """SQLite's ``exc`` as a ``StoreError`` (``StoreUnavailableError`` for a busy file)."""
    said = str(exc)
    if "locked" in said or "busy" in said:
        return StoreUnavailableError(
            f"SQLiteVecStore {path}: the file stayed locked by another writer ({said}); "
            "nothing was written by this call: retry"
        )
    return StoreError(
        f"SQLiteVecStore {path}: the database failed ({type(exc).__name__}: {said}): "
        "check that the path is an SQLite file this process can read and write"
    )


def _sqlite_module() -> Any:
    """An ``sqlite3`` module whose connections can load extensions."""
    import sqlite3

    if hasattr(sqlite3.Connection, "enable_load_extension"):
        return sqlite3
    try:
        dbapi2 = importlib.import_module("pysqlite3.dbapi2")
    except ImportError:
        raise ConfigurationError(
            "this Python's sqlite3 cannot load extensions (built without them), and "
            f"pysqlite3 is not installed; {_INSTALL}, or use a Python built with them"
        ) from None
    return dbapi2


def _open(path: str) -> Any:
    try:
        sqlite_vec = importlib.import_module("sqlite_vec")
    except ImportError:
        raise ConfigurationError(f"SQLiteVecStore needs sqlite-vec; {_INSTALL}") from None
    connection = _sqlite_module().connect(path, check_same_thread=False)
    connection.enable_load_extension(True)
    sqlite_vec.load(connection)
    connection.enable_load_extension(False)
    return connection


class SQLiteVecStore(VectorStore):
    """``SQLiteVecStore("rag.db", embedder)``: a vector store in one SQLite file.

    ``path`` may be ``":memory:"``. ``close()`` closes the connection.
    """

    def __init__(
        self,
        path: str | Path,
        embedder: Embedder,
        *,
        table: str = "locus_documents",
        dimensions: int | None = None,
    ) -> None:
        super().__init__(embedder, dimensions=dimensions)
        self.path = str(path)
        self.table = check_table_name(table)
        self._connection: Any = None
        self._lock = threading.Lock()
        self._ready = False

    def __repr__(self) -> str:
        return f"SQLiteVecStore(path={self.path!r}, table={self.table!r})"

    async def close(self) -> None:
        """Close the database connection (it is opened again on the next use)."""
        await self._run(self._close)

    async def _write(self, documents: list[Document], vectors: list[array[float]]) -> list[str]:
        t = self.table

        def write(db: Any) -> list[str]:
            self._create(db)
            # one write transaction from naming to writing: another connection (another
            # process) waits, so it can neither take the same ids nor see half a batch
            db.execute("BEGIN IMMEDIATE")
            try:
                start = int(db.execute(f"SELECT count(*) FROM {t}").fetchone()[0])
                named = name_documents(documents, start, lambda ids: self._held(db, ids))
                for document, vector in zip(named, vectors, strict=True):
                    self._upsert(db, document, vector)
                db.commit()
            except BaseException:
                db.rollback()
                raise
            return [d.id for d in named]

        return await self._run(write)

    async def _nearest(
        self, vector: array[float], k: int, where: dict[str, Scalar] | None
    ) -> list[Document]:
        t = self.table
        params: list[Any] = [vector.tobytes()]
        if where is None and k <= _KNN_LIMIT:  # sqlite-vec's KNN answers at most 4,096 rows
            query = (
                f"SELECT d.id, d.text, d.metadata, v.distance FROM (SELECT rowid, distance "
                f"FROM {t}_vec WHERE embedding MATCH ? AND k = ?) AS v "
                f"JOIN {t} AS d ON d.rowid = v.rowid ORDER BY v.distance, d.rowid"
            )
        else:  # more, or filtered: an exact scan of the matching rows, in the same order
            condition, values = _condition(where or {})
            params += values
            query = (
                f"SELECT d.id, d.text, d.metadata, vec_distance_cosine(v.embedding, ?) AS "
                f"distance FROM {t}_vec AS v JOIN {t} AS d ON d.rowid = v.rowid "
                f"WHERE {condition} ORDER BY distance, d.rowid LIMIT ?"
            )
        params.append(k)

        def nearest(db: Any) -> list[Document]:
            if not self._has_tables(db):
                return []
            self.check_query_vector(vector)
            rows = db.execute(query, params).fetchall()
            return [
                Document(text, doc_id, json.loads(meta), round(finite(1.0 - distance), 6))
                for doc_id, text, meta, distance in rows
            ]

        return await self._run(nearest)

    async def _delete(self, ids: list[str]) -> int:
        t = self.table

        def delete(db: Any) -> int:
            if not self._has_tables(db):
                return 0
            gone = 0
            with db:
                for doc_id in ids:
                    row = db.execute(f"SELECT rowid FROM {t} WHERE id = ?", (doc_id,)).fetchone()
                    if row is not None:
                        db.execute(f"DELETE FROM {t} WHERE rowid = ?", (row[0],))
                        db.execute(f"DELETE FROM {t}_vec WHERE rowid = ?", (row[0],))
                        gone += 1
            return gone

        return await self._run(delete)

    # -- the database, in a worker thread ----------------------------------------------
    async def _run(self, work: Callable[[Any], T]) -> T:
        def locked() -> T:
            module = _sqlite_module()
            with self._lock:
                try:
                    if self._connection is None:
                        self._connection = _open(self.path)
                    return work(self._connection)
                except module.Error as exc:
                    raise _store_error(exc, self.path) from None

        return await asyncio.to_thread(locked)

    def _close(self, db: Any) -> None:
        db.close()
        self._connection, self._ready = None, False

    def _has_tables(self, db: Any) -> bool:
        if self._ready:
            return True
        row = db.execute(
            "SELECT sql FROM sqlite_master WHERE name = ?", (f"{self.table}_vec",)
        ).fetchone()
        if row is None:
            return False
        found = _DIMENSIONS.search(row[0])
        stored = int(found.group(1)) if found else None
        if self.dimensions is not None and stored is not None and stored != self.dimensions:
            raise ConfigurationError(
                f"table {self.table!r} of {self.path} holds vectors of {stored} dimensions, "
                f"not {self.dimensions}: use the embedding model it was made with, or "
                "another table"
            )
        self.dimensions = stored
        self._ready = True
        return True

    def _create(self, db: Any) -> None:
        if self._has_tables(db):
            return
        t = self.table
        with db:
            db.execute(
                f"CREATE TABLE IF NOT EXISTS {t} (rowid INTEGER PRIMARY KEY, id TEXT UNIQUE "
                "NOT NULL, text TEXT NOT NULL, metadata TEXT NOT NULL)"
            )
            db.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {t}_vec USING vec0(embedding "
                f"float[{self.dimensions}] distance_metric=cosine)"
            )
        self._ready = True

    def _held(self, db: Any, ids: list[str]) -> set[str]:
        held: set[str] = set()
        for at in range(0, len(ids), 500):
            chunk = ids[at : at + 500]
            marks = ",".join("?" * len(chunk))
            rows = db.execute(f"SELECT id FROM {self.table} WHERE id IN ({marks})", chunk)
            held.update(row[0] for row in rows)
        return held

    def _upsert(self, db: Any, document: Document, vector: array[float]) -> None:
        t = self.table
        old = db.execute(f"SELECT rowid FROM {t} WHERE id = ?", (document.id,)).fetchone()
        if old is not None:
            db.execute(f"DELETE FROM {t} WHERE rowid = ?", (old[0],))
            db.execute(f"DELETE FROM {t}_vec WHERE rowid = ?", (old[0],))
        cursor = db.execute(
            f"INSERT INTO {t} (id, text, metadata) VALUES (?, ?, ?)",
            (document.id, document.text, json.dumps(dict(document.metadata))),
        )
        db.execute(
            f"INSERT INTO {t}_vec (rowid, embedding) VALUES (?, ?)",
            (cursor.lastrowid, vector.tobytes()),
        )
