"""Encoding of a chat request as an OpenAI chat-completions JSON body (snake_case)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from locus.core.errors import ConfigurationError
from locus.core.messages import Message, ToolCall
from locus.core.params import GenerationParams
from locus.core.toolspec import ToolSpec
from locus.models._wire.arguments import wire_arguments
from locus.models._wire.message_cache import cached_wires

__all__ = ["encode_openai_chat", "encode_openai_message", "encode_openai_tool"]

_PLAIN_PARAMS = (
    "max_tokens",
    "max_completion_tokens",
    "temperature",
    "top_p",
    "top_k",
    "frequency_penalty",
    "presence_penalty",
    "seed",
    "parallel_tool_calls",
    "reasoning_effort",
)


def encode_openai_chat(
    *,
    model: str,
    messages: Sequence[Message],
    tools: Sequence[ToolSpec],
    params: GenerationParams,
    stream: bool,
) -> dict[str, Any]:
    """The whole ``POST /chat/completions`` body; ``None`` settings are omitted.

    ``params.extra`` is merged last, as given (snake_case wire names).
    """
    body: dict[str, Any] = {
        "model": model,
        "messages": cached_wires(messages, "openai", encode_openai_message),
    }
    if tools:
        body["tools"] = [encode_openai_tool(t) for t in tools]
    body.update(_param_fields(params))
    if stream:
        body["stream"] = True
        body["stream_options"] = {"include_usage": True}
    body.update(params.extra)
    return body


def _param_fields(params: GenerationParams) -> dict[str, Any]:
    fields = {name: getattr(params, name) for name in _PLAIN_PARAMS}
    out = {k: v for k, v in fields.items() if v is not None}
    if params.stop is not None:
        out["stop"] = list(params.stop)
    if params.tool_choice is not None:
        out["tool_choice"] = _tool_choice(params.tool_choice)
    if params.response_format is not None:
        out["response_format"] = _response_format(params.response_format)
    return out


def _tool_choice(choice: str) -> str | dict[str, Any]:
    if choice in ("auto", "none", "required"):
        return choice
    return {"type": "function", "function": {"name": choice}}


def _response_format(fmt: Any) -> dict[str, Any]:
    if isinstance(fmt, str):
        if fmt not in ("text", "json_object"):
            raise ConfigurationError(
                f"unknown response_format {fmt!r}: use 'text', 'json_object' or "
                "{'name': ..., 'schema': {...}}"
            )
        return {"type": fmt}
    if not (isinstance(fmt, Mapping) and isinstance(fmt.get("schema"), Mapping)):
        from locus.core._output_schema import response_format_spec

        fmt = response_format_spec(fmt)  # a type, a TypeAdapter or a bare schema, named
    schema: dict[str, Any] = {"name": fmt.get("name") or "response", "schema": fmt["schema"]}
    if fmt.get("description") is not None:
        schema["description"] = fmt["description"]
    if fmt.get("strict") is not None:
        schema["strict"] = bool(fmt["strict"])
    return {"type": "json_schema", "json_schema": schema}


def encode_openai_tool(spec: ToolSpec) -> dict[str, Any]:
    """One tool as ``{"type": "function", "function": {...}}``."""
    function: dict[str, Any] = {"name": spec.name, "parameters": dict(spec.parameters)}
    if spec.description:
        function["description"] = spec.description
    return {"type": "function", "function": function}


def encode_openai_message(message: Message) -> dict[str, Any]:
    """One core message as an OpenAI chat message."""
    if message.role == "tool":
        return {
            "role": "tool",
            "tool_call_id": message.tool_call_id or "",
            "content": message.text,
        }
    if message.role == "assistant":
        return _assistant(message)
    if message.role == "user" and message.images:
        return {"role": "user", "content": _user_parts(message)}
    out: dict[str, Any] = {"role": message.role, "content": message.text}
    if message.name:
        out["name"] = message.name
    return out


def _assistant(message: Message) -> dict[str, Any]:
    out: dict[str, Any] = {"role": "assistant"}
    if message.content or not message.tool_calls:
        out["content"] = message.text
    if message.tool_calls:
        out["tool_calls"] = [_tool_call(c) for c in message.tool_calls]
    return out


def _tool_call(call: ToolCall) -> dict[str, Any]:
    return {
        "id": call.id,
        "type": "function",
        "function": {"name": call.name, "arguments": wire_arguments(call)},
    }


def _user_parts(message: Message) -> list[dict[str, Any]]:
    parts: list[dict[str, Any]] = []
    if message.content:
        parts.append({"type": "text", "text": message.content})
    for image in message.images:
        parts.append({"type": "image_url", "image_url": {"url": image.url, "detail": image.detail}})
    return parts
