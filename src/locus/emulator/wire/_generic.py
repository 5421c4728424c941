"""The GENERIC format: request parsing (wire-spec §2.2-2.3), results and events (§3.2, §4.3)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from locus.emulator._conversation import Call, Conversation, Reply, ToolDef, count_words
from locus.emulator._errors import bad_request
from locus.emulator.wire._chat_result import chat_result, usage
from locus.emulator.wire._chunks import call_id, now_iso, split_arguments, split_text
from locus.emulator.wire._fields import (
    as_list,
    as_mapping,
    check_numbers,
    optional_int,
    response_format,
)
from locus.emulator.wire._messages import MessageFields, parse_messages

__all__ = ["generic_error_event", "generic_events", "generic_result", "parse_generic"]

_CHOICES = {"AUTO": "auto", "NONE": "none", "REQUIRED": "required"}


def parse_generic(request: Mapping[str, Any], model: str) -> Conversation:
    """The conversation in a GENERIC chat request; 400 InvalidParameter if malformed."""
    check_numbers(request)
    turns = parse_messages(request.get("messages"), _MESSAGES)
    max_tokens = optional_int(request, "maxCompletionTokens")
    max_tokens = max_tokens or optional_int(request, "maxTokens")
    return Conversation(
        model=model,
        turns=turns,
        tools=_tools(request.get("tools")),
        tool_choice=_tool_choice(request.get("toolChoice")),
        max_tokens=max_tokens,
        reasoning=request.get("reasoningEffort") not in (None, "NONE"),
        **response_format(request.get("responseFormat"), "jsonSchema"),
    )


def generic_result(
    reply: Reply, conversation: Conversation, model_id: str, version: str
) -> dict[str, Any]:
    """The ``ChatResult`` body of a non-streaming GENERIC chat."""
    message: dict[str, Any] = {"role": "ASSISTANT"}
    if reply.reasoning:
        message["reasoningContent"] = reply.reasoning
    if reply.text or not reply.calls:
        message["content"] = [{"type": "TEXT", "text": reply.text}]
    if reply.calls:
        message["toolCalls"] = [_call_body(call, call_id()) for call in reply.calls]
    choice = {"index": 0, "message": message, "finishReason": reply.finish}
    body = {
        "apiFormat": "GENERIC",
        "timeCreated": now_iso(),
        "choices": [choice],
        "usage": _usage(reply),
    }
    return chat_result(body, model_id, version)


def generic_events(
    reply: Reply, conversation: Conversation, include_usage: bool, chunk_chars: int
) -> Iterator[dict[str, Any]]:
    """The stream events of a GENERIC chat: deltas, tool-call fragments, finish, usage."""
    for delta in split_text(reply.reasoning, chunk_chars):
        yield _event({"reasoningContent": delta})
    for delta in split_text(reply.text, chunk_chars):
        yield _event({"content": [{"type": "TEXT", "text": delta}]})
    for call in reply.calls:
        yield from _call_events(call)
    finish: dict[str, Any] = {"role": "ASSISTANT"}
    if not reply.calls:
        finish["content"] = [{"type": "TEXT", "text": ""}]
    yield {"index": 0, "message": finish, "finishReason": reply.finish}
    if include_usage:
        yield {"usage": _usage(reply)}


def generic_error_event(message: str) -> dict[str, Any]:
    """The finish event of a stream whose model failed (wire-spec §4.7, inferred)."""
    return {
        "index": 0,
        "message": {"role": "ASSISTANT"},
        "finishReason": "ERROR",
        "errorMessage": message,
    }


def _parse_call(raw: Any) -> Call:
    call = as_mapping(raw, "toolCalls[]")
    arguments = call.get("arguments") or "{}"
    try:
        parsed = json.loads(arguments) if isinstance(arguments, str) else arguments
    except ValueError as exc:
        raise bad_request("toolCalls[].arguments must be a JSON-encoded object") from exc
    if not isinstance(parsed, dict):
        raise bad_request("toolCalls[].arguments must be a JSON-encoded object")
    return Call(str(call.get("name", "")), parsed, str(call.get("id", "")))


_MESSAGES = MessageFields(
    where="chatRequest.messages",
    roles={"SYSTEM": "system", "DEVELOPER": "system", "USER": "user", "ASSISTANT": "assistant"},
    tool_role="TOOL",
    call_id="toolCallId",
    calls="toolCalls",
    text_type="TEXT",
    parse_call=_parse_call,
    bad_role="is not a valid role",
)


def _tools(raw: Any) -> tuple[ToolDef, ...]:
    tools = []
    for item in as_list(raw or [], "chatRequest.tools"):
        tool = as_mapping(item, "chatRequest.tools[]")
        if not isinstance(tool.get("name"), str):
            raise bad_request("chatRequest.tools[].name is required")
        parameters = as_mapping(tool.get("parameters") or {}, "chatRequest.tools[].parameters")
        tools.append(ToolDef(tool["name"], str(tool.get("description", "")), dict(parameters)))
    return tuple(tools)


def _tool_choice(raw: Any) -> str:
    if raw is None:
        return "auto"
    choice = as_mapping(raw, "chatRequest.toolChoice")
    kind = choice.get("type")
    if kind == "FUNCTION":
        return str(choice.get("name", ""))
    if kind not in _CHOICES:
        raise bad_request(f"chatRequest.toolChoice.type {kind!r} is not valid")
    return _CHOICES[str(kind)]


def _call_events(call: Call) -> Iterator[dict[str, Any]]:
    opening = {"id": call_id(), "type": "FUNCTION", "name": call.name, "arguments": ""}
    yield _event({"toolCalls": [opening]})
    for fragment in split_arguments(json.dumps(call.arguments)):
        yield _event({"toolCalls": [{"type": "FUNCTION", "arguments": fragment}]})


def _event(parts: dict[str, Any]) -> dict[str, Any]:
    return {"index": 0, "message": {"role": "ASSISTANT", **parts}}


def _call_body(call: Call, identifier: str) -> dict[str, Any]:
    return {
        "id": identifier,
        "type": "FUNCTION",
        "name": call.name,
        "arguments": json.dumps(call.arguments),
    }


def _usage(reply: Reply) -> dict[str, Any]:
    return {
        **usage(reply),
        "completionTokensDetails": {"reasoningTokens": count_words(reply.reasoning)},
        "promptTokensDetails": {"cachedTokens": 0},
    }
