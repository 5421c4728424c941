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

import math
from typing import Any

__all__ = ["MAX_NESTING", "NESTED_TOO_DEEPLY", "argument_problem", "nests_deeper_than"]

MAX_NESTING = 256
"""The deepest nesting of objects and arrays kept in tool-call arguments."""

NESTED_TOO_DEEPLY = f"JSON nested too deeply (more than {MAX_NESTING} levels)"
NOT_A_JSON_NUMBER = "JSON holding NaN or an infinite number"


def nests_deeper_than(value: object, limit: int = MAX_NESTING) -> bool:
    """Whether ``value`` has objects or arrays nested more than ``limit`` levels deep
    (``{}`` is one level, ``{"a": []}`` two); scalars never do."""
    return _problem(value, limit, numbers=False) is not None


def argument_problem(value: object) -> str | None:
    """Why decoded arguments cannot be kept (``NESTED_TOO_DEEPLY`` or
    ``NOT_A_JSON_NUMBER``), or ``None`` when they can."""
    return _problem(value, MAX_NESTING, numbers=True)


def _problem(value: object, limit: int, *, numbers: bool) -> str | None:
    if type(value) is float:
        return NOT_A_JSON_NUMBER if numbers and not math.isfinite(value) else None
    if type(value) not in (dict, list):
        return None
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return NESTED_TOO_DEEPLY
        for child in item.values() if type(item) is dict else item:
            kind = type(child)
            if kind is dict or kind is list:
                stack.append((child, depth + 1))
            elif numbers and kind is float and not math.isfinite(child):
                return NOT_A_JSON_NUMBER
    return None
