"""``PgVectorStore``: documents in PostgreSQL, searched with the pgvector extension
(``pip install "locus-oci[pgvector]"``, psycopg 3) — for many machines sharing one store.

One table: ``id text primary key, text, metadata jsonb, embedding vector(N)``, with an
HNSW index on cosine distance (``index=None`` leaves it out: exact scans). The extension is
created when missing (``CREATE EXTENSION IF NOT EXISTS vector`` needs the right to).
Give a ``dsn`` (one connection, used by one call at a time) or a ``psycopg_pool``
``AsyncConnectionPool`` as ``pool`` (calls in parallel).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import importlib
import sys
from array import array
from collections.abc import AsyncIterator
from typing import Any, Literal

from locus.core.errors import ConfigurationError, StoreError, StoreUnavailableError
from locus.retrieval._checks import Scalar, assign_ids, candidate_blocks, finite
from locus.retrieval._document import Document
from locus.retrieval._protocols import Embedder
from locus.retrieval._sqlite_vec import check_table_name
from locus.retrieval._store import VectorStore

__all__ = ["PgVectorStore"]

_EF_MAX = 1000
"""pgvector's largest ``hnsw.ef_search``; an index scan answers at most that many rows."""


def _literal(vector: array[float]) -> str:
    """pgvector's text form of a vector: ``[0.1,0.2,...]``."""
    return "[" + ",".join(repr(x) for x in vector.tolist()) + "]"


class PgVectorStore(VectorStore):
    """``PgVectorStore(embedder, dsn="postgresql://...")``: a vector store in PostgreSQL."""

    def __init__(
        self,
        embedder: Embedder,
        *,
        dsn: str | None = None,
        pool: Any = None,
        table: str = "locus_documents",
        dimensions: int | None = None,
        index: Literal["hnsw"] | None = "hnsw",
    ) -> None:
        if (dsn is None) == (pool is None):
            raise ConfigurationError("give PgVectorStore either dsn=... or pool=..., not both")
        if index not in ("hnsw", None):
            raise ConfigurationError(f"index must be 'hnsw' or None, not {index!r}")
        super().__init__(embedder, dimensions=dimensions)
        self.table = check_table_name(table)
        self.index = index
        self._dsn = dsn
        self._pool = pool
        self._connection: Any = None
        self._lock = asyncio.Lock()
        self._ready = False

    def __repr__(self) -> str:  # the DSN may hold a password: never shown
        return f"PgVectorStore(table={self.table!r})"

    async def close(self) -> None:
        """Close the store's own connection (a given pool is the caller's to close)."""
        if self._connection is not None:
            await self._connection.close()
            self._connection, self._ready = None, False

    async def _write(self, documents: list[Document], vectors: list[array[float]]) -> list[str]:
        Jsonb = _psycopg().types.json.Jsonb

        t = self.table
        statement = (
            f"INSERT INTO {t} (id, text, metadata, embedding) "
            "VALUES (%s, %s, %s, %s::vector) ON CONFLICT (id) DO UPDATE SET "
            "text = EXCLUDED.text, metadata = EXCLUDED.metadata, embedding = EXCLUDED.embedding"
        )
        async with self._db() as db:
            await self._create(db)
            async with db.transaction():
                # writers of this table queue here (any process): no two name the same ids
                await db.execute("SELECT pg_advisory_xact_lock(%s)", (_lock_key(t),))
                named = await self._named(db, documents)
                rows = [
                    (d.id, d.text, Jsonb(dict(d.metadata)), _literal(v))
                    for d, v in zip(named, vectors, strict=True)
                ]
                async with db.cursor() as cursor:
                    await cursor.executemany(statement, rows)
        return [d.id for d in named]

    async def _nearest(
        self, vector: array[float], k: int, where: dict[str, Scalar] | None
    ) -> list[Document]:
        Jsonb = _psycopg().types.json.Jsonb

        t = self.table
        # the index answers at most hnsw.ef_search rows (1,000 at most), and a filter
        # applies after it (fewer than k): beyond, and when filtered, an exact scan
        exact = self.index != "hnsw" or k > _EF_MAX or where is not None
        order = "distance, id" if exact else "distance"
        condition = " AND ".join(["TRUE", *("metadata -> %s = %s" for _ in where or {})])
        params: list[Any] = [_literal(vector)]
        for key, value in (where or {}).items():
            params += [key, Jsonb(value)]
        params.append(k)
        query = (
            f"SELECT id, text, metadata, embedding <=> %s::vector AS distance "
            f"FROM {t} WHERE {condition} ORDER BY {order} LIMIT %s"
        )
        async with self._db() as db:
            if not await self._has_table(db):
                return []
            self.check_query_vector(vector)
            async with db.transaction():
                if order == "distance":
                    await db.execute(
                        "SELECT set_config('hnsw.ef_search', %s, true)", (str(max(k, 40)),)
                    )
                cursor = await db.execute(query, params)
                rows = await cursor.fetchall()
        found = [
            Document(text, doc_id, meta or {}, round(finite(1.0 - float(distance)), 6))
            for doc_id, text, meta, distance in rows
        ]
        return sorted(found, key=lambda d: (-(d.score or 0.0), d.id))

    async def _delete(self, ids: list[str]) -> int:
        async with self._db() as db:
            if not await self._has_table(db):
                return 0
            cursor = await db.execute(f"DELETE FROM {self.table} WHERE id = ANY(%s)", (ids,))
            return int(cursor.rowcount)

    async def _named(self, db: Any, documents: list[Document]) -> list[Document]:
        """``documents`` with fresh ``doc-<n>`` ids for those without one (each candidate
        block looked up by primary key: no scan of the table beyond the count)."""
        if all(d.id for d in documents):
            return documents
        cursor = await db.execute(f"SELECT count(*) FROM {self.table}")
        row = await cursor.fetchone()
        blocks = candidate_blocks(documents, int(row[0]))
        free: list[str] = []
        block = next(blocks, None)
        while block is not None:
            cursor = await db.execute(f"SELECT id FROM {self.table} WHERE id = ANY(%s)", (block,))
            free += blocks.send({r[0] for r in await cursor.fetchall()})
            block = next(blocks, None)
        return assign_ids(documents, free)

    # -- connections -------------------------------------------------------------------
    @contextlib.asynccontextmanager
    async def _db(self) -> AsyncIterator[Any]:
        psycopg = _psycopg()
        try:
            if self._pool is not None:
                async with self._pool.connection() as connection:
                    yield connection
                return
            async with self._lock:
                if self._connection is None:
                    self._connection = await psycopg.AsyncConnection.connect(
                        str(self._dsn), autocommit=True
                    )
                yield self._connection
        except psycopg.Error as exc:
            if self._connection is not None and self._connection.broken:
                self._connection, self._ready = None, False  # the next call reconnects
            raise _store_error(exc, self.table) from None

    async def _has_table(self, db: Any) -> bool:
        if self._ready:
            return True
        cursor = await db.execute(
            "SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
            "WHERE a.attrelid = to_regclass(%s) AND a.attname = 'embedding'",
            (self.table,),
        )
        row = await cursor.fetchone()
        if row is None:
            return False
        stored = int(row[0].partition("(")[2].rstrip(")") or 0) or None
        if stored is not None and self.dimensions is not None and stored != self.dimensions:
            raise ConfigurationError(
                f"table {self.table!r} holds vectors of {stored} dimensions, not "
                f"{self.dimensions}: use the embedding model it was made with, or another table"
            )
        self.dimensions = stored
        self._ready = True
        return True

    async def _create(self, db: Any) -> None:
        if await self._has_table(db):
            return
        await _create_extension(db)
        try:
            await self._create_table(db)
        except BaseException:
            self._ready = False  # nothing of it was committed
            raise

    async def _create_table(self, db: Any) -> None:
        t = self.table
        async with db.transaction():  # two processes creating one table: one at a time
            await db.execute("SELECT pg_advisory_xact_lock(%s)", (_lock_key(t),))
            await db.execute(
                f"CREATE TABLE IF NOT EXISTS {t} (id text PRIMARY KEY, text text NOT NULL, "
                f"metadata jsonb NOT NULL, embedding vector({self.dimensions}) NOT NULL)"
            )
            if not await self._has_table(db):  # checks a table made meanwhile, too
                raise ConfigurationError(
                    f"table {t!r} already exists without a vector column named embedding "
                    "(not a PgVectorStore table): give PgVectorStore another table=..."
                )
            if self.index == "hnsw":
                await db.execute(
                    f"CREATE INDEX IF NOT EXISTS {t}_embedding_hnsw ON {t} "
                    "USING hnsw (embedding vector_cosine_ops)"
                )


