"""What an outside user throws at the stores without a server (in memory, sqlite-vec):
odd texts, odd metadata, odd ``k``, another embedding model, racing adds, deletes."""

from __future__ import annotations

import asyncio
import datetime
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path

import pytest

from locus.core.errors import (
    ConfigurationError,
    ResponseError,
    StoreError,
    StoreUnavailableError,
)
from locus.retrieval import Document, InMemoryVectorStore, SQLiteVecStore, VectorStore
from tests.deadlines import within

from ._doubles import WordEmbedder

StoreFactory = Callable[..., VectorStore]


@pytest.fixture(params=["memory", "sqlite-vec"])
async def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[StoreFactory]:
    made: list[VectorStore] = []

    def make(embedder: object = None, path: Path | None = None) -> VectorStore:
        chosen = embedder or WordEmbedder()
        store: VectorStore
        if request.param == "memory":
            store = InMemoryVectorStore(chosen)  # type: ignore[arg-type]
        else:
            store = SQLiteVecStore(path or tmp_path / "rag.db", chosen)  # type: ignore[arg-type]
        made.append(store)
        return store

    yield make
    for store in made:
        if isinstance(store, SQLiteVecStore):
            await store.close()


@pytest.mark.parametrize(
    ("document", "words"),
    [
        (Document("a\x00b"), "NUL"),
        (Document("a\ud800b"), "surrogate"),
        (Document(""), "no text"),
        (Document("   \n"), "no text"),
        (Document("x", metadata={"when": datetime.date(2024, 1, 1)}), "JSON"),
        (Document("x", metadata={"a": "b\x00"}), "NUL"),
        (Document("x", metadata={1: "one"}), "keys"),  # type: ignore[dict-item]
        (Document("x", metadata={"n": float("nan")}), "JSON"),
        (Document("x", metadata=["not", "a", "mapping"]), "mapping"),  # type: ignore[arg-type]
        (Document(None), "text"),  # type: ignore[arg-type]
        (Document("x", id=7), "id"),  # type: ignore[arg-type]
    ],
)
async def test_bad_documents_are_refused_before_anything_is_stored(
    make_store: StoreFactory, document: Document, words: str
) -> None:
    store = make_store()
    with pytest.raises(ConfigurationError, match=words) as caught:
        await store.add([Document("a fine text"), document])
    assert "document 1" in str(caught.value)
    assert await store.search("fine text", k=10) == []


async def test_a_bare_string_is_not_split_into_characters(make_store: StoreFactory) -> None:
    store = make_store()
    with pytest.raises(ConfigurationError, match=r"add\(\[text\]\)"):
        await store.add("hello")


async def test_metadata_is_kept_as_given_and_not_shared(make_store: StoreFactory) -> None:
    store = make_store()
    tags = ["a"]
    meta = {"tags": tags, "nested": {"ü": "ñ\u2028"}, "n": None, "x": 1.5}
    await store.add([Document("unicode text 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 émoji 🎉", id="u", metadata=meta)])
    tags.append("changed later")
    found = await store.search("unicode text", k=1)
    assert found[0].text == "unicode text 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 émoji 🎉"
    assert found[0].metadata == {"tags": ["a"], "nested": {"ü": "ñ\u2028"}, "n": None, "x": 1.5}


@pytest.mark.parametrize("k", [0, -1, 2.5, True, "3", None])
async def test_k_must_be_a_positive_whole_number(make_store: StoreFactory, k: object) -> None:
    store = make_store()
    await store.add(["one text"])
    with pytest.raises(ConfigurationError, match="k must be a whole number"):
        await store.search("text", k=k)  # type: ignore[arg-type]


async def test_a_k_larger_than_the_store_answers_every_document(make_store: StoreFactory) -> None:
    store = make_store()
    await store.add([f"note {i} about trains" for i in range(5)])
    assert len(await store.search("trains", k=5000)) == 5
    assert len(await store.search("trains", k=1_000_000)) == 5
    assert len(await store.search("trains", k=10**30)) == 5  # beyond SQLite's integers
    assert len(await store.search("trains", k=10**30, filter={})) == 5


async def test_an_empty_query_is_a_clear_error(make_store: StoreFactory) -> None:
    store = make_store()
    await store.add(["one text"])
    for query in ("", "  ", "\x00"):
        with pytest.raises(ConfigurationError, match="query"):
            await store.search(query)


