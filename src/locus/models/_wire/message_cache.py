"""Each message's wire form, encoded once per format while the message is unchanged.

A conversation grows by a few messages a turn, but every call sends all of it: without
this, a 1,000-message history is mapped again (and each old tool call's arguments
``json.dumps``-ed again) on every turn. A message keeps its entry in a private slot
(``Message._encoded``): a snapshot of every field an encoding reads, and the encoded
dicts by format. ``Message`` is mutable, so every call compares the message with its
snapshot before the entry is used: its scalar fields by value, its tool calls by
identity (the same ``ToolCall`` objects, each with the same id, name, raw text and
argument keys, and the very same argument values). A changed message is encoded again.
Argument values must be plain scalars for this to hold (a nested list could change in
place unseen): a message with any other argument value is encoded on every call.

A cached message comes back as a ``WireMessage``: the encoded dict, which also carries
its compact JSON text (made once, with the encoding), so that the request body is
joined from each message's text instead of serialising the whole history again
(``locus.models.http._body_json``). Changing it drops the text, and a wire form
without text is encoded again on the next call. Copies of a message share its entry
(``copy.copy``: it still fits them); pickles and deep copies leave it behind.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Sequence
from operator import is_
from typing import Any

from locus.core.messages import Message, ToolCall

__all__ = ["WireMessage", "cached_wire", "cached_wires", "clear", "dumps_compact"]

dumps_compact = json.JSONEncoder(separators=(",", ":"), ensure_ascii=True).encode
"""Compact, ASCII-only JSON (as request bodies are sent: valid even with lone surrogates)."""


class WireMessage(dict[str, Any]):
    """An encoded dict with its ``dumps_compact`` text (``None`` once changed).

    Only top-level changes are seen: nested values (content parts, tool calls) are
    shared by every body that holds the message and must not be changed in place.
    """

    __slots__ = ("fmt", "text")
    text: str | None
    fmt: str

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


def encoded(value: dict[str, Any], fmt: str = "") -> WireMessage:
    """``value`` as a ``WireMessage`` with its text (and the name of its format)."""
    wire = WireMessage(value)
    wire.text = dumps_compact(wire)
    wire.fmt = fmt
    return wire


Encode = Callable[[Message], dict[str, Any]]
_State = tuple[Any, ...]
_CallSnapshot = tuple[
    ToolCall, str, str, str | None, dict[str, Any], tuple[Any, ...], tuple[Any, ...]
]
_SCALARS = frozenset({str, int, float, bool, type(None)})


class _Entry:
    """A message's snapshot and its wire forms by format."""

    __slots__ = ("calls", "state", "wire", "wires")

    def __init__(self, state: _State, calls: tuple[_CallSnapshot, ...]) -> None:
        self.state = state
        self.calls = calls
        self.wire: WireMessage | None = None
        """The wire form made last (its ``fmt`` says which: threads see both or none)."""
        self.wires: dict[str, WireMessage] | None = None
        """Every format's wire form, once there is more than one."""

    def get(self, fmt: str) -> WireMessage | None:
        """The wire form in ``fmt``, if it was made (and not changed since)."""
        wire = self.wire
        if wire is not None and wire.fmt != fmt:
            wire = None if self.wires is None else self.wires.get(fmt)
        return wire if wire is not None and wire.text is not None else None

    def __reduce__(self) -> tuple[Callable[[], None], tuple[()]]:
        return _left_behind, ()  # pickles and deep copies of a message start without one


def _left_behind() -> None:
    return None


