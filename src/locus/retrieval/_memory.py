"""``InMemoryVectorStore``: exact cosine search over vectors kept in memory.

For tests and small corpora (a search reads every vector: about 10 ms per 1,000 vectors
of 1,024 dimensions in pure Python). Nothing is saved.
"""

from __future__ import annotations

import heapq
import operator
from array import array
from dataclasses import replace

from locus.retrieval._checks import Scalar, matches, name_documents
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

    async def _write(self, documents: list[Document], vectors: list[array[float]]) -> list[str]:
        # no await from naming to writing: another task cannot take the same ids
        named = name_documents(
            documents, len(self._documents), lambda ids: set(ids) & self._index.keys()
        )
        for document, vector in zip(named, vectors, strict=True):
            at = self._index.get(document.id)
            if at is None:
                self._index[document.id] = len(self._documents)
                self._documents.append(document)
                self._vectors.append(vector)
            else:
                self._documents[at], self._vectors[at] = document, vector
        return [d.id for d in named]

    async def _nearest(
        self, vector: array[float], k: int, where: dict[str, Scalar] | None
    ) -> list[Document]:
        self.check_query_vector(vector)
        scored = (
            (sum(map(operator.mul, vector, other)), i)
            for i, other in enumerate(self._vectors)
            if where is None or matches(self._documents[i].metadata, where)
        )
        best = heapq.nlargest(k, scored, key=lambda pair: (pair[0], -pair[1]))
        return [replace(self._documents[i], score=round(score, 6)) for score, i in best]

    async def _delete(self, ids: list[str]) -> int:
        gone = {self._index[i] for i in ids if i in self._index}
        if gone:
            keep = [i for i in range(len(self._documents)) if i not in gone]
            self._documents = [self._documents[i] for i in keep]
            self._vectors = [self._vectors[i] for i in keep]
            self._index = {d.id: at for at, d in enumerate(self._documents)}
        return len(gone)
