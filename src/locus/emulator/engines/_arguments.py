"""Fill a tool's arguments from the user's words, guided by the tool's JSON Schema types."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Mapping
from typing import Any

__all__ = ["Pools", "fill_arguments"]

_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.]*[A-Za-z_])")
_QUOTED = re.compile(r"\"([^\"]+)\"|'([^']+)'")
_WORD = re.compile(r"[A-Za-z][\w-]*")
_TRUE_WORDS = frozenset({"true", "yes", "enable", "enabled", "on"})


class Pools:
    """Values found in the text, handed out in order of appearance."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.numbers = deque(m.group() for m in _NUMBER.finditer(text))
        quoted = [a or b for a, b in _QUOTED.findall(text)]
        words = _WORD.findall(text)
        capitals = [w for w in words[1:] if w[0].isupper()]
        self.strings = deque(quoted or capitals or words[-1:])

    def integer(self) -> int | None:
        while self.numbers:
            value = self.numbers.popleft()
            if "." not in value:
                return int(value)
        return None

    def number(self) -> float | int | None:
        if not self.numbers:
            return None
        value = self.numbers.popleft()
        return float(value) if "." in value else int(value)

    def string(self) -> str | None:
        return self.strings.popleft() if self.strings else None


def fill_arguments(
    schema: Mapping[str, Any], text: str, exclude: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Arguments for a tool with ``schema`` taken from ``text`` (words in ``exclude`` ignored)."""
    for word in exclude:
        text = text.replace(word, " ")
    pools = Pools(text)
    properties = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    arguments: dict[str, Any] = {}
    for name, spec in properties.items():
        value = _value(spec if isinstance(spec, Mapping) else {}, pools)
        if value is None and name in required:
            value = _default(spec if isinstance(spec, Mapping) else {})
        if value is not None:
            arguments[name] = value
    return arguments


def _type_of(spec: Mapping[str, Any]) -> str:
    kind = spec.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    if kind is None:
        options = spec.get("anyOf") or spec.get("oneOf") or []
        kinds = [o.get("type") for o in options if isinstance(o, Mapping)]
        kind = next((k for k in kinds if k not in (None, "null")), "string")
    return str(kind)


def _value(spec: Mapping[str, Any], pools: Pools) -> Any:
    enum = spec.get("enum")
    if isinstance(enum, list) and enum:
        lowered = pools.text.lower()
        return next((v for v in enum if str(v).lower() in lowered), enum[0])
    kind = _type_of(spec)
    if kind == "integer":
        return pools.integer()
    if kind == "number":
        return pools.number()
    if kind == "boolean":
        return any(word in _TRUE_WORDS for word in pools.text.lower().split())
    if kind == "string":
        return pools.string()
    return None


def _default(spec: Mapping[str, Any]) -> Any:
    defaults: dict[str, Any] = {
        "integer": 0,
        "number": 0,
        "boolean": False,
        "string": "",
        "array": [],
        "object": {},
    }
    return defaults.get(_type_of(spec), "")
