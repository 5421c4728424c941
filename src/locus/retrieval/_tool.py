"""``retrieval_tool``: a ``Retriever`` as a tool an agent calls, with an optional rerank.

The tool takes one argument, ``query``; it fetches ``candidates`` documents (``k`` without
a reranker), reranks them when a reranker is given, and answers the ``k`` best as
numbered passages with their ids and scores, which the model reads as the tool's result.
The answer is at most ``max_chars`` characters: a passage that does not fit is cut, and
the passages after it are counted, so a huge document cannot fill the model's context.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from locus.core.errors import ConfigurationError, ResponseError
from locus.retrieval._checks import check_k
from locus.retrieval._document import Document
from locus.retrieval._protocols import Reranker, Retriever
from locus.tools.decorator import Tool

__all__ = ["MAX_CHARS", "format_documents", "rerank_documents", "retrieval_tool"]

MAX_CHARS = 8000
"""The longest answer the retrieval tool gives by default (about 2,000 tokens)."""
_RESERVE = 150
_MIN_CUT = 40

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
    max_chars: int = MAX_CHARS,
) -> Tool[[str], Any]:
    """A tool ``name(query: str) -> str`` over ``retriever`` (see the module docstring)."""
    k = check_k(k)
    if isinstance(candidates, bool) or not isinstance(candidates, int) or candidates < k:
        raise ConfigurationError(f"need 1 <= k <= candidates, got k={k}, candidates={candidates}")
    if isinstance(max_chars, bool) or not isinstance(max_chars, int) or max_chars < 400:
        raise ConfigurationError(
            f"max_chars must be a whole number of at least 400, not {max_chars!r}"
        )

    async def search(query: str) -> str:
        """Search the documents.

        Args:
            query: What to look for, in a few words or a question.
        """
        found = await retriever.search(query, candidates if rerank is not None else k)
        if rerank is not None:
            found = await rerank_documents(rerank, query, found, k)
        return format_documents(found[:k], max_chars)

    return Tool(search, name=name, description=description or _DESCRIPTION)


async def rerank_documents(
    reranker: Reranker, query: str, documents: list[Document], k: int
) -> list[Document]:
    """``documents`` reordered by ``reranker``, the ``k`` best, scored by it."""
    if not documents:
        return []
    ranked = await reranker.rerank(query, [d.text for d in documents], top_n=k)
    bad = [r.index for r in ranked if not 0 <= r.index < len(documents)]
    if bad:
        raise ResponseError(f"the reranker answered indices {bad} for {len(documents)} documents")
    return [replace(documents[r.index], score=r.score) for r in ranked]


def format_documents(documents: list[Document], max_chars: int = MAX_CHARS) -> str:
    """Numbered passages with their ids and scores (what the model reads), at most
    ``max_chars`` characters: the passage that does not fit is cut, later ones counted."""
    if not documents:
        return "No documents matched the query."
    passages = []
    for number, doc in enumerate(documents, 1):
        score = "" if doc.score is None else f", score {doc.score:.3f}"
        passages.append((f"[{number}] (id {doc.id}{score})\n", doc.text))
    whole = "\n\n".join(head + text for head, text in passages)
    if len(whole) <= max_chars:
        return whole
    budget = max_chars - _RESERVE  # room kept for the two notes below
    out, shown = "", 0
    for head, text in passages:
        gap = "\n\n" if out else ""
        if len(out) + len(gap) + len(head) + len(text) <= budget:
            out, shown = out + gap + head + text, shown + 1
            continue
        room = budget - len(out) - len(gap) - len(head)
        if room >= _MIN_CUT:
            out += f"{gap}{head}{text[:room]} [... {len(text) - room} more characters cut]"
            shown += 1
        break
    left = len(passages) - shown
    if left:
        out += f"\n\n[{left} more passages left out: answers are cut at {max_chars} characters]"
    return out[:max_chars]
