"""Each message's wire form, encoded once per format while the message is unchanged.

A conversation grows by a few messages a turn, but every call sends all of it: without
this, a 1,000-message history is mapped again (and each old tool call's arguments
``json.dumps``-ed again) on every turn. An entry holds a weak reference to its message
(so it goes with it), a fingerprint of every field an encoding reads, and the encoded
dicts by format. ``Message`` is mutable: a message whose fingerprint changed is encoded
again, and one whose tool-call arguments hold anything but plain scalars (which could
change in place unseen) is never cached.

A cached message comes back as a ``WireMessage``: the encoded dict, which also carries
its compact JSON text (made once, with the encoding), so that the request body is
joined from each message's text instead of serialising the whole history again
(``locus.models.http._body_json``). Changing it drops the text, and a wire form
without text is encoded again on the next call.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Callable, Hashable
from typing import Any

from locus.core.messages import Message, ToolCall

__all__ = ["WireMessage", "cached_wire", "clear", "dumps_compact"]

dumps_compact = json.JSONEncoder(separators=(",", ":"), ensure_ascii=True).encode
"""Compact, ASCII-only JSON (as request bodies are sent: valid even with lone surrogates)."""


class WireMessage(dict[str, Any]):
    """One message's encoded dict with its ``dumps_compact`` text (``None`` once changed).

    Only top-level changes are seen: nested values (content parts, tool calls) are
    shared by every body that holds the message and must not be changed in place.
    """

    __slots__ = ("text",)
    text: str | None

    def __setitem__(self, key: str, value: Any) -> None:
        self.text = None
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        self.text = None
        super().__delitem__(key)

    def __ior__(self, other: Any) -> WireMessage:  # type: ignore[override,misc]
        self.text = None
        super().__ior__(other)
        return self

    def update(self, *args: Any, **kwargs: Any) -> None:
        self.text = None
        super().update(*args, **kwargs)

    def pop(self, *args: Any) -> Any:
        self.text = None
        return super().pop(*args)

    def popitem(self) -> tuple[str, Any]:
        self.text = None
        return super().popitem()

    def setdefault(self, key: str, default: Any = None) -> Any:
        self.text = None
        return super().setdefault(key, default)

    def clear(self) -> None:
        self.text = None
        super().clear()


_Entry = tuple["weakref.ref[Message]", tuple[Any, ...], dict[str, WireMessage]]
_ENTRIES: dict[int, _Entry] = {}
_SCALARS = frozenset({str, int, bool, type(None)})


def cached_wire(
    message: Message, fmt: str, encode: Callable[[Message], dict[str, Any]]
) -> dict[str, Any]:
    """``encode(message)`` with its JSON text, encoded once per ``fmt`` and content.

    The same ``WireMessage`` is handed to every call while the message is unchanged;
    one changed at its top level (which drops its text) is encoded again next time.
    """
    fingerprint = _fingerprint(message)
    if fingerprint is None:
        return encode(message)
    entry = _ENTRIES.get(id(message))
    if entry is None or entry[0]() is not message or entry[1] != fingerprint:
        entry = _new_entry(message, fingerprint)
        if entry is None:
            return encode(message)
    wire = entry[2].get(fmt)
    if wire is None or wire.text is None:  # new, or changed by whoever it was given to
        wire = entry[2][fmt] = WireMessage(encode(message))
        wire.text = dumps_compact(wire)
    return wire


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
    calls: tuple[Hashable, ...] = ()
    if message.tool_calls:
        keys = [_call_key(call) for call in message.tool_calls]
        if None in keys:
            return None
        calls = tuple(keys)
    return (
        type(message),
        message.role,
        message.content,
        message.tool_call_id,
        message.name,
        message.reasoning,
        message.images,
        message.is_error,
        calls,
    )


def _call_key(call: ToolCall) -> tuple[Any, ...] | None:
    arguments = _arguments_key(call)
    if arguments is None:
        return None
    return (call.id, call.name, call.raw_arguments, arguments)


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
