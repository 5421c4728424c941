"""The COHERE (V1) API format (Command R / R+): requests and responses. Wire-spec §2.4, §3.2.

The conversation is reshaped the Cohere way: leading system messages become
``preambleOverride``; the last user message becomes ``message``; trailing tool
results become ``toolResults`` with ``message: ""``; everything else goes to
``chatHistory`` (USER, CHATBOT, SYSTEM, and one TOOL entry per run of results).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from locus.core.errors import ConfigurationError
from locus.core.messages import Message, ToolCall
from locus.core.params import GenerationParams
from locus.core.response import ModelResponse
from locus.core.toolspec import ToolSpec
from locus.models._wire.arguments import tool_call
from locus.models._wire.response import build_response
from locus.models._wire.shape import maps_in, opt_list, opt_map, opt_str
from locus.models.providers.oci._formats.citations import cohere_citations
from locus.models.providers.oci._formats.cohere_tools import (
    cohere_tool,
    cohere_tool_call,
    cohere_tool_call_ids,
    cohere_tool_result,
)
from locus.models.providers.oci._formats.params import (
    cohere_response_format,
    max_tokens_field,
    sampling_fields,
    stream_fields,
)
from locus.models.providers.oci._formats.usage import decode_usage

__all__ = ["cohere_tool_calls", "decode_cohere_response", "encode_cohere_request"]


def encode_cohere_request(
    messages: Sequence[Message],
    tools: Sequence[ToolSpec],
    params: GenerationParams,
    stream: bool,
) -> dict[str, Any]:
    """A ``CohereChatRequest``; ``params.extra`` is merged last, as given."""
    _check(messages, params)
    preamble, rest = _split_preamble(messages)
    history, current, results = _split_turn(rest)
    request: dict[str, Any] = {"apiFormat": "COHERE", "message": current}
    if history:
        request["chatHistory"] = _history(history)
    if preamble is not None:
        request["preambleOverride"] = preamble
    request.update(stream_fields(stream))
    request.update(max_tokens_field(params))
    request.update(sampling_fields(params))
    request.update(_cohere_fields(params, tools))
    if results:
        request["toolResults"] = [cohere_tool_result(r, history) for r in results]
    request.update(params.extra)
    return request


def _check(messages: Sequence[Message], params: GenerationParams) -> None:
    if any(m.images for m in messages):
        raise ConfigurationError(
            "the COHERE api_format cannot send images; use api_format='cohere_v2'"
        )
    if params.tool_choice not in (None, "auto"):
        raise ConfigurationError(
            f"the COHERE api_format does not support tool_choice={params.tool_choice!r}"
        )
    if params.reasoning_effort is not None:
        raise ConfigurationError("the COHERE api_format does not support reasoning_effort")


def _cohere_fields(params: GenerationParams, tools: Sequence[ToolSpec]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if params.stop is not None:
        out["stopSequences"] = list(params.stop)
    if params.response_format is not None:
        out["responseFormat"] = cohere_response_format(params.response_format)
    if tools:
        out["tools"] = [cohere_tool(t) for t in tools]
    return out


def _split_preamble(messages: Sequence[Message]) -> tuple[str | None, Sequence[Message]]:
    n = 0
    while n < len(messages) and messages[n].role == "system":
        n += 1
    if n == 0:
        return None, messages
    return "\n\n".join(m.text for m in messages[:n]), messages[n:]


def _split_turn(
    messages: Sequence[Message],
) -> tuple[Sequence[Message], str, Sequence[Message]]:
    """(history, current message, trailing tool results)."""
    if not messages:
        raise ConfigurationError("the COHERE api_format needs a user message to send")
    if messages[-1].role == "user":
        return messages[:-1], messages[-1].text, ()
    n = len(messages)
    while n > 0 and messages[n - 1].role == "tool":
        n -= 1
    if n == len(messages):
        raise ConfigurationError(
            "the COHERE api_format needs the conversation to end with a user or tool message"
        )
    return messages[:n], "", messages[n:]


def _history(messages: Sequence[Message]) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    for i, message in enumerate(messages):
        if message.role != "tool":
            entries.append(_entry(message))
            continue
        result = cohere_tool_result(message, messages[:i])
        if entries and entries[-1]["role"] == "TOOL":
            entries[-1]["toolResults"].append(result)
        else:
            entries.append({"role": "TOOL", "toolResults": [result]})
    return entries


def _entry(message: Message) -> dict[str, Any]:
    if message.role == "assistant":
        entry: dict[str, Any] = {"role": "CHATBOT", "message": message.content or " "}
        if message.tool_calls:
            entry["toolCalls"] = [cohere_tool_call(c) for c in message.tool_calls]
        return entry
    role = "USER" if message.role == "user" else "SYSTEM"
    return {"role": role, "message": message.text}


def decode_cohere_response(
    chat: Mapping[str, Any], model_id: str | None, request_id: str | None
) -> ModelResponse:
    """A ``CohereChatResponse``: text, tool calls (given ids), citations, usage, stop reason."""
    response = build_response(
        text=opt_str(chat, "text", "chatResponse"),
        reasoning=None,
        tool_calls=cohere_tool_calls(chat, "chatResponse"),
        raw_stop=opt_str(chat, "finishReason", "chatResponse"),
        usage=decode_usage(opt_map(chat, "usage", "chatResponse")),
        model_id=model_id,
        request_id=request_id,
    )
    if chat.get("citations"):
        response.citations = cohere_citations(chat, "chatResponse")
    return response


def cohere_tool_calls(obj: Mapping[str, Any], where: str) -> list[ToolCall]:
    """``toolCalls: [{name, parameters}]`` as core calls with synthesised ids."""
    wire = maps_in(opt_list(obj, "toolCalls", where), f"{where}.toolCalls")
    ids = cohere_tool_call_ids(len(wire))
    return [
        tool_call(
            call_id, opt_str(call, "name", f"{where}.toolCalls") or "", call.get("parameters")
        )
        for call_id, call in zip(ids, wire, strict=True)
    ]
