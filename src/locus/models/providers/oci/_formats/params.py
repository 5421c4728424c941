"""Generation settings as OCI ``chatRequest`` fields (camelCase), per API format."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from locus.core.errors import ConfigurationError
from locus.core.params import GenerationParams
from locus.models.providers.oci._formats.schema import simplify_schema

__all__ = [
    "cohere_response_format",
    "generic_response_format",
    "generic_tool_choice",
    "max_tokens_field",
    "sampling_fields",
    "stream_fields",
]

_SAMPLING = (
    ("temperature", "temperature"),
    ("top_p", "topP"),
    ("top_k", "topK"),
    ("frequency_penalty", "frequencyPenalty"),
    ("presence_penalty", "presencePenalty"),
    ("seed", "seed"),
)


def sampling_fields(params: GenerationParams) -> dict[str, Any]:
    """The sampling settings every format shares; unset ones are omitted."""
    out: dict[str, Any] = {}
    for name, wire in _SAMPLING:
        value = getattr(params, name)
        if value is not None:
            out[wire] = value
    return out


def stream_fields(stream: bool) -> dict[str, Any]:
    """``isStream`` (always sent) and, when streaming, the usage event request."""
    if stream:
        return {"isStream": True, "streamOptions": {"isIncludeUsage": True}}
    return {"isStream": False}


def max_tokens_field(params: GenerationParams) -> dict[str, Any]:
    """Cohere formats have only ``maxTokens``; ``max_completion_tokens`` falls back to it."""
    value = params.max_tokens if params.max_tokens is not None else params.max_completion_tokens
    return {} if value is None else {"maxTokens": value}


def generic_tool_choice(choice: str) -> dict[str, Any]:
    """GENERIC ``toolChoice``: AUTO, NONE, REQUIRED or FUNCTION with a tool name."""
    if choice in ("auto", "none", "required"):
        return {"type": choice.upper()}
    return {"type": "FUNCTION", "name": choice}


def generic_response_format(fmt: Any) -> dict[str, Any]:
    """GENERIC ``responseFormat``: TEXT, JSON_OBJECT or JSON_SCHEMA (a type, a
    ``TypeAdapter`` or a bare schema dict is named first: ``response_format_spec``)."""
    if isinstance(fmt, str):
        return {"type": _plain_format(fmt)}
    fmt = _named(fmt)
    schema: dict[str, Any] = {
        "name": fmt.get("name") or "response",
        "schema": simplify_schema(fmt["schema"]),
    }
    if fmt.get("description") is not None:
        schema["description"] = fmt["description"]
    if fmt.get("strict") is not None:
        schema["isStrict"] = bool(fmt["strict"])
    return {"type": "JSON_SCHEMA", "jsonSchema": schema}


def cohere_response_format(fmt: Any) -> dict[str, Any]:
    """COHERE/COHEREV2 ``responseFormat``: TEXT, or JSON_OBJECT with the schema (Cohere
    has no JSON_SCHEMA type and no strict mode)."""
    if isinstance(fmt, str):
        return {"type": _plain_format(fmt)}
    return {"type": "JSON_OBJECT", "schema": simplify_schema(_named(fmt)["schema"])}


def _named(fmt: Any) -> Mapping[str, Any]:
    """A named ``{"name", "schema", ...}`` dict as given, or any other accepted format named."""
    if isinstance(fmt, Mapping) and isinstance(fmt.get("schema"), Mapping):
        return fmt
    from locus.core._output_schema import response_format_spec

    return cast(dict[str, Any], response_format_spec(fmt))  # only a str stays a str


def _plain_format(fmt: str) -> str:
    if fmt not in ("text", "json_object"):
        raise ConfigurationError(
            f"unknown response_format {fmt!r}: use 'text', 'json_object' or "
            "{'name': ..., 'schema': {...}, 'strict': bool}"
        )
    return fmt.upper()