def cached_wires(messages: Sequence[Message], fmt: str, encode: Encode) -> list[dict[str, Any]]:
    """``[encode(m) for m in messages]``, each encoded once per ``fmt`` and content.

    The same ``WireMessage`` is handed to every call while its message is unchanged;
    one changed at its top level (which drops its text) is encoded again next time.
    """
    out: list[dict[str, Any]] = []
    append = out.append
    for message in messages:
        state = (  # _state(message), inlined: this loop runs over whole histories
            message.content,
            message.role,
            message.tool_call_id,
            message.name,
            message.reasoning,
            message.images,
            message.is_error,
        )
        try:
            entry = message._encoded
        except AttributeError:  # never encoded (or not a Message)
            entry = None
        calls = message.tool_calls
        if (
            entry is not None
            and entry.state == state
            and (_same_calls(calls, entry.calls) if calls else not entry.calls)
        ):
            wire = entry.wire  # (entry.get(fmt), inlined)
            if wire is not None and wire.fmt != fmt:
                wire = None if entry.wires is None else entry.wires.get(fmt)
            if wire is not None and wire.text is not None:
                append(wire)
                continue
        else:
            entry = _new_entry(message, state)
            if entry is None:
                append(encode(message))
                continue
        append(_encode_into(entry, message, fmt, encode))
    return out


def cached_wire(message: Message, fmt: str, encode: Encode) -> dict[str, Any]:
    """``encode(message)``, encoded once per ``fmt`` and content (``cached_wires`` for one)."""
    state = _state(message)
    entry: _Entry | None = getattr(message, "_encoded", None)
    calls = message.tool_calls
    if (
        entry is not None
        and entry.state == state
        and (_same_calls(calls, entry.calls) if calls else not entry.calls)
    ):
        wire = entry.get(fmt)
        if wire is not None:
            return wire
    else:
        entry = _new_entry(message, state)
        if entry is None:
            return encode(message)
    return _encode_into(entry, message, fmt, encode)


def _state(message: Message) -> _State:
    """Every field an encoding reads, but the tool calls (``cached_wires`` inlines it)."""
    return (
        message.content,
        message.role,
        message.tool_call_id,
        message.name,
        message.reasoning,
        message.images,
        message.is_error,
    )


def clear(messages: Sequence[Message] = ()) -> None:
    """Forget the wire forms of ``messages`` (tests: the next encoding starts afresh)."""
    for message in messages:
        with contextlib.suppress(AttributeError):  # never encoded
            del message._encoded


def _encode_into(entry: _Entry, message: Message, fmt: str, encode: Encode) -> WireMessage:
    wire = encoded(encode(message), fmt)
    last = entry.wire
    if entry.wires is None and last is not None and last.fmt != fmt:  # a second format
        entry.wires = {last.fmt: last}
    if entry.wires is not None:
        entry.wires[fmt] = wire
    entry.wire = wire
    return wire


def _new_entry(message: Message, state: _State) -> _Entry | None:
    """A fresh entry in the message's slot, or ``None`` when it cannot be kept."""
    calls = _snapshot(message.tool_calls) if message.tool_calls else ()
    if calls is None:
        return None
    entry = _Entry(state, calls)
    try:
        message._encoded = entry
    except AttributeError:  # not a Message: nowhere to keep it
        return None
    return entry


def _snapshot(calls: Sequence[ToolCall]) -> tuple[_CallSnapshot, ...] | None:
    """What ``_same_calls`` compares, or ``None`` when a call could change unseen."""
    out: list[_CallSnapshot] = []
    for call in calls:
        if type(call) is not ToolCall or type(call.arguments) is not dict:
            return None
        arguments = call.arguments
        keys, values = tuple(arguments), tuple(arguments.values())
        if not (_SCALARS.issuperset(map(type, values)) and all(type(k) is str for k in keys)):
            return None
        out.append((call, call.id, call.name, call.raw_arguments, arguments, keys, values))
    return tuple(out)


def _same_calls(calls: Sequence[ToolCall], snapshot: tuple[_CallSnapshot, ...]) -> bool:
    """True when ``calls`` are still the snapshot's, unchanged (argument values: the same
    objects, so that ``1``, ``True``, ``1.0`` and ``0.0``/``-0.0`` are never confused)."""
    if len(calls) != len(snapshot):
        return False
    for call, (was, call_id, name, raw, arguments, keys, values) in zip(
        calls, snapshot, strict=True
    ):
        now = call.arguments
        if (
            call is not was
            or now is not arguments
            or call.id != call_id
            or call.name != name
            or call.raw_arguments != raw
            or tuple(now) != keys
            or not all(map(is_, now.values(), values))
        ):
            return False
    return True
