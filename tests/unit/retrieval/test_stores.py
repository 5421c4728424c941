"""The vector stores that need no server: in memory, and SQLite with sqlite-vec."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from locus.core.errors import ConfigurationError
from locus.retrieval import Document, InMemoryVectorStore, Retriever, SQLiteVecStore, VectorStore

from ._doubles import WordEmbedder

TEXTS = [
    "The Lisbon office opens at 08:30 on weekdays.",
    "The Porto office opens at 09:00 and closes at 17:00.",
    "Bananas are rich in potassium.",
    "Lisbon is the capital of Portugal.",
]

StoreFactory = Callable[..., VectorStore]


@pytest.fixture(params=["memory", "sqlite-vec"])
async def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[StoreFactory]:
    made: list[VectorStore] = []

    def make(embedder: WordEmbedder | None = None, **options: object) -> VectorStore:
        embedder = embedder or WordEmbedder()
        store: VectorStore
        if request.param == "memory":
            store = InMemoryVectorStore(embedder, **options)  # type: ignore[arg-type]
        else:
            store = SQLiteVecStore(tmp_path / "rag.db", embedder, **options)  # type: ignore[arg-type]
        made.append(store)
        return store

    yield make
    for store in made:
        if isinstance(store, SQLiteVecStore):
            await store.close()


async def test_the_closest_document_comes_first_with_a_cosine_score(
    make_store: StoreFactory,
) -> None:
    embedder = WordEmbedder()
    store = make_store(embedder)
    assert isinstance(store, Retriever)
    ids = await store.add(TEXTS)
    assert ids == ["doc-0", "doc-1", "doc-2", "doc-3"]
    assert embedder.calls == [(4, "search_document")]
    found = await store.search("When does the Lisbon office open?", k=2)
    assert [d.id for d in found] == ["doc-0", "doc-1"]  # doc-1 shares "office" and "open"
    assert found[0].text == TEXTS[0]
    assert 1.0 >= found[0].score > found[1].score > 0.0  # type: ignore[operator]
    assert embedder.calls[-1] == (1, "search_query")


async def test_ids_metadata_and_replacing_a_document(make_store: StoreFactory) -> None:
    store = make_store()
    await store.add([Document("bananas are yellow", id="fruit", metadata={"page": 3})])
    await store.add(["a note about trains"])
    found = await store.search("bananas", k=1)
    assert (found[0].id, dict(found[0].metadata)) == ("fruit", {"page": 3})
    await store.add([Document("apples are red", id="fruit", metadata={"page": 4})])
    found = await store.search("apples", k=5)
    assert [d.id for d in found].count("fruit") == 1
    assert found[0].text == "apples are red" and found[0].metadata == {"page": 4}
    assert len(found) == 2


async def test_an_empty_store_finds_nothing_and_k_is_checked(make_store: StoreFactory) -> None:
    store = make_store()
    assert await store.search("anything") == []
    assert await store.add([]) == []
    with pytest.raises(ConfigurationError, match="k must be a whole number, at least 1"):
        await store.search("anything", k=0)


async def test_vectors_of_another_length_are_refused(make_store: StoreFactory) -> None:
    store = make_store(WordEmbedder(256))
    await store.add(TEXTS)
    store.embedder = WordEmbedder(128)
    with pytest.raises(ConfigurationError, match="same embedding model"):
        await store.search("Lisbon")


async def test_a_sqlite_vec_file_keeps_its_documents(tmp_path: Path) -> None:
    first = SQLiteVecStore(tmp_path / "kept.db", WordEmbedder(), table="notes")
    await first.add(TEXTS)
    await first.close()
    again = SQLiteVecStore(tmp_path / "kept.db", WordEmbedder(), table="notes")
    found = await again.search("potassium in bananas", k=1)
    assert found[0].id == "doc-2" and again.dimensions == 256
    assert await again.add(["one more"]) == ["doc-4"]
    await again.close()
    wrong = SQLiteVecStore(tmp_path / "kept.db", WordEmbedder(64), table="notes", dimensions=64)
    with pytest.raises(ConfigurationError, match="holds vectors of 256 dimensions"):
        await wrong.search("bananas")
    await wrong.close()


def test_table_names_are_checked() -> None:
    with pytest.raises(ConfigurationError, match="plain identifier"):
        SQLiteVecStore(":memory:", WordEmbedder(), table="docs; DROP TABLE x")
