"""How deeply a decoded JSON value nests, measured without recursion.

Tool-call arguments decoded from a model's answer are encoded again later, deeper in
the stack: in the next request, in a stored thread, for a tool. Python's JSON encoder
(like ``repr`` and ``==``) gives up at the interpreter's recursion limit, so arguments
that decoded near that limit would fail there with a ``RecursionError``. Arguments
nesting deeper than ``MAX_NESTING`` are therefore refused where they are decoded,
like any arguments that are not a JSON object (docs/reliability.md "Bytes and JSON from
the server").
"""

from __future__ import annotations

__all__ = ["MAX_NESTING", "NESTED_TOO_DEEPLY", "nests_deeper_than"]

MAX_NESTING = 256
"""The deepest nesting of objects and arrays kept in tool-call arguments."""

NESTED_TOO_DEEPLY = f"JSON nested too deeply (more than {MAX_NESTING} levels)"


def nests_deeper_than(value: object, limit: int = MAX_NESTING) -> bool:
    """Whether ``value`` has objects or arrays nested more than ``limit`` levels deep
    (``{}`` is one level, ``{"a": []}`` two); scalars never do."""
    if type(value) is dict:
        stack = [(child, 2) for child in value.values() if type(child) in (dict, list)]
    elif type(value) is list:
        stack = [(child, 2) for child in value if type(child) in (dict, list)]
    else:
        return False
    if limit < 1:
        return True
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        children = item.values() if type(item) is dict else item
        stack.extend((child, depth + 1) for child in children if type(child) in (dict, list))
    return False
