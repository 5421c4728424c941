"""Deterministic stand-ins for embeddings and rerank scores, similar for similar texts.

Embeddings hash each word into a fixed number of dimensions and normalise the result,
so texts sharing words get a high cosine similarity. Rerank scores are the share of
query words a document contains.
"""

from __future__ import annotations

import hashlib
import math
import re

__all__ = ["embed", "relevance"]

_WORD = re.compile(r"\w+")


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def embed(text: str, dimensions: int) -> list[float]:
    """A unit vector of ``dimensions`` floats for ``text`` (hashed bag of words)."""
    vector = [0.0] * dimensions
    for word in _words(text) or [""]:
        digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
        index = int.from_bytes(digest[:4], "big") % dimensions
        vector[index] += 1.0 if digest[4] & 1 else -1.0
    norm = math.sqrt(sum(v * v for v in vector)) or 1.0
    return [round(v / norm, 6) for v in vector]


def relevance(query: str, document: str) -> float:
    """The share of the query's distinct words found in ``document`` (0..1)."""
    wanted = set(_words(query))
    if not wanted:
        return 0.0
    return round(len(wanted & set(_words(document))) / len(wanted), 6)