async def test_a_query_from_another_embedding_model_on_a_reopened_store(
    make_store: StoreFactory, tmp_path: Path
) -> None:
    first = make_store(WordEmbedder(256), tmp_path / "dims.db")
    await first.add(["one text", "two texts"])
    if isinstance(first, SQLiteVecStore):
        await first.close()
        again = make_store(WordEmbedder(64), tmp_path / "dims.db")
    else:
        again = first
        again.embedder = WordEmbedder(64)
    with pytest.raises(ConfigurationError, match="same embedding model"):
        await again.search("text")
    with pytest.raises(ConfigurationError, match="dimensions"):
        await again.add(["three"])


class ShortEmbedder(WordEmbedder):
    """An embedder that answers one vector too few."""

    async def embed(
        self, texts: Sequence[str], *, input_type: str | None = None
    ) -> list[list[float]]:
        return (await super().embed(texts, input_type=input_type))[:-1]


async def test_an_embedder_answering_too_few_vectors_is_a_response_error(
    make_store: StoreFactory,
) -> None:
    store = make_store(ShortEmbedder())
    with pytest.raises(ResponseError, match="1 vectors for 2 texts"):
        await store.add(["one", "two"])


async def test_named_and_unnamed_documents_never_overwrite_each_other(
    make_store: StoreFactory,
) -> None:
    store = make_store()
    await store.add([Document("explicit five", id="doc-2")])
    ids = await store.add(["first", "second", Document("explicit zero", id="doc-0")])
    assert len(set(ids)) == 3 and ids[2] == "doc-0"
    found = await store.search("first second explicit five zero", k=10)
    assert sorted(d.text for d in found) == ["explicit five", "explicit zero", "first", "second"]


async def test_two_tasks_adding_at_once_lose_nothing(make_store: StoreFactory) -> None:
    store = make_store()
    batches = [[f"task {t} note {i}" for i in range(20)] for t in range(4)]
    results = await asyncio.gather(*(store.add(b) for b in batches))
    ids = [i for r in results for i in r]
    assert len(set(ids)) == 80
    assert len(await store.search("note", k=500)) == 80


async def test_the_same_id_twice_in_one_batch_keeps_the_last(make_store: StoreFactory) -> None:
    store = make_store()
    assert await store.add([Document("old", id="x"), Document("new", id="x")]) == ["x", "x"]
    assert [d.text for d in await store.search("new old", k=5)] == ["new"]


async def test_delete_removes_known_ids_and_counts_them(make_store: StoreFactory) -> None:
    store = make_store()
    await store.add(["keep me", "drop me", "drop me too"])
    assert await store.delete(["doc-1", "doc-2", "nobody", "doc-1"]) == 2
    assert await store.delete([]) == 0
    assert [d.id for d in await store.search("drop keep me", k=5)] == ["doc-0"]
    assert await store.add(["again"]) == ["doc-1"]  # a freed id is used again, never a kept one
    with pytest.raises(ConfigurationError, match="list of ids"):
        await store.delete("doc-0")


async def test_delete_on_a_store_never_written(make_store: StoreFactory) -> None:
    assert await make_store().delete(["doc-0"]) == 0


def test_sqlite_vec_missing_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "sqlite_vec", None)
    store = SQLiteVecStore(tmp_path / "x.db", WordEmbedder())
    with pytest.raises(ConfigurationError, match=r'pip install "locus-oci\[sqlite-vec\]"'):
        asyncio.run(store.add(["text"]))


async def test_two_sqlite_stores_on_one_file_lose_nothing(tmp_path: Path) -> None:
    """Two connections (as two processes have) adding to one file at once."""
    path = tmp_path / "shared.db"
    stores = [SQLiteVecStore(path, WordEmbedder()) for _ in range(2)]
    try:
        batches = [[f"writer {w} note {i}" for i in range(30)] for w in range(2)]
        for _ in range(3):
            await asyncio.gather(*(s.add(b) for s, b in zip(stores, batches, strict=True)))
        found = await stores[0].search("note", k=1000)
        assert len(found) == 180
    finally:
        for store in stores:
            await store.close()


FILTER_DOCS = [
    Document("alpha report", id="a", metadata={"team": "red", "year": 2024, "final": True}),
    Document("alpha draft", id="b", metadata={"team": "red", "year": 2023, "final": False}),
    Document("alpha memo", id="c", metadata={"team": "blue", "year": 2024.0, "note": None}),
    Document("alpha list", id="d", metadata={"team": ["red"], "year": "2024", "final": 1}),
    Document("alpha quote", id="e", metadata={'it\'s "odd"; DROP TABLE x; --': "$.team'"}),
]


