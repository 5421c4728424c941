"""Each message's wire form, encoded once per format while the message is unchanged.

A conversation grows by a few messages a turn, but every call sends all of it: without
this, a 1,000-message history is mapped again (and each old tool call's arguments
``json.dumps``-ed again) on every turn. A message keeps its entry in a private slot
(``Message._encoded``): a snapshot of every field an encoding reads, and the encoded
forms by format. ``Message`` is mutable, so every call compares the message with its
snapshot before the entry is used: its scalar fields by value, its tool calls by
identity (the same ``ToolCall`` objects, each with the same id, name, raw text and
argument keys, and the very same argument values). A changed message is encoded again.
Argument values must be plain scalars for this to hold (a nested list could change in
place unseen): a message with any other argument value is encoded on every call.

An entry keeps the message's compact JSON text, and what a model call needs is only
that: ``HTTPChatModel`` encodes its bodies under ``texts_only``, where a body's messages
are a ``WireTexts`` list of those texts, which ``locus.models.http._body_json`` joins as
they are. So a run waiting on its model holds one small entry per message, not a dict
with its lists. Outside ``texts_only`` (tests, code that reads a body), a cached message
comes back as a ``WireMessage``: the encoded dict with the same text, which the entry
then keeps as well. Changing that dict drops its text, and it is encoded again on the
next call. An entry is never changed once made (a message in a new format gets a new
one), so copies of a message share it (``copy.copy``: it still fits them), and so do
the system messages of an agent's runs (one entry per system prompt's content:
``_SYSTEM``). Pickles and deep copies leave it behind.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
from collections.abc import Callable, Sequence
from operator import is_
from typing import Any

from locus.core.messages import Message, ToolCall

__all__ = [
    "WireMessage",
    "WireTexts",
    "cached_wire",
    "cached_wires",
    "clear",
    "dumps_compact",
    "texts_only",
]

dumps_compact = json.JSONEncoder(separators=(",", ":"), ensure_ascii=True, allow_nan=False).encode
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


class WireTexts(list[str]):
    """A body's messages as their compact JSON texts (``texts_only``), sent as they are."""

    __slots__ = ()


_TEXTS_ONLY: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "locus_wire_texts_only", default=False
)


def texts_only(encode: Callable[[Any], dict[str, Any]], request: Any) -> dict[str, Any]:
    """``encode(request)``, its messages' lists made by ``cached_wires`` as ``WireTexts``:
    for a body that is only dumped (``dump_body``), never read as dicts."""
    token = _TEXTS_ONLY.set(True)
    try:
        return encode(request)
    finally:
        _TEXTS_ONLY.reset(token)


Encode = Callable[[Message], dict[str, Any]]
_State = tuple[Any, ...]
_Form = tuple[str, WireMessage | None]
"""One format's text, and its dict once one was asked for."""
_SCALARS = frozenset({str, int, float, bool, type(None)})
_FIELDS = 7
"""Items per tool call in a snapshot: the call, its id, name, raw text, arguments dict,
argument keys and argument values (one flat tuple for all calls: ``_snapshot``)."""


class _Entry:
    """A message's snapshot and its wire forms: the last format's, and any others.

    Never changed once made, so whoever shares it sees one consistent entry (from any
    thread).
    """

    __slots__ = ("calls", "fmt", "more", "state", "text", "wire")

    def __init__(
        self,
        state: _State,
        calls: tuple[Any, ...],
        fmt: str,
        text: str,
        wire: WireMessage | None,
        more: dict[str, _Form] | None,
    ) -> None:
        self.state = state
        self.calls = calls
        self.fmt = fmt
        self.text = text
        self.wire = wire
        self.more = more
        """Every other format's form, once there is more than one."""

    def form(self, fmt: str) -> _Form | None:
        """``fmt``'s text and dict, if it was encoded."""
        if fmt == self.fmt:
            return self.text, self.wire
        return None if self.more is None else self.more.get(fmt)

    def __reduce__(self) -> tuple[Callable[[], None], tuple[()]]:
        return _left_behind, ()  # pickles and deep copies of a message start without one


def _left_behind() -> None:
    return None


_SYSTEM: dict[_State, _Entry] = {}
"""The entries of system messages without tool calls, by content: an agent makes its
system message anew for every run, and its encoding is shared."""
_SYSTEM_SIZE = 256