def _lock_key(table: str) -> int:
    """A stable 63-bit advisory lock key for ``table``'s writers."""
    digest = hashlib.blake2b(f"locus.retrieval:{table}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


async def _create_extension(db: Any) -> None:
    import psycopg

    cursor = await db.execute("SELECT 1 FROM pg_extension WHERE extname = 'vector'")
    if await cursor.fetchone() is not None:
        return
    try:
        async with db.transaction():
            await db.execute("SELECT pg_advisory_xact_lock(%s)", (_lock_key("CREATE EXTENSION"),))
            await db.execute("CREATE EXTENSION IF NOT EXISTS vector")
    except psycopg.Error as exc:
        raise ConfigurationError(
            "PgVectorStore needs the pgvector extension in this database, and it could not "
            f"be created ({type(exc).__name__}: {exc.diag.message_primary or exc}): install "
            "pgvector on the PostgreSQL server (https://github.com/pgvector/pgvector) and "
            "have a user with the right to run CREATE EXTENSION vector in this database"
        ) from exc


def _psycopg() -> Any:
    """psycopg 3 (with ``psycopg.types.json``), or a ``ConfigurationError`` naming the extra."""
    try:
        importlib.import_module("psycopg.types.json")
    except ImportError:
        raise ConfigurationError(
            'PgVectorStore needs psycopg 3; install it with: pip install "locus-oci[pgvector]"'
        ) from None
    return sys.modules["psycopg"]


def _store_error(exc: Any, table: str) -> StoreError:
    """psycopg's ``exc`` as a ``StoreError`` (``StoreUnavailableError`` when the server
    cannot be reached or the connection broke); the text never holds the DSN."""
    said = (exc.diag.message_primary if exc.diag else None) or str(exc).split("\n")[0]
    state = exc.sqlstate or ""
    where = f"PgVectorStore(table={table!r})"
    if state.startswith(("08", "57P")) or isinstance(exc, _psycopg().OperationalError):
        return StoreUnavailableError(
            f"{where}: the database could not be reached or the connection broke "
            f"({type(exc).__name__}: {said}); nothing was written by this call: retry when "
            "the server is back (the store reconnects by itself)"
        )
    return StoreError(f"{where}: the database failed: {type(exc).__name__}: {said}")
