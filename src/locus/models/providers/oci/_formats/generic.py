"""The GENERIC API format (Meta, xAI, OpenAI, Google and imported models): requests
and responses. Wire-spec §2.2, §2.3 and §3.2."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from locus.core.messages import Message, ToolCall
from locus.core.params import GenerationParams
from locus.core.response import ModelResponse
from locus.core.toolspec import ToolSpec
from locus.models._wire.arguments import tool_call, wire_arguments
from locus.models._wire.message_cache import cached_wires
from locus.models._wire.response import build_response
from locus.models._wire.shape import ShapeError, maps_in, opt_list, opt_map, opt_str
from locus.models.providers.oci._formats.citations import url_citations
from locus.models.providers.oci._formats.params import (
    generic_response_format,
    generic_tool_choice,
    sampling_fields,
)
from locus.models.providers.oci._formats.parts import (
    cached_tool,
    chat_request,
    text_part,
    tool_message,
)
from locus.models.providers.oci._formats.schema import simplify_schema
from locus.models.providers.oci._formats.usage import decode_usage

__all__ = [
    "decode_generic_response",
    "encode_generic_request",
    "generic_text",
    "generic_tool_call",
]


def encode_generic_request(
    messages: Sequence[Message], tools: Sequence[ToolSpec], params: GenerationParams, stream: bool
) -> dict[str, Any]:
    """A ``GenericChatRequest``; ``params.extra`` is merged last, as given."""
    fields = {**sampling_fields(params), **_generic_fields(params)}
    wire = cached_wires(messages, "oci.GENERIC", _message)
    return chat_request("GENERIC", wire, [_tool(t) for t in tools], stream, fields, params.extra)


def _generic_fields(params: GenerationParams) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if params.max_tokens is not None:
        out["maxTokens"] = params.max_tokens
    if params.max_completion_tokens is not None:
        out["maxCompletionTokens"] = params.max_completion_tokens
    if params.stop is not None:
        out["stop"] = list(params.stop)
    if params.tool_choice is not None:
        out["toolChoice"] = generic_tool_choice(params.tool_choice)
    if params.parallel_tool_calls is not None:
        out["isParallelToolCalls"] = params.parallel_tool_calls
    if params.response_format is not None:
        out["responseFormat"] = generic_response_format(params.response_format)
    if params.reasoning_effort is not None:
        out["reasoningEffort"] = params.reasoning_effort.upper()
    return out


def _tool(spec: ToolSpec) -> dict[str, Any]:
    """The GENERIC ``FunctionDefinition`` of ``spec`` (built once per spec: ``cached_tool``)."""
    return cached_tool(spec, "GENERIC", _function_definition)


def _function_definition(spec: ToolSpec) -> dict[str, Any]:
    tool: dict[str, Any] = {"type": "FUNCTION", "name": spec.name}
    if spec.description:
        tool["description"] = spec.description
    tool["parameters"] = simplify_schema(spec.parameters)
    return tool


def _message(message: Message) -> dict[str, Any]:
    role = message.role.upper()
    if message.role == "assistant":
        return _assistant(message)
    if message.role == "tool":
        return tool_message(message)
    content = [text_part(message.text)] if message.content or not message.images else []
    content += [
        {"type": "IMAGE", "imageUrl": {"url": i.url, "detail": i.detail.upper()}}
        for i in message.images
    ]
    out: dict[str, Any] = {"role": role, "content": content}
    if message.name:
        out["name"] = message.name
    return out


def _assistant(message: Message) -> dict[str, Any]:
    out: dict[str, Any] = {"role": "ASSISTANT"}
    if message.content or not message.tool_calls:
        out["content"] = [text_part(message.text)]
    if message.tool_calls:
        out["toolCalls"] = [generic_tool_call(c) for c in message.tool_calls]
    if message.reasoning:
        out["reasoningContent"] = message.reasoning
    return out


def generic_tool_call(call: ToolCall) -> dict[str, Any]:
    """A core tool call as a GENERIC ``FunctionCall`` (``arguments`` is a JSON string)."""
    return {
        "id": call.id,
        "type": "FUNCTION",
        "name": call.name,
        "arguments": wire_arguments(call),
    }


def decode_generic_response(
    chat: Mapping[str, Any], model_id: str | None, request_id: str | None
) -> ModelResponse:
    """A ``GenericChatResponse``: the first choice, usage and stop reason."""
    choices = maps_in(opt_list(chat, "choices", "chatResponse"), "chatResponse.choices")
    if not choices:
        raise ShapeError("chatResponse.choices is empty")
    choice = choices[0]
    message = opt_map(choice, "message", "choices[0]") or {}
    usage = opt_map(chat, "usage", "chatResponse") or opt_map(choice, "usage", "choices[0]")
    response = build_response(
        text=generic_text(message, "message"),
        reasoning=opt_str(message, "reasoningContent", "message"),
        tool_calls=_tool_calls(message),
        raw_stop=opt_str(choice, "finishReason", "choices[0]"),
        usage=decode_usage(usage),
        model_id=model_id,
        request_id=request_id,
    )
    if message.get("annotations"):  # (a web search's URL citations)
        response.citations = url_citations(message, response.message.content)
    return response


def generic_text(message: Mapping[str, Any], where: str) -> str | None:
    """The joined TEXT parts of a GENERIC message; ``None`` when it has no content."""
    parts = opt_list(message, "content", where)
    if parts is None:
        return None
    inner = f"{where}.content"
    texts = [
        opt_str(p, "text", inner) or ""
        for p in maps_in(parts, inner)
        if p.get("type") in ("TEXT", None)
    ]
    return texts[0] if len(texts) == 1 else "".join(texts)


def _tool_calls(message: Mapping[str, Any]) -> list[ToolCall]:
    where = "message.toolCalls"
    calls: list[ToolCall] = []
    for n, call in enumerate(maps_in(opt_list(message, "toolCalls", "message"), where)):
        call_id = opt_str(call, "id", where) or f"call_{n}"  # Gemini sends no ids
        name = opt_str(call, "name", where) or ""
        calls.append(tool_call(call_id, name, call.get("arguments")))
    return calls
