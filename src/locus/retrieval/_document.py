"""``Document``: a piece of text a retriever finds, with its id, metadata and score."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Document"]


@dataclass(frozen=True, slots=True)
class Document:
    """A text to search, or a search result.

    ``id`` names it in its store (one is made from the text's position when empty);
    ``metadata`` is JSON-serialisable data kept beside it; ``score`` is the similarity of a
    search result to its query (cosine, higher is closer; the reranker's score after a
    rerank), ``None`` on documents given to ``add``.
    """

    text: str
    id: str = ""
    metadata: Mapping[str, Any] = field(default_factory=dict)
    score: float | None = None
