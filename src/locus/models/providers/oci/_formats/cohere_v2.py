"""The COHEREV2 API format (Command A, Command A Vision): requests and responses.

Wire-spec §2.5 and §3.2. Messages carry content parts (TEXT, IMAGE_URL, THINKING);
tool calls have ids and JSON-string arguments under ``function``; an assistant's
reasoning is sent back as ``toolPlan`` and decoded from THINKING parts or ``toolPlan``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from locus.core.errors import ConfigurationError
from locus.core.messages import Message, ToolCall
from locus.core.params import GenerationParams
from locus.core.response import ModelResponse
from locus.core.toolspec import ToolSpec
from locus.models._wire.arguments import tool_call, wire_arguments
from locus.models._wire.message_cache import cached_wires
from locus.models._wire.response import build_response
from locus.models._wire.shape import maps_in, opt_list, opt_map, opt_str
from locus.models.providers.oci._formats.citations import v2_citations
from locus.models.providers.oci._formats.params import (
    cohere_response_format,
    max_tokens_field,
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

__all__ = ["decode_cohere_v2_response", "encode_cohere_v2_request", "v2_parts"]


def encode_cohere_v2_request(
    messages: Sequence[Message], tools: Sequence[ToolSpec], params: GenerationParams, stream: bool
) -> dict[str, Any]:
    """A ``CohereChatRequestV2``; ``params.extra`` is merged last, as given."""
    fields = {**max_tokens_field(params), **sampling_fields(params), **_v2_fields(params)}
    wire = cached_wires(messages, "oci.COHEREV2", _message)
    specs: list[dict[str, Any]] = [cached_tool(t, "COHEREV2", _tool) for t in tools]
    return chat_request("COHEREV2", wire, specs, stream, fields, params.extra)


def _v2_fields(params: GenerationParams) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if params.stop is not None:
        out["stopSequences"] = list(params.stop)
    if params.response_format is not None:
        out["responseFormat"] = cohere_response_format(params.response_format)
    if params.tool_choice in ("required", "none"):
        out["toolsChoice"] = params.tool_choice.upper()
    elif params.tool_choice not in (None, "auto"):
        raise ConfigurationError(
            "the COHEREV2 api_format cannot force one tool "
            f"(tool_choice={params.tool_choice!r}); use 'required', 'none' or 'auto'"
        )
    if params.reasoning_effort is not None:
        enabled = params.reasoning_effort != "none"
        out["thinking"] = {"type": "ENABLED" if enabled else "DISABLED"}
    return out


def _tool(spec: ToolSpec) -> dict[str, Any]:
    function: dict[str, Any] = {"name": spec.name}
    if spec.description:
        function["description"] = spec.description
    function["parameters"] = simplify_schema(spec.parameters)
    return {"type": "FUNCTION", "function": function}


def _message(message: Message) -> dict[str, Any]:
    if message.role == "assistant":
        return _assistant(message)
    if message.role == "tool":
        return tool_message(message)
    content = [text_part(message.text)] if message.content or not message.images else []
    for image in message.images:
        url: dict[str, Any] = {"url": image.url}
        if image.detail != "auto":
            url["detail"] = image.detail.upper()
        content.append({"type": "IMAGE_URL", "imageUrl": url})
    return {"role": message.role.upper(), "content": content}


def _assistant(message: Message) -> dict[str, Any]:
    content = [text_part(message.text)] if message.content or not message.tool_calls else []
    out: dict[str, Any] = {"role": "ASSISTANT", "content": content}
    if message.tool_calls:
        if message.reasoning:
            out["toolPlan"] = message.reasoning
        out["toolCalls"] = [_tool_call(c) for c in message.tool_calls]
    return out


def _tool_call(call: ToolCall) -> dict[str, Any]:
    function = {"name": call.name, "arguments": wire_arguments(call)}
    return {"id": call.id, "type": "FUNCTION", "function": function}


def v2_parts(message: Mapping[str, Any], where: str) -> tuple[str | None, str | None]:
    """(text, thinking) joined from a V2 message's content parts."""
    parts = opt_list(message, "content", where)
    if parts is None:
        return None, None
    texts: list[str] = []
    thoughts: list[str] = []
    for part in maps_in(parts, f"{where}.content"):
        if part.get("type") == "THINKING":
            thoughts.append(opt_str(part, "thinking", f"{where}.content") or "")
        elif part.get("type") in ("TEXT", None):
            texts.append(opt_str(part, "text", f"{where}.content") or "")
    return "".join(texts), "".join(thoughts) or None


def decode_cohere_v2_response(
    chat: Mapping[str, Any], model_id: str | None, request_id: str | None
) -> ModelResponse:
    """A ``CohereChatResponseV2``: message, tool calls, citations, usage and stop reason."""
    message = opt_map(chat, "message", "chatResponse") or {}
    text, thinking = v2_parts(message, "message")
    response = build_response(
        text=text,
        reasoning=thinking or opt_str(message, "toolPlan", "message"),
        tool_calls=_tool_calls(message),
        raw_stop=opt_str(chat, "finishReason", "chatResponse"),
        usage=decode_usage(opt_map(chat, "usage", "chatResponse")),
        model_id=model_id,
        request_id=request_id,
    )
    if message.get("citations"):
        response.citations = v2_citations(message, "message")
    return response


def _tool_calls(message: Mapping[str, Any]) -> list[ToolCall]:
    where = "message.toolCalls"
    calls: list[ToolCall] = []
    for n, call in enumerate(maps_in(opt_list(message, "toolCalls", "message"), where)):
        function = opt_map(call, "function", where) or {}
        call_id = opt_str(call, "id", where) or f"call_{n}"
        name = opt_str(function, "name", f"{where}.function") or ""
        calls.append(tool_call(call_id, name, function.get("arguments")))
    return calls
