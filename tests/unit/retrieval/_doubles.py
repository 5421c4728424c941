"""Real ``Embedder`` and ``Reranker`` implementations for unit tests, on the emulator's own
deterministic word-feature vectors (no HTTP)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from locus.emulator.engines import embed, relevance


class WordEmbedder:
    """Hashed word features projected to ``dimensions`` (as the emulator's embedText)."""

    def __init__(self, dimensions: int = 256) -> None:
        self.dimensions = dimensions
        self.calls: list[tuple[int, str | None]] = []

    async def embed(
        self, texts: Sequence[str], *, input_type: str | None = None
    ) -> list[list[float]]:
        self.calls.append((len(texts), input_type))
        kind = (input_type or "search_document").upper()
        return [embed(t, self.dimensions, "unit-test", kind) for t in texts]


@dataclass(frozen=True)
class Rank:
    index: int
    score: float


class WordReranker:
    """Ranks by the share of query words each document holds (as the emulator's rerank)."""

    async def rerank(
        self, query: str, documents: Sequence[str], *, top_n: int | None = None
    ) -> list[Rank]:
        scored = sorted(
            (Rank(i, relevance(query, d)) for i, d in enumerate(documents)),
            key=lambda r: (-r.score, r.index),
        )
        return scored[: top_n or len(scored)]
