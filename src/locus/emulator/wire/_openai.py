"""The OpenAI ``/chat/completions`` format: request parsing, completions and chunks."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator, Mapping
from typing import Any

from locus.emulator._conversation import Call, Conversation, Reply, ToolDef
from locus.emulator._errors import bad_request
from locus.emulator.wire._chunks import call_id, split_arguments, split_text
from locus.emulator.wire._fields import as_list, as_mapping, response_format
from locus.emulator.wire._messages import MessageFields, parse_messages

__all__ = [
    "openai_chunks",
    "openai_completion",
    "openai_error_chunk",
    "openai_include_usage",
    "parse_openai",
]


def parse_openai(body: Mapping[str, Any]) -> Conversation:
    """The conversation in an OpenAI chat-completions request."""
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise bad_request("model is required")
    turns = parse_messages(body.get("messages"), _MESSAGES)
    max_tokens = body.get("max_completion_tokens") or body.get("max_tokens")
    if max_tokens is not None and (isinstance(max_tokens, bool) or not isinstance(max_tokens, int)):
        raise bad_request("max_tokens must be an integer")
    return Conversation(
        model=model,
        turns=turns,
        tools=tuple(_tool(t) for t in as_list(body.get("tools") or [], "tools")),
        tool_choice=_tool_choice(body.get("tool_choice")),
        max_tokens=max_tokens,
        **response_format(body.get("response_format"), "json_schema"),
    )


def openai_include_usage(body: Mapping[str, Any]) -> bool:
    """Whether a streaming request asks for a final usage chunk."""
    options = body.get("stream_options")
    return isinstance(options, Mapping) and bool(options.get("include_usage"))


def openai_completion(reply: Reply, model: str) -> dict[str, Any]:
    """A ``chat.completion`` object."""
    message: dict[str, Any] = {"role": "assistant", "content": reply.text or None}
    if reply.calls:
        message["tool_calls"] = [_call_body(c) for c in reply.calls]
    return {
        **_envelope("chat.completion", model),
        "choices": [{"index": 0, "message": message, "finish_reason": reply.finish}],
        "usage": _usage(reply),
    }


def openai_chunks(
    reply: Reply, model: str, include_usage: bool, chunk_chars: int
) -> Iterator[dict[str, Any]]:
    """``chat.completion.chunk`` objects: role, content deltas, tool-call deltas, finish, usage."""
    envelope = _envelope("chat.completion.chunk", model)
    yield _chunk(envelope, {"role": "assistant", "content": ""})
    for delta in split_text(reply.text, chunk_chars):
        yield _chunk(envelope, {"content": delta})
    for index, call in enumerate(reply.calls):
        yield from _call_chunks(envelope, index, call)
    yield _chunk(envelope, {}, reply.finish)
    if include_usage:
        yield {**envelope, "choices": [], "usage": _usage(reply)}


def openai_error_chunk(message: str) -> dict[str, Any]:
    """How an OpenAI-style stream reports a failure after it started: an ``error`` object."""
    return {"error": {"message": message, "type": "server_error", "code": "error_event"}}


def _parse_call(raw: Any) -> Call:
    call = as_mapping(raw, "tool_calls[]")
    function = as_mapping(call.get("function") or {}, "tool_calls[].function")
    try:
        arguments = json.loads(function.get("arguments") or "{}")
    except ValueError as exc:
        raise bad_request("tool_calls[].function.arguments must be JSON") from exc
    if not isinstance(arguments, dict):
        raise bad_request("tool_calls[].function.arguments must be a JSON object")
    return Call(str(function.get("name", "")), arguments, str(call.get("id", "")))


_MESSAGES = MessageFields(
    where="messages",
    roles={"system": "system", "developer": "system", "user": "user", "assistant": "assistant"},
    tool_role="tool",
    call_id="tool_call_id",
    calls="tool_calls",
    text_type="text",
    parse_call=_parse_call,
)


def _tool(raw: Any) -> ToolDef:
    function = as_mapping(as_mapping(raw, "tools[]").get("function"), "tools[].function")
    parameters = as_mapping(function.get("parameters") or {}, "tools[].function.parameters")
    return ToolDef(
        str(function.get("name", "")), str(function.get("description", "")), dict(parameters)
    )


def _tool_choice(raw: Any) -> str:
    if raw is None:
        return "auto"
    if isinstance(raw, str):
        return raw
    function = as_mapping(as_mapping(raw, "tool_choice").get("function"), "tool_choice.function")
    return str(function.get("name", ""))


def _call_body(call: Call) -> dict[str, Any]:
    arguments = json.dumps(call.arguments)
    return {
        "id": call_id(),
        "type": "function",
        "function": {"name": call.name, "arguments": arguments},
    }


def _call_chunks(envelope: dict[str, Any], index: int, call: Call) -> Iterator[dict[str, Any]]:
    function = {"name": call.name, "arguments": ""}
    opening = {"index": index, "id": call_id(), "type": "function", "function": function}
    yield _chunk(envelope, {"tool_calls": [opening]})
    for fragment in split_arguments(json.dumps(call.arguments)):
        delta = {"tool_calls": [{"index": index, "function": {"arguments": fragment}}]}
        yield _chunk(envelope, delta)


def _envelope(kind: str, model: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-" + secrets.token_hex(12),
        "object": kind,
        "created": int(time.time()),
        "model": model,
    }


def _chunk(
    envelope: dict[str, Any], delta: dict[str, Any], finish: str | None = None
) -> dict[str, Any]:
    return {**envelope, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}


def _usage(reply: Reply) -> dict[str, int]:
    return {
        "prompt_tokens": reply.prompt_tokens,
        "completion_tokens": reply.completion_tokens,
        "total_tokens": reply.total_tokens,
    }
