"""Each message's wire form, encoded once per format while the message is unchanged.

A conversation grows by a few messages a turn, but every call sends all of it: without
this, a 1,000-message history is mapped again (and each old tool call's arguments
``json.dumps``-ed again) on every turn. An entry holds a weak reference to its message
(so it goes with it), a fingerprint of every field an encoding reads, and the encoded
dicts by format. ``Message`` is mutable: a message whose fingerprint changed is encoded
again, and one whose tool-call arguments hold anything but plain scalars (which could
change in place unseen) is never cached.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable
from typing import Any

from locus.core.messages import Message, ToolCall

__all__ = ["cached_wire", "clear"]

_Entry = tuple["weakref.ref[Message]", tuple[Any, ...], dict[str, dict[str, Any]]]
_ENTRIES: dict[int, _Entry] = {}
_SCALARS = frozenset({str, int, bool, type(None)})


def cached_wire(
    message: Message, fmt: str, encode: Callable[[Message], dict[str, Any]]
) -> dict[str, Any]:
    """``encode(message)`` (a shallow copy of it), encoded once per ``fmt`` and content."""
    fingerprint = _fingerprint(message)
    if fingerprint is None:
        return encode(message)
    entry = _ENTRIES.get(id(message))
    if entry is None or entry[0]() is not message or entry[1] != fingerprint:
        entry = _new_entry(message, fingerprint)
        if entry is None:
            return encode(message)
    wire = entry[2].get(fmt)
    if wire is None:
        wire = entry[2][fmt] = encode(message)
    return dict(wire)


def clear() -> None:
    """Forget every entry (tests)."""
    _ENTRIES.clear()


def _new_entry(message: Message, fingerprint: tuple[Any, ...]) -> _Entry | None:
    key = id(message)

    def forget(ref: weakref.ref[Message]) -> None:
        current = _ENTRIES.get(key)
        if current is not None and current[0] is ref:
            del _ENTRIES[key]

    try:
        ref = weakref.ref(message, forget)
    except TypeError:  # a subclass without a weak-reference slot
        return None
    entry: _Entry = (ref, fingerprint, {})
    _ENTRIES[key] = entry
    return entry


def _fingerprint(message: Message) -> tuple[Any, ...] | None:
    """Every field an encoding reads, or ``None`` when that cannot be told cheaply."""
    calls: list[Hashable] = []
    for call in message.tool_calls:
        arguments = _arguments_key(call)
        if arguments is None:
            return None
        calls.append((call.id, call.name, call.raw_arguments, arguments))
    return (
        type(message),
        message.role,
        message.content,
        message.tool_call_id,
        message.name,
        message.reasoning,
        message.images,
        message.is_error,
        tuple(calls),
    )


def _arguments_key(call: ToolCall) -> tuple[Any, ...] | None:
    if type(call) is not ToolCall:
        return None
    out: list[tuple[Any, ...]] = []
    for name, value in call.arguments.items():
        kind = type(value)
        if kind is float:
            value = repr(value)  # 0.0 == -0.0, yet they dump differently
        elif kind not in _SCALARS or type(name) not in _SCALARS:
            return None
        out.append((type(name), name, kind, value))
    return tuple(out)
