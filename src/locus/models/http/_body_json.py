"""A request body as compact ASCII JSON, joined from the messages' own JSON text.

A long conversation's body is mostly its history, and every message of it already has
its JSON text from the codec's message cache (``WireMessage.text``). The body is the
same bytes as ``json.dumps(body, separators=(",", ":"))`` (ASCII only, as the ``oci``
SDK sends), but a list holding such messages is joined from their texts instead of
being serialised again: a turn costs the new messages plus one join.
"""

from __future__ import annotations

from typing import Any

from locus.models._wire.message_cache import WireMessage, dumps_compact

__all__ = ["dump_body"]

_DEPTH = 4
"""How deep dicts are walked for lists of messages (a body's are two levels down)."""


_JOIN_FROM = 16
"""Fewer cached messages than this: one whole ``json.dumps`` is cheaper than the walk."""


def dump_body(body: dict[str, Any]) -> bytes:
    """``body`` as compact ASCII JSON bytes, identical to a whole ``json.dumps``."""
    if _messages_in(body, _DEPTH) < _JOIN_FROM:
        return dumps_compact(body).encode("ascii")
    return _value(body, _DEPTH).encode("ascii")


def _messages_in(value: dict[str, Any], depth: int) -> int:
    """How many cached messages the lists of ``value``'s dicts hold (``depth`` levels)."""
    found = 0
    for item in value.values():
        kind = type(item)
        if kind is list:
            found += sum(type(x) is WireMessage for x in item)
        elif kind is dict and depth > 1:
            found += _messages_in(item, depth - 1)
    return found


def _value(value: Any, depth: int) -> str:
    kind = type(value)
    if kind is WireMessage and value.text is not None:
        text: str = value.text
        return text
    if kind is list and _has_message(value):
        texts = [
            item.text if type(item) is WireMessage and item.text is not None else _value(item, 0)
            for item in value
        ]
        return "[" + ",".join(texts) + "]"
    if kind is dict and depth > 0 and all(type(key) is str for key in value):
        fields = [dumps_compact(key) + ":" + _value(item, depth - 1) for key, item in value.items()]
        return "{" + ",".join(fields) + "}"
    return dumps_compact(value)


def _has_message(items: list[Any]) -> bool:
    return any(type(item) is WireMessage for item in items)
