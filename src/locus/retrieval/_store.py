"""``VectorStore``: what every vector store shares — embedding documents as they are added
and queries as they are searched, checking dimensions, and ``as_tool()``.

A store keeps unit vectors and answers by cosine similarity (``score``, higher is closer).
Subclasses implement ``_write`` (store documents with their vectors) and ``_nearest``
(the ``k`` closest to a unit vector).
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from array import array
from collections.abc import Sequence
from typing import Any

from locus.core.errors import ConfigurationError
from locus.retrieval._document import Document
from locus.retrieval._protocols import Embedder, Reranker
from locus.retrieval._tool import retrieval_tool
from locus.tools.decorator import Tool

__all__ = ["VectorStore", "unit"]


def unit(vector: Sequence[float]) -> array[float]:
    """``vector`` scaled to length 1, as float32 (a zero vector stays zero)."""
    norm = math.sqrt(math.fsum(x * x for x in vector)) or 1.0
    return array("f", (x / norm for x in vector))


class VectorStore(ABC):
    """Documents and their vectors, searched by cosine similarity (a ``Retriever``)."""

    def __init__(self, embedder: Embedder, *, dimensions: int | None = None) -> None:
        self.embedder = embedder
        self.dimensions = dimensions

    async def add(self, documents: Sequence[Document | str]) -> list[str]:
        """Embed and store ``documents`` (texts or ``Document``s); their ids, in order.

        A document without an id gets ``doc-<n>`` by its position in the store; adding an
        id again replaces that document.
        """
        docs = [d if isinstance(d, Document) else Document(str(d)) for d in documents]
        if not docs:
            return []
        vectors = await self.embedder.embed([d.text for d in docs], input_type="search_document")
        units = [unit(v) for v in vectors]
        self._check_dimensions(units)
        start = await self._count()
        named = [
            d if d.id else Document(d.text, f"doc-{start + i}", d.metadata)
            for i, d in enumerate(docs)
        ]
        await self._write(named, units)
        return [d.id for d in named]

    async def search(self, query: str, k: int = 4) -> list[Document]:
        """The ``k`` documents closest to ``query``, best first, scored by cosine."""
        if k < 1:
            raise ConfigurationError(f"k must be at least 1, not {k}")
        vectors = await self.embedder.embed([query], input_type="search_query")
        vector = unit(vectors[0])
        if self.dimensions is not None and len(vector) != self.dimensions:
            raise ConfigurationError(self._mismatch(len(vector)))
        return await self._nearest(vector, k)

    def as_tool(
        self,
        *,
        name: str = "search_documents",
        description: str | None = None,
        k: int = 4,
        rerank: Reranker | None = None,
        candidates: int = 20,
    ) -> Tool[[str], Any]:
        """This store as an agent tool ``name(query)``; ``rerank`` reorders ``candidates``
        documents before the ``k`` best are answered."""
        return retrieval_tool(
            self, name=name, description=description, k=k, rerank=rerank, candidates=candidates
        )

    def _check_dimensions(self, vectors: list[array[float]]) -> None:
        for vector in vectors:
            if self.dimensions is None:
                self.dimensions = len(vector)
            if len(vector) != self.dimensions:
                raise ConfigurationError(self._mismatch(len(vector)))

    def _mismatch(self, got: int) -> str:
        return (
            f"the embedder gave a vector of {got} dimensions to a store of "
            f"{self.dimensions}: use the same embedding model (and output_dimensions) for "
            "the documents and the queries of one store"
        )

    @abstractmethod
    async def _count(self) -> int:
        """How many documents the store holds."""

    @abstractmethod
    async def _write(self, documents: list[Document], vectors: list[array[float]]) -> None:
        """Store ``documents`` (all with ids) and their unit vectors, replacing same ids."""

    @abstractmethod
    async def _nearest(self, vector: array[float], k: int) -> list[Document]:
        """The ``k`` documents closest to the unit ``vector``, best first, with scores."""
