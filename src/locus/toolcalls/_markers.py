"""Finding literal markers (tags, special tokens) in streamed text, holding back only
a suffix that could still grow into one."""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["MarkerSet"]


class MarkerSet:
    """A fixed set of literal markers, searched for in one pass."""

    __slots__ = ("_first", "_maxlen", "_prefixes", "_regex")

    def __init__(self, markers: Iterable[str]) -> None:
        ordered = sorted(set(markers), key=len, reverse=True)
        self._regex = re.compile("|".join(re.escape(m) for m in ordered)) if ordered else None
        self._prefixes = frozenset(m[:i] for m in ordered for i in range(1, len(m)))
        first = "".join(sorted({m[0] for m in ordered}))
        self._first = re.compile(f"[{re.escape(first)}]") if first else None
        self._maxlen = max((len(m) for m in ordered), default=0)

    def absent_from(self, text: str) -> bool:
        """True when no marker can begin anywhere in ``text`` (none of their first characters)."""
        return self._first is None or self._first.search(text) is None

    def find(self, text: str, pos: int) -> re.Match[str] | None:
        """The first complete marker at or after ``pos``."""
        return self._regex.search(text, pos) if self._regex else None

    def hold_from(self, text: str, pos: int) -> int:
        """Where the suffix of ``text`` that is a proper prefix of a marker starts
        (``len(text)`` when none is): the part that must wait for more input."""
        if self._first is None:
            return len(text)
        start = max(pos, len(text) - self._maxlen + 1)
        hit = self._first.search(text, start)
        while hit is not None:
            if text[hit.start() :] in self._prefixes:
                return hit.start()
            hit = self._first.search(text, hit.start() + 1)
        return len(text)
