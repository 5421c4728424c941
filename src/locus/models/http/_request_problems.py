"""Why a model call's request body could not be written, in terms the caller can act on.

Checked only once writing the body has failed (never on the way of a call that works):
messages that are not ``Message`` objects, and numbers JSON cannot spell (``NaN``,
``Infinity``). The service answers a body holding those with HTTP 400 on every call, so
the body encoder refuses them (``allow_nan=False``) and this names where one is: a tool's
schema (a parameter defaulting to ``math.nan``), a generation setting, a message.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from typing import Any

from locus.core.messages import Message

__all__ = ["messages_problem", "non_finite_path", "request_problem"]

_DEPTH = 64
"""How deep the search goes (bodies nested deeper than this are refused elsewhere)."""

_HINT = (
    "JSON has no NaN or Infinity, and the service refuses a request holding one: "
    "give a finite number or None there (a tool parameter's default, a generation "
    "setting, a value in a message's content)"
)


def request_problem(
    messages: object, tools: Sequence[Any], params: object, extra: Mapping[str, Any]
) -> str | None:
    """What in a call's parts cannot be written as a request body, or ``None``."""
    problem = messages_problem(messages)
    if problem is not None:
        return problem
    assert isinstance(messages, Sequence)
    named = (
        *((f"messages[{i}]", m) for i, m in enumerate(messages)),
        *((f"tools[{getattr(t, 'name', i)!r}]", t) for i, t in enumerate(tools)),
        ("the generation settings", params),
        ("the call's settings", extra),
    )
    for name, part in named:
        path = non_finite_path(part, name)
        if path is not None:
            return f"{path} is not a finite number: {_HINT}"
    return None


def messages_problem(messages: object) -> str | None:
    """What is wrong with ``messages`` as a model call's messages, or ``None``."""
    hint = (
        "pass a list of Message (from locus.core.messages import Message; "
        '[Message.user("...")]); an Agent takes a plain prompt'
    )
    if isinstance(messages, str | bytes) or not isinstance(messages, Sequence):
        return f"a model call takes a list of messages, not {type(messages).__name__}: {hint}"
    for index, message in enumerate(messages):
        if not isinstance(message, Message):
            kind = type(message).__name__
            return f"messages[{index}] is a {kind}, not a Message: {hint}"
    return None


def non_finite_path(value: object, path: str) -> str | None:
    """The path (``path`` then ``.field``, ``['key']``, ``[index]``) of the first float in
    ``value`` that is NaN or infinite, looking into dataclasses, mappings and sequences."""
    return _search(value, path, _DEPTH, set())


def _search(value: object, path: str, depth: int, seen: set[int]) -> str | None:
    if isinstance(value, float):
        return None if math.isfinite(value) else path
    if depth == 0 or isinstance(value, str | bytes | int) or value is None:
        return None
    if id(value) in seen:
        return None
    seen.add(id(value))
    for key, item in _children(value):
        found = _search(item, path + key, depth - 1, seen)
        if found is not None:
            return found
    return None


def _children(value: object) -> list[tuple[str, object]]:
    if isinstance(value, Mapping):
        return [(f"[{key!r}]", item) for key, item in value.items()]
    if isinstance(value, Sequence | set | frozenset):
        return [(f"[{index}]", item) for index, item in enumerate(value)]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [(f".{f.name}", getattr(value, f.name)) for f in dataclasses.fields(value)]
    return []
