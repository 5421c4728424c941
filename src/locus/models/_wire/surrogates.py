"""Model text made valid Unicode: UTF-16 surrogates joined into characters or replaced.

A JSON string may hold ``\\ud83d`` escapes, and servers written in languages whose
strings are UTF-16 (Java, JavaScript) can cut a stream's delta between the two halves of
a character outside the Basic Multilingual Plane (an emoji, a rare CJK ideograph): one
event ends with ``"\\ud83d"``, the next starts with ``"\\ude00"``. Python decodes each
half to a lone surrogate and never joins two of them, so the text would hold two code
points that are not a character, and printing or UTF-8 encoding it raises
``UnicodeEncodeError``. ``whole_text`` joins such pairs and replaces a surrogate with no
partner by U+FFFD (the replacement character); ``HeldHalf`` does the same across the
deltas of a stream, holding a delta's last high surrogate back until the next delta
says whether its low half follows.
"""

from __future__ import annotations

import re

__all__ = ["REPLACEMENT", "HeldHalf", "whole_text"]

REPLACEMENT = "\ufffd"

_SURROGATE = re.compile("[\ud800-\udfff]")


def whole_text(text: str) -> str:
    """``text`` with surrogate pairs joined and lone surrogates replaced by U+FFFD."""
    if text.isascii() or _SURROGATE.search(text) is None:
        return text  # (the usual text: one flag test, or one scan of non-ASCII text)
    # UTF-16 code units out as they are, then decoded: pairs join, lone halves are replaced
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


class HeldHalf:
    """One stream's deltas made whole; a high surrogate ending a delta waits for the next.

    ``take(delta)`` returns the text to pass on now (``""`` when all of it waits);
    ``rest()`` what still waits when the stream ends (U+FFFD for a half that never got its
    partner; ``""`` usually).
    """

    __slots__ = ("half",)

    def __init__(self) -> None:
        self.half = ""
        """The high surrogate held back (``""``: none, the usual case)."""

    def take(self, delta: str, *, last: bool = False) -> str:
        """The whole text of ``delta`` (after a held half); ``last``: hold nothing back."""
        if delta.isascii() and not self.half:
            return delta
        text, self.half = self.half + delta, ""
        if not last and text and "\ud800" <= text[-1] <= "\udbff":
            text, self.half = text[:-1], text[-1]
        return whole_text(text)

    def rest(self) -> str:
        """What is held when the stream ends: U+FFFD for a lone half, else ``""``."""
        half, self.half = self.half, ""
        return REPLACEMENT if half else ""

    def drop(self) -> None:
        """Forget a held half (the stream's whole text came and replaces the deltas)."""
        self.half = ""
