"""Whether text arriving piece by piece is one whole JSON object, in linear time.

Streamed tool-call arguments come in many small pieces; asking "is it whole yet?"
by joining and parsing everything after each piece is quadratic. ``ObjectScan``
follows only braces, quotes and escapes of each piece once, and parses the joined
text once, when its outer braces close.
"""

from __future__ import annotations

import re
from typing import Any

from locus.core._json_values import argument_problem
from locus.models._wire.json_text import ServerJSONError, loads_server_json

__all__ = ["ObjectScan", "parse_object"]

_SIGNIFICANT = re.compile(r'[{}"\\]')


class ObjectScan:
    """Pieces go to ``take``; when it says the object closed, ``settle`` parses it once."""

    __slots__ = ("_broken", "_depth", "_escaped_at", "_in_string", "_offset", "_started", "value")

    def __init__(self) -> None:
        self._started = False
        self._broken = False
        self._depth = 0
        self._in_string = False
        self._escaped_at = -1
        self._offset = 0
        self.value: dict[str, Any] | None = None
        """The decoded object once the pieces form one (``None`` before or if broken)."""

    @property
    def whole(self) -> bool:
        """Whether the pieces so far are exactly one JSON object (and some spaces)."""
        return self.value is not None and not self._broken

    def take(self, piece: str) -> bool:
        """Take one piece; ``True`` when it closed the outer object (validate it then)."""
        base, self._offset = self._offset, self._offset + len(piece)
        if self._broken:
            return False
        if self._depth == 0 and self._started:
            self._broken = bool(piece.strip())  # text after the end
            return False
        if not self._started and not self._start(piece):
            return False
        return self._scan(piece, base)

    def _start(self, piece: str) -> bool:
        stripped = piece.lstrip()
        if not stripped:
            return False
        self._started = True
        self._broken = not stripped.startswith("{")
        return not self._broken

    def _scan(self, piece: str, base: int) -> bool:
        if "\\" in piece or self._escaped_at == base:
            return self._scan_escapes(piece, base)
        # no escapes: each quote opens or closes a string, braces count outside them
        in_string = self._in_string
        at = 0
        for k, part in enumerate(piece.split('"')):
            if k:
                in_string = not in_string
                at += 1
            if not in_string and ("{" in part or "}" in part):
                for i, char in enumerate(part):
                    if char in "{}" and self._close(char):
                        self._in_string = in_string
                        self._broken = bool(piece[at + i + 1 :].strip())
                        return not self._broken
            at += len(part)
        self._in_string = in_string
        return False

    def _scan_escapes(self, piece: str, base: int) -> bool:
        for match in _SIGNIFICANT.finditer(piece):
            at = base + match.start()
            if at == self._escaped_at:
                continue
            char = match.group()
            if char == "\\":
                self._escaped_at = at + 1 if self._in_string else -1
            elif char == '"':
                self._in_string = not self._in_string
            elif not self._in_string and self._close(char):
                self._broken = bool(piece[match.end() :].strip())
                return not self._broken
        return False

    def _close(self, brace: str) -> bool:
        """Count one brace outside strings; ``True`` when it closed the outer object."""
        self._depth += 1 if brace == "{" else -1
        return self._depth == 0

    def settle(self, text: str) -> None:
        """Decode ``text`` (every piece so far) after ``take`` said the object closed."""
        self.value = parse_object(text)
        self._broken = self.value is None


def parse_object(text: str) -> dict[str, Any] | None:
    """``text`` decoded when it is one JSON object that tool-call arguments may be (see
    ``locus.core._json_values``), else ``None`` (never raises)."""
    try:
        value = loads_server_json(text.strip())  # (any whitespace around it, as ``take`` reads)
    except ServerJSONError:
        return None
    return value if isinstance(value, dict) and argument_problem(value) is None else None
