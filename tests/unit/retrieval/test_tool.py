"""``as_tool()``: the retrieval tool an agent calls, with and without a rerank step."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from locus.core.errors import ConfigurationError, ResponseError
from locus.retrieval import Document, InMemoryVectorStore, retrieval_tool

from ._doubles import Rank, WordEmbedder, WordReranker

TEXTS = [
    "Lisbon office hours: the Lisbon office opens at 08:30.",
    "The office in Porto opens at 09:00.",
    "Lisbon trams run every ten minutes; the office of tourism sells tickets.",
]


async def _store() -> InMemoryVectorStore:
    store = InMemoryVectorStore(WordEmbedder())
    await store.add(TEXTS)
    return store


async def test_the_tool_answers_numbered_passages_with_ids_and_scores() -> None:
    tool = (await _store()).as_tool(k=2)
    assert tool.name == "search_documents"
    assert tool.spec.parameters["required"] == ["query"]
    text = await tool.invoke({"query": "When does the Lisbon office open?"})
    assert text.startswith("[1] (id doc-0, score ")
    assert "[2]" in text and "[3]" not in text


async def test_rerank_reorders_the_candidates_and_scores_them() -> None:
    tool = (await _store()).as_tool(k=1, rerank=WordReranker(), candidates=3)
    text = await tool.func("Porto office")
    assert text.startswith("[1] (id doc-1, score 1.000)")


async def test_any_retriever_becomes_a_tool() -> None:
    class Fixed:
        async def search(self, query: str, k: int = 4) -> list[Document]:
            return [Document(f"echo {query}", id="x")][:k]

    tool = retrieval_tool(Fixed(), name="lookup", description="Look things up.")
    assert tool.name == "lookup" and tool.description == "Look things up."
    assert await tool.func("hi") == "[1] (id x)\necho hi"


async def test_a_search_that_finds_nothing_says_so() -> None:
    tool = InMemoryVectorStore(WordEmbedder()).as_tool()
    assert await tool.func("anything") == "No documents matched the query."


async def test_a_huge_document_does_not_fill_the_models_context() -> None:
    store = InMemoryVectorStore(WordEmbedder())
    huge = "Lisbon office " + "word " * 200_000
    await store.add([huge, "The Lisbon office opens at 08:30.", "Lisbon office parking."])
    text = await store.as_tool(k=3).func("Lisbon office")
    assert len(text) <= 8000
    assert all(f"(id doc-{i}," in text for i in range(3))  # the huge one is cut, not dropped
    assert text.endswith(" more characters cut]")
    small = await store.as_tool(k=3, max_chars=400).func("Lisbon office opens")
    assert len(small) <= 400 and small.startswith("[1] (id doc-1")


async def test_many_passages_are_counted_when_they_do_not_fit() -> None:
    store = InMemoryVectorStore(WordEmbedder())
    await store.add([f"note {i} " + "filler " * 100 for i in range(30)])
    text = await store.as_tool(k=30, candidates=30, max_chars=2000).func("note filler")
    assert len(text) <= 2000
    shown = text.count("(id doc-")
    assert 1 <= shown < 30
    assert f"[{30 - shown} more passages left out" in text


async def test_an_empty_query_from_the_model_is_an_error_it_reads() -> None:
    store = await _store()
    with pytest.raises(ConfigurationError, match="query is empty"):
        await store.as_tool().func("  ")


async def test_a_reranker_answering_a_wrong_index_is_a_response_error() -> None:
    class Wrong:
        async def rerank(
            self, query: str, documents: Sequence[str], *, top_n: int | None = None
        ) -> list[Rank]:
            return [Rank(len(documents) + 3, 1.0)]

    tool = (await _store()).as_tool(k=1, rerank=Wrong(), candidates=3)
    with pytest.raises(ResponseError, match="indices"):
        await tool.func("Lisbon")


@pytest.mark.parametrize(
    "options",
    [{"k": 0}, {"k": True}, {"k": 2, "candidates": 1}, {"max_chars": 10}, {"max_chars": 1.5}],
)
def test_bad_tool_options(options: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError):
        retrieval_tool(InMemoryVectorStore(WordEmbedder()), **options)
