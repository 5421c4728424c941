"""COHERE and COHEREV2 chat results and stream events (wire-spec §3.2, §4.4, §4.5)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

from locus.emulator.chunks import call_id, split_text
from locus.emulator.conversation import Conversation, Reply, Turn

__all__ = ["cohere_events", "cohere_result", "coherev2_events", "coherev2_result"]

_V1_FINISH = {"stop": "COMPLETE", "tool_calls": "COMPLETE", "length": "MAX_TOKENS"}
_V2_FINISH = {"stop": "COMPLETE", "tool_calls": "TOOL_CALL", "length": "MAX_TOKENS"}


def cohere_result(
    reply: Reply, conversation: Conversation, model_id: str, version: str
) -> dict[str, Any]:
    """The ``ChatResult`` body of a non-streaming COHERE chat."""
    return _result(_v1_final(reply, conversation, usage=True), model_id, version)


def cohere_events(
    reply: Reply, conversation: Conversation, include_usage: bool, chunk_chars: int
) -> Iterator[dict[str, Any]]:
    """COHERE stream events: text deltas, then the full text with history and finish."""
    for delta in split_text(reply.text, chunk_chars):
        yield {"apiFormat": "COHERE", "text": delta}
    yield _v1_final(reply, conversation, usage=include_usage)


def coherev2_result(reply: Reply, model_id: str, version: str) -> dict[str, Any]:
    """The ``ChatResult`` body of a non-streaming COHEREV2 chat."""
    message: dict[str, Any] = {"role": "ASSISTANT", "content": _v2_content(reply.text)}
    if reply.calls:
        message["toolCalls"] = _v2_calls(reply)
    body = {
        "apiFormat": "COHEREV2",
        "id": str(uuid.uuid4()),
        "message": message,
        "finishReason": _V2_FINISH[reply.finish],
        "usage": _usage(reply),
    }
    return _result(body, model_id, version)


def coherev2_events(
    reply: Reply, include_usage: bool, chunk_chars: int
) -> Iterator[dict[str, Any]]:
    """COHEREV2 stream events: content deltas, tool calls, then the finish event."""
    for delta in split_text(reply.text, chunk_chars):
        yield {
            "apiFormat": "COHEREV2",
            "message": {"role": "ASSISTANT", "content": _v2_content(delta)},
        }
    if reply.calls:
        yield {
            "apiFormat": "COHEREV2",
            "message": {"role": "ASSISTANT", "toolCalls": _v2_calls(reply)},
        }
    final: dict[str, Any] = {
        "apiFormat": "COHEREV2",
        "message": {"role": "ASSISTANT"},
        "finishReason": _V2_FINISH[reply.finish],
    }
    if include_usage:
        final["usage"] = _usage(reply)
    yield final


def _result(chat_response: dict[str, Any], model_id: str, version: str) -> dict[str, Any]:
    return {"modelId": model_id, "modelVersion": version, "chatResponse": chat_response}


def _v1_final(reply: Reply, conversation: Conversation, usage: bool) -> dict[str, Any]:
    calls = [{"name": c.name, "parameters": c.arguments} for c in reply.calls]
    chatbot: dict[str, Any] = {"role": "CHATBOT", "message": reply.text}
    if calls:
        chatbot["toolCalls"] = calls
    final: dict[str, Any] = {
        "apiFormat": "COHERE",
        "text": reply.text,
        "chatHistory": [*(_v1_history(t) for t in conversation.turns), chatbot],
        "finishReason": _V1_FINISH[reply.finish],
    }
    if calls:
        final["toolCalls"] = calls
    if usage:
        final["usage"] = _usage(reply)
    return final


def _v1_history(turn: Turn) -> dict[str, Any]:
    if turn.role == "tool":
        call = {"name": turn.tool_name, "parameters": {}}
        return {"role": "TOOL", "toolResults": [{"call": call, "outputs": [{"result": turn.text}]}]}
    role = {"user": "USER", "assistant": "CHATBOT", "system": "SYSTEM"}[turn.role]
    entry: dict[str, Any] = {"role": role, "message": turn.text}
    if turn.calls:
        entry["toolCalls"] = [{"name": c.name, "parameters": c.arguments} for c in turn.calls]
    return entry


def _v2_content(text: str) -> list[dict[str, str]]:
    return [{"type": "TEXT", "text": text}] if text else []


def _v2_calls(reply: Reply) -> list[dict[str, Any]]:
    return [
        {
            "id": call_id(),
            "type": "FUNCTION",
            "function": {"name": c.name, "arguments": json.dumps(c.arguments)},
        }
        for c in reply.calls
    ]


def _usage(reply: Reply) -> dict[str, int]:
    return {
        "completionTokens": reply.completion_tokens,
        "promptTokens": reply.prompt_tokens,
        "totalTokens": reply.total_tokens,
    }
