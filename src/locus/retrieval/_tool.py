"""``retrieval_tool``: a ``Retriever`` as a tool an agent calls, with an optional rerank.

The tool takes one argument, ``query``; it fetches ``candidates`` documents (``k`` without
a reranker), reranks them when a reranker is given, and answers the ``k`` best as
numbered passages with their ids and scores, which the model reads as the tool's result.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from locus.core.errors import ConfigurationError
from locus.retrieval._document import Document
from locus.retrieval._protocols import Reranker, Retriever
from locus.tools.decorator import Tool

__all__ = ["format_documents", "rerank_documents", "retrieval_tool"]

_DESCRIPTION = (
    "Search the document collection and return the passages most relevant to the query. "
    "Use it to look up facts before answering."
)


def retrieval_tool(
    retriever: Retriever,
    *,
    name: str = "search_documents",
    description: str | None = None,
    k: int = 4,
    rerank: Reranker | None = None,
    candidates: int = 20,
) -> Tool[[str], Any]:
    """A tool ``name(query: str) -> str`` over ``retriever`` (see the module docstring)."""
    if k < 1 or candidates < k:
        raise ConfigurationError(f"need 1 <= k <= candidates, got k={k}, candidates={candidates}")

    async def search(query: str) -> str:
        """Search the documents.

        Args:
            query: What to look for, in a few words or a question.
        """
        found = await retriever.search(query, candidates if rerank is not None else k)
        if rerank is not None:
            found = await rerank_documents(rerank, query, found, k)
        return format_documents(found[:k])

    return Tool(search, name=name, description=description or _DESCRIPTION)


async def rerank_documents(
    reranker: Reranker, query: str, documents: list[Document], k: int
) -> list[Document]:
    """``documents`` reordered by ``reranker``, the ``k`` best, scored by it."""
    if not documents:
        return []
    ranked = await reranker.rerank(query, [d.text for d in documents], top_n=k)
    return [replace(documents[r.index], score=r.score) for r in ranked]


def format_documents(documents: list[Document]) -> str:
    """Numbered passages with their ids and scores (what the model reads)."""
    if not documents:
        return "No documents matched the query."
    parts = []
    for number, doc in enumerate(documents, 1):
        score = "" if doc.score is None else f", score {doc.score:.3f}"
        parts.append(f"[{number}] (id {doc.id}{score})\n{doc.text}")
    return "\n\n".join(parts)