@pytest.mark.parametrize(
    ("where", "ids"),
    [
        ({"team": "red"}, ["a", "b"]),  # not d, whose team is a list holding "red"
        ({"year": 2024}, ["a", "c"]),  # 2024.0 is the same number, "2024" is not
        ({"final": True}, ["a"]),  # not d's 1
        ({"final": 1}, ["d"]),  # not a's true
        ({"note": None}, ["c"]),  # a null value, not a missing key
        ({"team": "red", "year": 2023}, ["b"]),
        ({'it\'s "odd"; DROP TABLE x; --': "$.team'"}, ["e"]),
        ({"team": "' OR 1=1 --"}, []),
        ({"$.team": "red"}, []),
        ({}, ["a", "b", "c", "d", "e"]),
    ],
)
async def test_metadata_filters_match_exactly_and_hostile_keys_are_data(
    make_store: StoreFactory, where: dict[str, object], ids: list[str]
) -> None:
    store = make_store()
    await store.add(FILTER_DOCS)
    found = await store.search("alpha", k=10, filter=where)  # type: ignore[arg-type]
    assert sorted(d.id for d in found) == ids
    assert len(await store.search("alpha", k=5)) == 5


@pytest.mark.parametrize(
    ("where", "words"),
    [
        ({"team": ["red"]}, "filter values"),
        ({"team": {"a": 1}}, "filter values"),
        ({"n": float("nan")}, "filter values"),
        ({1: "x"}, "filter keys"),
        ({"": "x"}, "filter keys"),
        ({"k\x00": "x"}, "NUL"),
        ("team=red", "mapping"),
    ],
)
async def test_bad_filters_are_configuration_errors(
    make_store: StoreFactory, where: object, words: str
) -> None:
    store = make_store()
    await store.add(FILTER_DOCS)
    with pytest.raises(ConfigurationError, match=words):
        await store.search("alpha", filter=where)  # type: ignore[arg-type]


async def test_a_filtered_search_finds_k_matches_past_many_closer_others(
    make_store: StoreFactory,
) -> None:
    store = make_store()
    await store.add([Document(f"alpha beta {i}", metadata={"n": i % 50}) for i in range(500)])
    await store.add([Document("unrelated words here", id="far", metadata={"n": 999})])
    found = await store.search("alpha beta", k=3, filter={"n": 999})
    assert [d.id for d in found] == ["far"]
    assert len(await store.search("alpha beta", k=20, filter={"n": 7})) == 10


async def test_the_tool_can_be_held_to_a_filter(make_store: StoreFactory) -> None:
    store = make_store()
    await store.add(FILTER_DOCS)
    text = await store.as_tool(k=5, filter={"team": "blue"}).func("alpha")
    assert "(id c," in text and text.count("(id ") == 1


async def test_a_file_that_is_not_a_database_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"this is not an SQLite file, just text " * 200)
    store = SQLiteVecStore(path, WordEmbedder())
    try:
        with pytest.raises(StoreError, match=r"notes\.db") as caught:
            await store.add(["one text"])
        assert not isinstance(caught.value, StoreUnavailableError)
        with pytest.raises(StoreError):
            await store.search("text")
    finally:
        await store.close()


WRITER = """
import asyncio, sys
from locus.retrieval import SQLiteVecStore
from tests.unit.retrieval._doubles import WordEmbedder

async def main() -> None:
    store = SQLiteVecStore(sys.argv[1], WordEmbedder())
    for batch in range(5):
        await store.add([f"process {sys.argv[2]} batch {batch} note {i}" for i in range(20)])
    await store.close()

asyncio.run(main())
"""


async def test_two_processes_adding_to_one_file_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    root = Path(__file__).resolve().parents[3]
    writers = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-c", WRITER, str(path), str(n), cwd=root
        )
        for n in range(2)
    ]
    assert [await within(w.wait(), "a writer process ends") for w in writers] == [0, 0]
    store = SQLiteVecStore(path, WordEmbedder())
    try:
        found = await store.search("note", k=1000)
        assert len(found) == 200 and len({d.id for d in found}) == 200
    finally:
        await store.close()
