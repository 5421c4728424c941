"""``as_tool()``: the retrieval tool an agent calls, with and without a rerank step."""

from __future__ import annotations

from locus.retrieval import Document, InMemoryVectorStore, retrieval_tool

from ._doubles import WordEmbedder, WordReranker

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
