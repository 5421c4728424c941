"""A request body as compact ASCII JSON, joined from its parts' own JSON text.

A long conversation's body is mostly its history, and every message of it already has
its JSON text from the codec's message cache (``WireMessage.text``), as do the tool
definitions. The body is the same bytes as ``json.dumps(body, separators=(",", ":"))``
(ASCII only, as the ``oci`` SDK sends), but it is walked down to its lists, strings
and numbers, and a ``WireMessage`` is written as its text instead of being serialised
again: a turn costs the new messages plus one join (a ``WireTexts``, the messages of a
body encoded under ``texts_only``, is joined as it is). What the walk does not know (a
dict with keys that are not strings, a tuple, a subclass, anything deeper than
``_DEPTH``) goes through ``json`` as it is, with the errors ``json`` raises. A number JSON
cannot spell (``NaN``, ``Infinity``) is a ``ValueError``, as with ``allow_nan=False``: the
service refuses such a body (``_request_problems`` then names where the number is).
"""

from __future__ import annotations

from json.encoder import encode_basestring_ascii
from operator import attrgetter
from typing import Any

from locus.models._wire.message_cache import WireMessage, WireTexts, dumps_compact

__all__ = ["dump_body"]

_DEPTH = 3
"""How deep the walk goes (a body's message list is two levels down; its items are
dumped whole when they are not ``WireMessage``s)."""

_TEXT = attrgetter("text")
_ONLY_WIRE = {WireMessage}


def dump_body(body: dict[str, Any]) -> bytes:
    """``body`` as compact ASCII JSON bytes, identical to a whole ``json.dumps`` (with
    ``allow_nan=False``)."""
    return _value(body, _DEPTH).encode("ascii")


def _value(value: Any, depth: int) -> str:
    kind = type(value)
    if kind is str:
        text: str = encode_basestring_ascii(value)
        return text
    if kind is WireMessage and value.text is not None:
        wire_text: str = value.text
        return wire_text
    if kind is WireTexts:
        return "[" + ",".join(value) + "]"
    if depth:
        if kind is dict:
            return _object(value, depth - 1)
        if kind is list:
            return _array(value, depth - 1)
    return _scalar(value)


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    kind = type(value)
    if kind is int:
        return int.__repr__(value)
    if kind is float and value - value == 0.0:  # finite (json refuses the others)
        return float.__repr__(value)
    return dumps_compact(value)


def _object(value: dict[Any, Any], depth: int) -> str:
    fields = []
    for key, item in value.items():
        if type(key) is not str:  # json turns it into a string: let it
            return dumps_compact(value)
        fields.append(encode_basestring_ascii(key) + ":" + _value(item, depth))
    return "{" + ",".join(fields) + "}"


def _array(value: list[Any], depth: int) -> str:
    if set(map(type, value)) == _ONLY_WIRE:
        try:
            return "[" + ",".join(map(_TEXT, value)) + "]"
        except TypeError:  # one has lost its text: changed since it was encoded
            pass
    return "[" + ",".join([_value(item, depth) for item in value]) + "]"
