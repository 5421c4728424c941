"""The COHEREV2 format: request parsing (wire-spec §2.5), results and events (§3.2, §4.5)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Mapping
from typing import Any

from locus.emulator._conversation import Call, Conversation, Reply, ToolDef
from locus.emulator._errors import bad_request
from locus.emulator._grounding import cite, parse_documents
from locus.emulator.wire._chat_result import chat_result, usage
from locus.emulator.wire._chunks import call_id, split_text
from locus.emulator.wire._fields import (
    as_list,
    as_mapping,
    check_numbers,
    optional_int,
    response_format,
)
from locus.emulator.wire._messages import MessageFields, parse_messages

__all__ = ["coherev2_error_event", "coherev2_events", "coherev2_result", "parse_coherev2"]

_FINISH = {"stop": "COMPLETE", "tool_calls": "TOOL_CALL", "length": "MAX_TOKENS"}
_CHOICES = {"REQUIRED": "required", "NONE": "none"}


def parse_coherev2(request: Mapping[str, Any], model: str) -> Conversation:
    """The conversation in a COHEREV2 chat request."""
    check_numbers(request)
    turns = parse_messages(request.get("messages"), _MESSAGES)
    return Conversation(
        model=model,
        turns=turns,
        tools=tuple(_tool(t) for t in as_list(request.get("tools") or [], "chatRequest.tools")),
        tool_choice=_CHOICES.get(str(request.get("toolsChoice")), "auto"),
        max_tokens=optional_int(request, "maxTokens"),
        documents=parse_documents(request.get("documents"), "chatRequest.documents"),
        cite=_cites(request),
        **response_format(request.get("responseFormat"), None),
    )


def _cites(request: Mapping[str, Any]) -> bool:
    """Whether the answer is to cite its documents (``citationOptions.mode`` not OFF)."""
    options = request.get("citationOptions")
    return not (isinstance(options, Mapping) and options.get("mode") == "OFF")


def coherev2_result(
    reply: Reply, conversation: Conversation, model_id: str, version: str
) -> dict[str, Any]:
    """The ``ChatResult`` body of a non-streaming COHEREV2 chat."""
    message: dict[str, Any] = {"role": "ASSISTANT", "content": _content(reply.text)}
    if reply.calls:
        message["toolCalls"] = _calls(reply)
    if citations := _citations(reply, conversation):
        message["citations"] = citations
    body = {
        "apiFormat": "COHEREV2",
        "id": str(uuid.uuid4()),
        "message": message,
        "finishReason": _FINISH[reply.finish],
        "usage": usage(reply),
    }
    return chat_result(body, model_id, version)


def coherev2_events(
    reply: Reply, conversation: Conversation, include_usage: bool, chunk_chars: int
) -> Iterator[dict[str, Any]]:
    """COHEREV2 stream events: content deltas, tool calls, then the finish event."""
    for delta in split_text(reply.text, chunk_chars):
        yield _event({"role": "ASSISTANT", "content": _content(delta)})
    if reply.calls:
        yield _event({"role": "ASSISTANT", "toolCalls": _calls(reply)})
    finish: dict[str, Any] = {"role": "ASSISTANT"}
    if citations := _citations(reply, conversation):  # (§4.5 shows none: inferred)
        finish["citations"] = citations
    final = _event(finish, finishReason=_FINISH[reply.finish])
    if include_usage:
        final["usage"] = usage(reply)
    yield final


def coherev2_error_event(message: str) -> dict[str, Any]:
    """The finish event of a stream whose model failed (wire-spec §4.7, inferred)."""
    return _event({"role": "ASSISTANT"}, finishReason="ERROR", errorMessage=message)


def _parse_call(raw: Any) -> Call:
    call = as_mapping(raw, "toolCalls[]")
    function = as_mapping(call.get("function") or {}, "toolCalls[].function")
    arguments = function.get("arguments") or "{}"
    try:
        parsed = json.loads(arguments) if isinstance(arguments, str) else dict(arguments)
    except (ValueError, TypeError) as exc:
        raise bad_request("toolCalls[].function.arguments must be a JSON object") from exc
    return Call(str(function.get("name", "")), parsed, str(call.get("id", "")))


_MESSAGES = MessageFields(
    where="chatRequest.messages",
    roles={"USER": "user", "ASSISTANT": "assistant", "SYSTEM": "system"},
    tool_role="TOOL",
    call_id="toolCallId",
    calls="toolCalls",
    text_type="TEXT",
    parse_call=_parse_call,
)


def _tool(raw: Any) -> ToolDef:
    tool = as_mapping(raw, "chatRequest.tools[]")
    function = as_mapping(tool.get("function") or {}, "chatRequest.tools[].function")
    parameters = as_mapping(function.get("parameters") or {}, "function.parameters")
    return ToolDef(
        str(function.get("name", "")), str(function.get("description", "")), dict(parameters)
    )


def _citations(reply: Reply, conversation: Conversation) -> list[dict[str, Any]]:
    """``CohereCitationV2``s of the reply's quotes (its one TEXT part: contentIndex 0)."""
    if not conversation.cite:
        return []
    by_id = {d.id: d for d in conversation.documents}
    return [
        {
            "start": c.start,
            "end": c.end,
            "text": c.text,
            "contentIndex": 0,
            "type": "TEXT_CONTENT",
            "sources": [
                {"type": "DOCUMENT", "document": {"id": i, "document": by_id[i].with_id()}}
                for i in c.doc_ids
            ],
        }
        for c in cite(reply.text, conversation.documents)
    ]


def _event(message: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"apiFormat": "COHEREV2", "message": message, **extra}


def _content(text: str) -> list[dict[str, str]]:
    return [{"type": "TEXT", "text": text}] if text else []


def _calls(reply: Reply) -> list[dict[str, Any]]:
    return [
        {
            "id": call_id(),
            "type": "FUNCTION",
            "function": {"name": c.name, "arguments": json.dumps(c.arguments)},
        }
        for c in reply.calls
    ]