def cached_wires(messages: Sequence[Message], fmt: str, encode: Encode) -> list[dict[str, Any]]:
    """``[encode(m) for m in messages]``, each encoded once per ``fmt`` and content.

    The same ``WireMessage`` is handed to every call while its message is unchanged;
    one changed at its top level (which drops its text) is encoded again next time.
    Under ``texts_only``: a ``WireTexts`` of the messages' JSON texts.
    """
    texts = _TEXTS_ONLY.get()
    out: list[Any] = WireTexts() if texts else []
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
        if entry is None or not (
            entry.state == state and (_same_calls(calls, entry.calls) if calls else not entry.calls)
        ):
            entry = _found(message, state)
        if entry is not None:
            if entry.fmt == fmt:  # (entry.form(fmt), inlined)
                if texts:
                    append(entry.text)
                    continue
                wire = entry.wire
            elif entry.more is not None and fmt in entry.more:
                text, wire = entry.more[fmt]
                if texts:
                    append(text)
                    continue
            else:
                wire = None
            if wire is not None and wire.text is not None:
                append(wire)
                continue
        append(_encode(message, state, entry, fmt, encode, texts))
    return out


def cached_wire(message: Message, fmt: str, encode: Encode) -> dict[str, Any]:
    """``encode(message)``, encoded once per ``fmt`` and content (``cached_wires`` for one
    message, never under ``texts_only``)."""
    state = _state(message)
    entry: _Entry | None = getattr(message, "_encoded", None)
    calls = message.tool_calls
    if entry is None or not (
        entry.state == state and (_same_calls(calls, entry.calls) if calls else not entry.calls)
    ):
        entry = _found(message, state)
    form = None if entry is None else entry.form(fmt)
    if form is not None and form[1] is not None and form[1].text is not None:
        return form[1]
    wire: dict[str, Any] = _encode(message, state, entry, fmt, encode, False)
    return wire


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
    """Forget the wire forms of ``messages``, and those shared by system messages (tests:
    the next encoding starts afresh)."""
    _SYSTEM.clear()
    for message in messages:
        with contextlib.suppress(AttributeError):  # never encoded
            del message._encoded


def _found(message: Message, state: _State) -> _Entry | None:
    """The shared entry of a system message (kept in its slot), else ``None``."""
    if state[1] != "system" or message.tool_calls:
        return None
    try:
        entry = _SYSTEM.get(state)
    except TypeError:  # an unhashable field (a list given as images)
        return None
    if entry is not None:
        with contextlib.suppress(AttributeError):  # not a Message
            message._encoded = entry
    return entry


def _encode(
    message: Message, state: _State, entry: _Entry | None, fmt: str, encode: Encode, texts: bool
) -> Any:
    """``message`` in ``fmt`` (its text when ``texts``, else a ``WireMessage``), kept in a
    new entry in its slot: ``entry``'s (still valid) forms and this one."""
    calls: tuple[Any, ...] = ()
    if entry is not None:
        calls = entry.calls
    elif message.tool_calls:
        snapshot = _snapshot(message.tool_calls)
        if snapshot is None:  # it could change unseen: encoded on every call
            return dumps_compact(encode(message)) if texts else encode(message)
        calls = snapshot
    wire: WireMessage | None = None
    if texts:
        text = dumps_compact(encode(message))
    else:
        wire = encoded(encode(message), fmt)
        text = wire.text  # type: ignore[assignment]  # (just made)
    more = None
    if entry is not None and (entry.fmt != fmt or entry.more is not None):
        more = dict(entry.more or ())
        if entry.fmt != fmt:
            more[entry.fmt] = (entry.text, entry.wire)
        more.pop(fmt, None)
    made = _Entry(state, calls, fmt, text, wire, more)
    try:
        message._encoded = made
    except AttributeError:  # not a Message: nowhere to keep it
        return text if texts else wire
    if state[1] == "system" and not made.calls:
        with contextlib.suppress(TypeError):  # (unhashable: not shared)
            if len(_SYSTEM) >= _SYSTEM_SIZE:
                _SYSTEM.clear()
            _SYSTEM[state] = made
    return text if texts else wire


def _snapshot(calls: Sequence[ToolCall]) -> tuple[Any, ...] | None:
    """What ``_same_calls`` compares, or ``None`` when a call could change unseen."""
    out: list[Any] = []
    for call in calls:
        if type(call) is not ToolCall or type(call.arguments) is not dict:
            return None
        arguments = call.arguments
        keys, values = tuple(arguments), tuple(arguments.values())
        if not (_SCALARS.issuperset(map(type, values)) and all(type(k) is str for k in keys)):
            return None
        out += (call, call.id, call.name, call.raw_arguments, arguments, keys, values)
    return tuple(out)


def _same_calls(calls: Sequence[ToolCall], snapshot: tuple[Any, ...]) -> bool:
    """True when ``calls`` are still the snapshot's, unchanged (argument values: the same
    objects, so that ``1``, ``True``, ``1.0`` and ``0.0``/``-0.0`` are never confused)."""
    if len(calls) * _FIELDS != len(snapshot):
        return False
    at = 0
    for call in calls:
        was, call_id, name, raw, arguments, keys, values = snapshot[at : at + _FIELDS]
        at += _FIELDS
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
