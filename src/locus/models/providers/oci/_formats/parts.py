"""Pieces the GENERIC and COHEREV2 formats build alike: the ``chatRequest`` frame, text
content parts and tool-result messages."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from locus.core.errors import ConfigurationError
from locus.core.messages import Message
from locus.core.toolspec import ToolSpec
from locus.models._wire.message_cache import WireMessage, encoded
from locus.models.providers.oci._formats.params import stream_fields

__all__ = ["cached_tool", "chat_request", "require_call_id", "text_part", "tool_message"]


def chat_request(
    api_format: str,
    messages: list[dict[str, Any]],
    tools: list[dict[str, Any]],
    stream: bool,
    fields: Mapping[str, Any],
    extra: Mapping[str, Any],
) -> dict[str, Any]:
    """``{apiFormat, messages, isStream..., <fields>, tools?}``, then ``extra`` as given."""
    request: dict[str, Any] = {
        "apiFormat": api_format,
        "messages": messages,
        **stream_fields(stream),
        **fields,
    }
    if tools:
        request["tools"] = tools
    request.update(extra)
    return request


def text_part(text: str) -> dict[str, Any]:
    """A ``TEXT`` content part."""
    return {"type": "TEXT", "text": text}


def tool_message(message: Message) -> dict[str, Any]:
    """A tool result as a ``TOOL`` message answering its call."""
    call_id = require_call_id(message)
    return {"role": "TOOL", "content": [text_part(message.text)], "toolCallId": call_id}


def require_call_id(message: Message) -> str:
    """The ``tool_call_id`` of a tool-result message; a missing one is a usage error."""
    if not message.tool_call_id:
        raise ConfigurationError("a tool message needs the tool_call_id of the call it answers")
    return message.tool_call_id


_TOOL_CACHE: dict[tuple[str, int], tuple[ToolSpec, Mapping[str, Any], WireMessage]] = {}
_TOOL_CACHE_SIZE = 512


def cached_tool(
    spec: ToolSpec, api_format: str, build: Callable[[ToolSpec], dict[str, Any]]
) -> WireMessage:
    """``build(spec)`` with its JSON text, made once per spec object and format.

    An agent offers the same specs on every call, so the schema is simplified (and the
    definition's text made) once; the cache holds the spec itself, so an id is never
    mistaken for a new object's. Every call gets the same ``WireMessage``: one changed
    at its top level has lost its text, and is built again.
    """
    key = (api_format, id(spec))
    cached = _TOOL_CACHE.get(key)
    if (
        cached is not None
        and cached[0] is spec
        and cached[1] is spec.parameters
        and cached[2].text is not None
    ):
        return cached[2]
    wire = encoded(build(spec))
    if len(_TOOL_CACHE) >= _TOOL_CACHE_SIZE:
        _TOOL_CACHE.clear()
    _TOOL_CACHE[key] = (spec, spec.parameters, wire)
    return wire
