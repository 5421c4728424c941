"""GENERIC chat results and stream events (wire-spec §3.2 and §4.3)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from locus.emulator.chunks import call_id, now_iso, split_arguments, split_text
from locus.emulator.conversation import Call, Reply, count_words

__all__ = ["generic_events", "generic_result"]


def generic_result(reply: Reply, model_id: str, version: str) -> dict[str, Any]:
    """The ``ChatResult`` body of a non-streaming GENERIC chat."""
    message: dict[str, Any] = {"role": "ASSISTANT"}
    if reply.reasoning:
        message["reasoningContent"] = reply.reasoning
    if reply.text or not reply.calls:
        message["content"] = [{"type": "TEXT", "text": reply.text}]
    if reply.calls:
        message["toolCalls"] = [_call(call, call_id()) for call in reply.calls]
    choice = {"index": 0, "message": message, "finishReason": reply.finish}
    return {
        "modelId": model_id,
        "modelVersion": version,
        "chatResponse": {
            "apiFormat": "GENERIC",
            "timeCreated": now_iso(),
            "choices": [choice],
            "usage": _usage(reply),
        },
    }


def generic_events(reply: Reply, include_usage: bool, chunk_chars: int) -> Iterator[dict[str, Any]]:
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


def _call_events(call: Call) -> Iterator[dict[str, Any]]:
    opening = {"id": call_id(), "type": "FUNCTION", "name": call.name, "arguments": ""}
    yield _event({"toolCalls": [opening]})
    for fragment in split_arguments(json.dumps(call.arguments)):
        yield _event({"toolCalls": [{"type": "FUNCTION", "arguments": fragment}]})


def _event(fields: dict[str, Any]) -> dict[str, Any]:
    return {"index": 0, "message": {"role": "ASSISTANT", **fields}}


def _call(call: Call, identifier: str) -> dict[str, Any]:
    return {
        "id": identifier,
        "type": "FUNCTION",
        "name": call.name,
        "arguments": json.dumps(call.arguments),
    }


def _usage(reply: Reply) -> dict[str, Any]:
    return {
        "completionTokens": reply.completion_tokens,
        "promptTokens": reply.prompt_tokens,
        "totalTokens": reply.total_tokens,
        "completionTokensDetails": {"reasoningTokens": count_words(reply.reasoning)},
        "promptTokensDetails": {"cachedTokens": 0},
    }
