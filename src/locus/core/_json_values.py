"""Decoded JSON that cannot serve as tool-call arguments, found without recursion.

Tool-call arguments decoded from a model's answer are encoded again later, deeper in
the stack and more strictly: in the next request, in a stored thread (``dump_messages``
writes strict JSON), for a tool. Two things decode but fail there: nesting near the
interpreter's recursion limit (Python's JSON encoder, like ``repr`` and ``==``, raises
``RecursionError`` at it) and numbers JSON cannot hold (``NaN``, ``Infinity``, which
Python's decoder accepts, and ``1e999``, which it reads as infinity). Arguments with
either are refused where they are decoded, like arguments that are not JSON at all
(docs/reliability.md "Fuzzing").
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "MAX_DECODED_NESTING",
    "MAX_NESTING",
    "NESTED_TOO_DEEPLY",
    "argument_problem",
    "decoded_too_deep",
    "nests_deeper_than",
]

MAX_NESTING = 256
"""The deepest nesting of objects and arrays kept in tool-call arguments."""

MAX_DECODED_NESTING = 1000
"""The deepest nesting decoded from JSON text (server answers, tool-call markup): Locus's
own limit, the same on every Python. The parser's own limit is not: 3.11's is the
recursion limit (about 1,000 levels), 3.12's a C limit of 1,500, 3.13's of 10,000."""

NESTED_TOO_DEEPLY = f"JSON nested too deeply (more than {MAX_NESTING} levels)"
NOT_A_JSON_NUMBER = "JSON holding NaN or an infinite number"


def nests_deeper_than(value: object, limit: int = MAX_NESTING) -> bool:
    """Whether ``value`` has objects or arrays nested more than ``limit`` levels deep
    (``{}`` is one level, ``{"a": []}`` two); scalars never do."""
    return _problem(value, limit, numbers=False) is not None


def decoded_too_deep(text: str, value: object) -> bool:
    """Whether ``value``, decoded from ``text``, nests more than ``MAX_DECODED_NESTING``
    levels (only text with more brackets than that can: only then is ``value`` walked;
    text no longer than that is not even counted, which is every usual event)."""
    if len(text) <= MAX_DECODED_NESTING or text.count("[") + text.count("{") <= MAX_DECODED_NESTING:
        return False
    return nests_deeper_than(value, MAX_DECODED_NESTING)


def argument_problem(value: object) -> str | None:
    """Why decoded arguments cannot be kept (``NESTED_TOO_DEEPLY`` or
    ``NOT_A_JSON_NUMBER``), or ``None`` when they can."""
    return _problem(value, MAX_NESTING, numbers=True)


def _problem(value: object, limit: int, *, numbers: bool) -> str | None:
    """One pass, level by level (no recursion; no tuple per value: it runs per call)."""
    kind = type(value)
    if kind is float:
        return NOT_A_JSON_NUMBER if numbers and _not_finite(value) else None
    if kind is not dict and kind is not list:
        return None
    level: list[Any] = [value]
    depth = 1
    while level:
        if depth > limit:
            return NESTED_TOO_DEEPLY
        deeper: list[Any] = []
        for item in level:
            for child in item.values() if type(item) is dict else item:
                kind = type(child)
                if kind is dict or kind is list:
                    deeper.append(child)
                elif kind is float and numbers and _not_finite(child):
                    return NOT_A_JSON_NUMBER
        level = deeper
        depth += 1
    return None


def _not_finite(number: Any) -> bool:
    return bool(number - number != 0.0)  # (NaN - NaN and inf - inf are NaN)
