"""``PgVectorStore`` on a real PostgreSQL, as an outside user attacks it: hostile texts and
ids, another embedding model, large ``k`` through the HNSW index, two writers at once,
deletes, and a server without pgvector."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from typing import Any

import pytest

from locus.core.errors import ConfigurationError, StoreUnavailableError
from locus.retrieval import Document, PgVectorStore
from tests.integration.stores.services import service_dsn
from tests.unit.retrieval._doubles import WordEmbedder

HOSTILE = "'); DROP TABLE pg_class; -- \" $$ \\ %s %(x)s"


@pytest.fixture
async def stores(pg_dsn: str, pg_table: str) -> AsyncIterator[list[PgVectorStore]]:
    made = [PgVectorStore(WordEmbedder(64), dsn=pg_dsn, table=pg_table) for _ in range(2)]
    yield made
    for store in made:
        await store.close()


async def _index_scans(pool: Any, table: str) -> int:
    """How many scans the table's HNSW index answered, as the server counts them (the
    connection of the search flushes its counters first)."""
    async with pool.connection() as db:
        await db.execute("SELECT pg_stat_force_next_flush()")
    async with pool.connection() as db:
        cursor = await db.execute(
            "SELECT coalesce(sum(idx_scan), 0) FROM pg_stat_user_indexes "
            "WHERE relname = %s AND indexrelname LIKE %s",
            (table, "%hnsw"),
        )
        row = await cursor.fetchone()
        assert row is not None
        return int(row[0])


async def test_hostile_strings_are_data_and_bad_text_is_refused(
    stores: list[PgVectorStore],
) -> None:
    store = stores[0]
    await store.add([Document(HOSTILE, id=HOSTILE, metadata={HOSTILE: [HOSTILE, 1]})])
    found = await store.search(HOSTILE, k=3)
    assert [(d.id, d.text, d.metadata) for d in found] == [
        (HOSTILE, HOSTILE, {HOSTILE: [HOSTILE, 1]})
    ]
    for bad, words in [
        (Document("a\x00b"), "NUL"),
        (Document("ok", metadata={"k": "v\x00"}), "NUL"),
        (Document("a\udfffb"), "surrogate"),
    ]:
        with pytest.raises(ConfigurationError, match=words):
            await store.add([bad])
    assert await store.delete([HOSTILE, "nobody"]) == 1
    assert await store.search("anything", k=3) == []


async def test_a_query_of_another_model_on_a_reopened_table(
    pg_dsn: str, pg_table: str, stores: list[PgVectorStore]
) -> None:
    await stores[0].add(["one text", "two texts"])
    other = PgVectorStore(WordEmbedder(32), dsn=pg_dsn, table=pg_table)
    try:
        with pytest.raises(ConfigurationError, match="same embedding model"):
            await other.search("text")
    finally:
        await other.close()


async def test_a_large_k_uses_the_index_and_answers_k_documents(pg_dsn: str, pg_table: str) -> None:
    from psycopg_pool import AsyncConnectionPool

    async with AsyncConnectionPool(
        pg_dsn, min_size=1, max_size=1, open=False, kwargs={"autocommit": True}
    ) as pool:
        store = PgVectorStore(WordEmbedder(64), pool=pool, table=pg_table)
        await store.add([f"note {i} on topic {i % 37} and item {i * 7}" for i in range(1200)])
        before = await _index_scans(pool, pg_table)
        found = await store.search("note on topic 5", k=100)
        assert len(found) == 100 and len({d.id for d in found}) == 100
        assert await _index_scans(pool, pg_table) > before  # the HNSW index answered
        scores = [d.score for d in found]
        assert scores == sorted(scores, reverse=True)  # type: ignore[type-var]
        assert len(await store.search("note", k=1100)) == 1100  # beyond ef_search's 1,000
        assert len(await store.search("note", k=50_000)) == 1200
        assert len(await store.search("note", k=10**30)) == 1200  # beyond bigint


async def test_two_writers_on_a_new_table_lose_nothing(stores: list[PgVectorStore]) -> None:
    batches = [[f"writer {w} note {i}" for i in range(40)] for w in range(2)]
    for _ in range(2):
        await asyncio.gather(*(s.add(b) for s, b in zip(stores, batches, strict=True)))
    ids = [d.id for d in await stores[1].search("writer note", k=1000)]
    assert len(ids) == 160 and len(set(ids)) == 160


async def test_a_server_without_pgvector_is_a_clear_error() -> None:
    dsn = service_dsn("LOCUS_TEST_POSTGRES_DSN")  # the plain PostgreSQL, no pgvector
    store = PgVectorStore(WordEmbedder(), dsn=dsn, table="locus_no_vector_here")
    try:
        with pytest.raises(ConfigurationError, match="pgvector") as caught:
            await store.add(["one text"])
        assert "CREATE EXTENSION vector" in str(caught.value)
    finally:
        await store.close()


@pytest.mark.parametrize(
    ("where", "ids"),
    [
        ({"team": "red"}, ["a", "b"]),
        ({"year": 2024}, ["a", "c"]),
        ({"final": True}, ["a"]),
        ({"final": 1}, ["d"]),
        ({"note": None}, ["c"]),
        ({HOSTILE: HOSTILE}, ["e"]),
        ({"team": "' OR 1=1 --"}, []),
        ({"team": "red", "year": 2023}, ["b"]),
    ],
)
async def test_metadata_filters_match_exactly_and_hostile_keys_are_data(
    stores: list[PgVectorStore], where: dict[str, object], ids: list[str]
) -> None:
    store = stores[0]
    await store.add(
        [
            Document("alpha report", id="a", metadata={"team": "red", "year": 2024, "final": True}),
            Document("alpha draft", id="b", metadata={"team": "red", "year": 2023, "final": False}),
            Document("alpha memo", id="c", metadata={"team": "blue", "year": 2024.0, "note": None}),
            Document("alpha list", id="d", metadata={"team": ["red"], "year": "2024", "final": 1}),
            Document("alpha quote", id="e", metadata={HOSTILE: HOSTILE}),
        ]
    )
    found = await store.search("alpha", k=10, filter=where)  # type: ignore[arg-type]
    assert sorted(d.id for d in found) == ids


async def test_a_filtered_search_finds_matches_past_the_index_window(
    stores: list[PgVectorStore],
) -> None:
    store = stores[0]
    await store.add([Document(f"alpha beta {i}", metadata={"n": i % 50}) for i in range(600)])
    await store.add([Document("unrelated words here", id="far", metadata={"n": 999})])
    assert [d.id for d in await store.search("alpha beta", k=3, filter={"n": 999})] == ["far"]
    assert len(await store.search("alpha beta", k=20, filter={"n": 7})) == 12


async def test_a_dropped_connection_is_typed_and_the_store_reconnects(
    pg_dsn: str, stores: list[PgVectorStore]
) -> None:
    import psycopg

    store = stores[0]
    await store.add(["one text", "two texts"])
    await store.delete(["nobody"])  # the connection's last statement names the table
    async with await psycopg.AsyncConnection.connect(pg_dsn, autocommit=True) as admin:
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE pid <> pg_backend_pid() AND query LIKE %s",
            (f"%{store.table}%",),
        )
    with pytest.raises(StoreUnavailableError, match="retry") as caught:
        await store.search("text")
    assert pg_dsn not in str(caught.value)
    assert len(await store.search("text")) == 2  # a new connection, by itself


async def test_a_server_that_cannot_be_reached_is_typed() -> None:
    store = PgVectorStore(WordEmbedder(), dsn="postgresql://u:sekret@127.0.0.1:9/x", table="t")
    with pytest.raises(StoreUnavailableError) as caught:
        await store.search("text")
    assert "sekret" not in str(caught.value)
    await store.close()


async def test_psycopg_missing_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, pg_dsn: str
) -> None:
    for name in ("psycopg", "psycopg.types", "psycopg.types.json"):
        monkeypatch.setitem(sys.modules, name, None)
    store = PgVectorStore(WordEmbedder(), dsn=pg_dsn, table="t")
    with pytest.raises(ConfigurationError, match=r'pip install "locus-oci\[pgvector\]"'):
        await store.add(["text"])
    with pytest.raises(ConfigurationError, match=r'pip install "locus-oci\[pgvector\]"'):
        await store.search("text")


async def test_a_table_of_something_else_is_not_written_to(pg_dsn: str, pg_table: str) -> None:
    import psycopg

    async with await psycopg.AsyncConnection.connect(pg_dsn, autocommit=True) as db:
        await db.execute(f"CREATE TABLE {pg_table} (id text PRIMARY KEY, note text)")
    store = PgVectorStore(WordEmbedder(), dsn=pg_dsn, table=pg_table)
    try:
        with pytest.raises(ConfigurationError, match="another table"):
            await store.add(["text"])
        assert await store.search("text") == []
    finally:
        await store.close()
