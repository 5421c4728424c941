"""``VectorStore``: what every vector store shares — embedding documents as they are added
and queries as they are searched, checking dimensions, and ``as_tool()``.

A store keeps unit vectors and answers by cosine similarity (``score``, higher is closer).
Subclasses implement ``_write`` (store documents with their vectors, naming those without
an id), ``_nearest`` (the ``k`` closest to a unit vector) and ``_delete``.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from array import array
from collections.abc import Sequence
from typing import Any

from locus.core.errors import ConfigurationError, ResponseError
from locus.retrieval._checks import (
    Filter,
    Scalar,
    check_documents,
    check_filter,
    check_ids,
    check_k,
    check_query,
)
from locus.retrieval._document import Document
from locus.retrieval._protocols import Embedder, Reranker
from locus.retrieval._tool import MAX_CHARS, retrieval_tool
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

        A document without an id gets ``doc-<n>``, the first such id the store does not
        hold; adding an id again replaces that document. Bad input (no text, a NUL or a
        lone surrogate, metadata that is not JSON) is a ``ConfigurationError`` and nothing
        is stored.
        """
        docs = check_documents(documents)
        if not docs:
            return []
        vectors = await self.embedder.embed([d.text for d in docs], input_type="search_document")
        units = self._units(vectors, len(docs))
        self._check_dimensions(units)
        return await self._write(docs, units)

    async def search(
        self, query: str, k: int = 4, *, filter: Filter | None = None
    ) -> list[Document]:
        """The ``k`` documents closest to ``query``, best first, scored by cosine (all of
        them when the store holds fewer). ``filter={"team": "red"}`` keeps those whose
        metadata has each key with an equal value; a filtered search compares every
        matching document (exact, never fewer than ``k`` when there are ``k`` matches)."""
        query, k, where = check_query(query), check_k(k), check_filter(filter)
        vectors = await self.embedder.embed([query], input_type="search_query")
        vector = self._units(vectors, 1)[0]
        self.check_query_vector(vector)
        return await self._nearest(vector, k, where)

    async def delete(self, ids: Sequence[str]) -> int:
        """Remove the documents with these ids; how many there were (unknown ids are
        skipped)."""
        wanted = check_ids(ids)
        return await self._delete(wanted) if wanted else 0

    def as_tool(
        self,
        *,
        name: str = "search_documents",
        description: str | None = None,
        k: int = 4,
        rerank: Reranker | None = None,
        candidates: int = 20,
        max_chars: int = MAX_CHARS,
        filter: Filter | None = None,
    ) -> Tool[[str], Any]:
        """This store as an agent tool ``name(query)``; ``rerank`` reorders ``candidates``
        documents before the ``k`` best are answered, in at most ``max_chars`` characters;
        ``filter`` holds every search to matching metadata (e.g. the user's tenant)."""
        where = check_filter(filter)
        return retrieval_tool(
            self if where is None else _Filtered(self, where),
            name=name,
            description=description,
            k=k,
            rerank=rerank,
            candidates=candidates,
            max_chars=max_chars,
        )

    def check_query_vector(self, vector: array[float]) -> None:
        """A ``ConfigurationError`` when ``vector`` does not have the store's dimensions
        (stores call it again once they know the dimensions of an existing table)."""
        if self.dimensions is not None and len(vector) != self.dimensions:
            raise ConfigurationError(self._mismatch(len(vector)))

    def _units(self, vectors: Sequence[Sequence[float]], expected: int) -> list[array[float]]:
        if len(vectors) != expected:
            raise ResponseError(
                f"the embedder answered {len(vectors)} vectors for {expected} texts"
            )
        return [unit(v) for v in vectors]

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
    async def _write(self, documents: list[Document], vectors: list[array[float]]) -> list[str]:
        """Store ``documents`` and their unit vectors, replacing same ids; their ids.

        Documents without an id are named with ``name_documents`` where no other writer
        can come between the naming and the write.
        """

    @abstractmethod
    async def _nearest(
        self, vector: array[float], k: int, where: dict[str, Scalar] | None
    ) -> list[Document]:
        """The ``k`` documents closest to the unit ``vector`` whose metadata matches
        ``where`` (``matches``), best first, with scores."""

    @abstractmethod
    async def _delete(self, ids: list[str]) -> int:
        """Remove the documents with these (distinct) ids; how many there were."""


class _Filtered:
    """A store's search held to one filter (what ``as_tool(filter=...)`` searches)."""

    def __init__(self, store: VectorStore, where: dict[str, Scalar]) -> None:
        self.store, self.where = store, where

    async def search(self, query: str, k: int = 4) -> list[Document]:
        return await self.store.search(query, k, filter=self.where)
