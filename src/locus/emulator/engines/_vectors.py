"""Deterministic stand-ins for embeddings and rerank scores, similar for similar texts.

Both read the same features of a text: its words, lower-cased, without common English
stop words, a final plural ``s`` dropped, weighted ``1 + log(count)``.

- ``embed`` projects those features into ``dimensions`` (each word hashed, with the model
  name as the hash key, to two dimensions with a sign: a sparse random projection), adds a
  small marker of the ``input_type`` and normalises to unit length. So an embedding is a
  function of (model, text, input type) alone; texts sharing words have a high cosine, a
  query and its document stay close across input types, and two models' spaces differ.
- ``relevance`` scores a document for a query on the same features: the share of the
  query's weight that the document contains (0..1), so a document holding every word of
  the question scores 1.0; ``similarity`` is their cosine, used to break ties.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from functools import lru_cache

__all__ = ["embed", "features", "relevance"]

_WORD = re.compile(r"\w+")
_STOP_WORDS = (
    "a an and are as at be by can do does for from has have how i in is it its me my of on "
    "or our that the their there this to was we what when where which who why will with you "
    "your"
)
_STOP = frozenset(_STOP_WORDS.split(" "))
_TYPE_WEIGHT = 0.05
"""The weight of the input-type marker (a query and its document keep a cosine near 1)."""


def features(text: str) -> dict[str, float]:
    """The weighted words of ``text`` that embeddings and rerank scores are made from."""
    counts = Counter(_stem(w) for w in _WORD.findall(text.lower()) if w not in _STOP)
    return {word: 1.0 + math.log(n) for word, n in counts.items()}


def _stem(word: str) -> str:
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


@lru_cache(maxsize=65536)
def _slots(model: str, word: str, dimensions: int) -> tuple[tuple[int, float], ...]:
    """Where ``word`` lands in ``model``'s space: two (dimension, sign) pairs."""
    digest = hashlib.blake2b(word.encode(), digest_size=16, key=model.encode()[:64]).digest()
    first = int.from_bytes(digest[0:4], "big") % dimensions
    second = int.from_bytes(digest[4:8], "big") % dimensions
    sign_a = 1.0 if digest[8] & 1 else -1.0
    sign_b = 1.0 if digest[9] & 1 else -1.0
    return ((first, sign_a), (second, sign_b))


def embed(
    text: str, dimensions: int, model: str = "", input_type: str = "SEARCH_DOCUMENT"
) -> list[float]:
    """A unit vector of ``dimensions`` floats for ``text`` (see the module docstring)."""
    sparse: dict[int, float] = {}
    weighted = features(text) or {"\0empty": 1.0}
    weighted[f"\0type:{input_type.upper()}"] = _TYPE_WEIGHT * math.sqrt(
        sum(w * w for w in weighted.values())
    )
    for word, weight in weighted.items():
        for index, sign in _slots(model, word, dimensions):
            sparse[index] = sparse.get(index, 0.0) + sign * weight
    norm = math.sqrt(sum(v * v for v in sparse.values())) or 1.0
    vector = [0.0] * dimensions
    for index, value in sparse.items():
        vector[index] = round(value / norm, 6)
    return vector


def relevance(query: str, document: str) -> float:
    """The share of the query's feature weight found in ``document`` (0..1)."""
    wanted = features(query)
    total = sum(wanted.values())
    if not total:
        return 0.0
    found = features(document)
    return round(sum(w for word, w in wanted.items() if word in found) / total, 6)
