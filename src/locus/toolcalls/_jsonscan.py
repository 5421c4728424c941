"""Finding where one streamed JSON object or array ends, without parsing it.

The scanner keeps only bracket depth and string/escape state, so each character is
looked at once however the text is split. It rejects early when the text cannot be a
JSON object (``{`` not followed by ``"`` or ``}``) or an array of objects.
"""

from __future__ import annotations

import re
from enum import Enum

__all__ = ["JsonScanner", "ScanStatus"]

_STRUCTURAL = re.compile(r'[{}\[\]"]')
_IN_STRING = re.compile(r'["\\]')
_NON_SPACE = re.compile(r"\S")
_FIRST_AFTER = {"{": '"}', "[": "{]"}


class ScanStatus(Enum):
    """What the scanner knows after a piece of text."""

    MORE = "more"
    DONE = "done"
    REJECT = "reject"


class JsonScanner:
    """Incremental boundary finder for one top-level JSON object or array."""

    __slots__ = ("_depth", "_escape", "_expect", "_in_string")

    def __init__(self) -> None:
        self._depth = 0
        self._in_string = False
        self._escape = False
        self._expect = "{["

    def scan(self, text: str, pos: int) -> tuple[ScanStatus, int]:
        """Scan ``text[pos:]``; return the status and the index where it was decided
        (just past the closing bracket for DONE, the offending character for REJECT)."""
        while pos < len(text):
            if self._expect:
                status, pos = self._check_expected(text, pos)
                if status is not ScanStatus.MORE:
                    return status, pos
            elif self._in_string:
                pos = self._skip_string(text, pos)
            else:
                status, pos = self._structural(text, pos)
                if status is ScanStatus.DONE:
                    return status, pos
        return ScanStatus.MORE, len(text)

    def _check_expected(self, text: str, pos: int) -> tuple[ScanStatus, int]:
        hit = _NON_SPACE.search(text, pos)
        if hit is None:
            return ScanStatus.MORE, len(text)
        char = hit.group()
        if char not in self._expect:
            return ScanStatus.REJECT, hit.start()
        if self._depth == 0:
            self._expect = _FIRST_AFTER[char]
            self._depth = 1
            return ScanStatus.MORE, hit.start() + 1
        self._expect = ""
        return ScanStatus.MORE, hit.start()

    def _skip_string(self, text: str, pos: int) -> int:
        if self._escape:
            self._escape = False
            return pos + 1
        hit = _IN_STRING.search(text, pos)
        if hit is None:
            return len(text)
        if hit.group() == '"':
            self._in_string = False
        else:
            self._escape = True
        return hit.end()

    def _structural(self, text: str, pos: int) -> tuple[ScanStatus, int]:
        hit = _STRUCTURAL.search(text, pos)
        if hit is None:
            return ScanStatus.MORE, len(text)
        char = hit.group()
        if char == '"':
            self._in_string = True
        elif char in "{[":
            self._depth += 1
        else:
            self._depth -= 1
            if self._depth == 0:
                return ScanStatus.DONE, hit.end()
        return ScanStatus.MORE, hit.end()
