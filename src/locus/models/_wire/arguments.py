"""Tool-call arguments between the wire (JSON text) and ``ToolCall`` (a dict).

Invalid arguments never crash a decoder and never drop a call: when a model's
``arguments`` text is not a JSON object (or is one that could not be encoded again:
nested deeper than ``MAX_NESTING``, or holding ``NaN``), the call gets ``arguments={}``
and keeps the text in ``ToolCall.raw_arguments``, so that the agent can answer the model
with an error instead of running the tool on guessed input. Encoded back, such a call
sends its text as it came.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from locus.core._json_values import NESTED_TOO_DEEPLY, argument_problem, nests_deeper_than
from locus.core.messages import ToolCall
from locus.models._wire.json_text import ServerJSONError, loads_server_json
from locus.models._wire.object_scan import parse_object
from locus.models._wire.shape import ShapeError
from locus.models._wire.surrogates import whole_text

__all__ = [
    "dump_arguments",
    "fragment_text",
    "is_json_object",
    "parse_arguments",
    "tool_call",
    "wire_arguments",
]


def tool_call(call_id: str, name: str, raw: object) -> ToolCall:
    """A ``ToolCall`` from wire arguments: a JSON object text, an object, or nothing."""
    arguments, text = parse_arguments(raw)
    return ToolCall(call_id, name, arguments, raw_arguments=text)


def parse_arguments(raw: object) -> tuple[dict[str, Any], str | None]:
    """``(arguments, raw text)``; the text is ``None`` unless it was not a JSON object.

    A JSON string that itself holds a JSON object (double encoding, seen from some
    servers) is decoded twice.
    """
    if raw is None:
        return {}, None
    if not isinstance(raw, str):
        if nests_deeper_than(raw):  # (too deep to use, or even to write out)
            return {}, f"<arguments: {NESTED_TOO_DEEPLY}>"
        if isinstance(raw, Mapping) and argument_problem(raw) is None:
            return dict(raw), None
        return {}, json.dumps(raw, default=str)
    raw = whole_text(raw)  # (a character's UTF-16 halves in two fragments: joined)
    stripped = raw.strip()  # (any whitespace around it: U+2028 too, as streams read it)
    if not stripped:
        return {}, None
    value = _loads(stripped)
    if isinstance(value, str):
        value = _loads(value)
    if isinstance(value, dict) and argument_problem(value) is None:
        return value, None
    if value is None and stripped == "null":
        return {}, None
    return {}, raw


def _loads(text: str) -> Any:
    try:
        return loads_server_json(text)
    except ServerJSONError:
        return None


def dump_arguments(arguments: Mapping[str, Any]) -> str:
    """Arguments as the JSON string the wire expects (``{"city": "Paris"}`` layout)."""
    return json.dumps(dict(arguments), default=str)


def wire_arguments(call: ToolCall) -> str:
    """A call's arguments as wire JSON text. A call whose arguments were not a JSON object
    (``raw_arguments``) goes back with ``{}``: providers refuse arguments that are not a
    JSON object in a history, and the call's error result quotes what the model wrote."""
    if call.raw_arguments is not None:
        return "{}"
    return dump_arguments(call.arguments)


def fragment_text(function: Mapping[str, Any], where: str) -> str:
    """The ``arguments`` piece of a streamed tool-call fragment, as text (``""`` if none)."""
    arguments = function.get("arguments")
    if type(arguments) is str:
        return arguments  # (the usual piece; the Mapping ABC check below is slower)
    if isinstance(arguments, Mapping):
        if nests_deeper_than(arguments):
            raise ShapeError(f"{where}.arguments is {NESTED_TOO_DEEPLY}")
        return dump_arguments(arguments)
    if arguments is not None and not isinstance(arguments, str):
        raise ShapeError(f"{where}.arguments should be a string")
    return arguments or ""


def is_json_object(text: str) -> bool:
    """Whether ``text`` is one whole JSON object that arguments may be (what
    ``ObjectScan`` tells of the same text in pieces)."""
    # cheap shape test first: most fragments are pieces ("{\"a\": 7,") and never parse
    stripped = text.strip()
    if not (stripped.startswith("{") and stripped.endswith("}")):
        return False
    return parse_object(text) is not None
