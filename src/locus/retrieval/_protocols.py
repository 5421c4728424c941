"""The small contracts of retrieval: what searches, what embeds and what reranks.

``Retriever`` is all an agent's retrieval tool needs (``async search(query, k)``), so any
search backend (Oracle Database 23ai, OpenSearch, a web API) plugs in by implementing it.
``Embedder`` and ``Reranker`` are what the vector stores call; ``OCIEmbeddingModel`` and
``OCIRerankModel`` are both, and so is any object with the same methods.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, Protocol, runtime_checkable

from locus.retrieval._document import Document

__all__ = ["Embedder", "InputType", "Ranked", "Reranker", "Retriever"]

InputType = Literal["search_document", "search_query", "classification", "clustering"]


@runtime_checkable
class Retriever(Protocol):
    """Finds the ``k`` documents closest to ``query``, best first."""

    async def search(self, query: str, k: int = 4) -> list[Document]:
        """The ``k`` best documents for ``query``, best first."""
        ...


class Embedder(Protocol):
    """Turns texts into vectors (one per text, in order, all of one length)."""

    async def embed(
        self, texts: Sequence[str], *, input_type: InputType | None = None
    ) -> Sequence[Sequence[float]]:
        """One vector per text."""
        ...


class Ranked(Protocol):
    """One entry of a ranking: the index of a document among those given, and its score."""

    @property
    def index(self) -> int:
        """The document's position in the list given to ``rerank``."""
        ...

    @property
    def score(self) -> float:
        """Its relevance to the query (higher is better)."""
        ...


class Reranker(Protocol):
    """Orders documents by relevance to a query, best first."""

    async def rerank(
        self, query: str, documents: Sequence[str], *, top_n: int | None = None
    ) -> Sequence[Ranked]:
        """The ``top_n`` most relevant documents' indices and scores, best first."""
        ...
