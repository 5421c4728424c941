"""``InMemoryVectorStore``: exact cosine search over vectors kept in memory.

For tests and small corpora (a search reads every vector: about 10 ms per 1,000 vectors
of 1,024 dimensions in pure Python). Nothing is saved.
"""

from __future__ import annotations

import heapq
import operator
from array import array
from dataclasses import replace

from locus.retrieval._document import Document
from locus.retrieval._protocols import Embedder
from locus.retrieval._store import VectorStore

__all__ = ["InMemoryVectorStore"]


class InMemoryVectorStore(VectorStore):
    """Documents and unit vectors in two lists; search is an exact scan."""

    def __init__(self, embedder: Embedder, *, dimensions: int | None = None) -> None:
        super().__init__(embedder, dimensions=dimensions)
        self._documents: list[Document] = []
        self._vectors: list[array[float]] = []
        self._index: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._documents)

    async def _count(self) -> int:
        return len(self._documents)

    async def _write(self, documents: list[Document], vectors: list[array[float]]) -> None:
        for document, vector in zip(documents, vectors, strict=True):
            at = self._index.get(document.id)
            if at is None:
                self._index[document.id] = len(self._documents)
                self._documents.append(document)
                self._vectors.append(vector)
            else:
                self._documents[at], self._vectors[at] = document, vector

    async def _nearest(self, vector: array[float], k: int) -> list[Document]:
        scored = (
            (sum(map(operator.mul, vector, other)), i) for i, other in enumerate(self._vectors)
        )
        best = heapq.nlargest(k, scored, key=lambda pair: (pair[0], -pair[1]))
        return [replace(self._documents[i], score=round(score, 6)) for score, i in best]
