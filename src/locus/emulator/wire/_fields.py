"""Small field checks shared by the request parsers; each failure is a 400 InvalidParameter."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from locus.emulator._errors import bad_request

__all__ = [
    "as_list",
    "as_mapping",
    "check_numbers",
    "optional_int",
    "response_format",
    "text_of_parts",
]

_NUMBERS = ("temperature", "topP", "frequencyPenalty", "presencePenalty")
_INTEGERS = ("maxTokens", "maxCompletionTokens", "topK", "seed", "numGenerations")


def as_mapping(value: Any, where: str) -> Mapping[str, Any]:
    """``value`` if it is a JSON object; 400 otherwise."""
    if type(value) is dict:  # what json.loads makes; the Mapping check is an ABC lookup
        return value
    if not isinstance(value, Mapping):
        raise bad_request(f"{where} must be an object")
    return value


def as_list(value: Any, where: str) -> list[Any]:
    """``value`` if it is a JSON array; 400 otherwise."""
    if not isinstance(value, list):
        raise bad_request(f"{where} must be a list")
    return value


def optional_int(request: Mapping[str, Any], name: str) -> int | None:
    """The integer field ``name`` or None when absent; 400 when it is not a positive integer."""
    value = request.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise bad_request(f"chatRequest.{name} must be a positive integer")
    return value


def check_numbers(request: Mapping[str, Any]) -> None:
    """Reject sampling fields of the wrong type (and ``topP`` outside 0..1)."""
    for name in _NUMBERS:
        value = request.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise bad_request(f"chatRequest.{name} must be a number")
    for name in _INTEGERS:
        value = request.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise bad_request(f"chatRequest.{name} must be an integer")
    top_p = request.get("topP")
    if top_p is not None and not 0 <= top_p <= 1:
        raise bad_request("chatRequest.topP must be between 0 and 1")


def text_of_parts(content: Any, text_type: str, where: str) -> str:
    """The text parts of a content list joined together (other parts are skipped)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    parts = as_list(content, where)
    texts = []
    for part in parts:
        item = as_mapping(part, f"{where}[]")
        if item.get("type") == text_type:
            texts.append(str(item.get("text", "")))
    return "".join(texts)


def response_format(value: Any, schema_holder: str | None) -> dict[str, Any]:
    """``json_mode``/``json_schema`` for a Conversation from a response-format object.

    GENERIC nests the schema in ``jsonSchema.schema``, OpenAI in ``json_schema.schema``
    (``schema_holder``); Cohere puts it in ``schema`` directly (``schema_holder`` None).
    """
    if value is None:
        return {}
    fmt = as_mapping(value, "responseFormat")
    kind = str(fmt.get("type", "")).upper()
    if kind not in ("JSON_OBJECT", "JSON_SCHEMA"):
        return {}
    holder = fmt.get(schema_holder) if schema_holder else fmt
    schema = holder.get("schema") if isinstance(holder, Mapping) else None
    return {"json_mode": True, "json_schema": dict(schema) if isinstance(schema, Mapping) else None}
