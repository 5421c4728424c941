"""OpenAI chat-completion bodies and stream chunks for the ``/openai/v1`` surface."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator
from typing import Any

from locus.emulator.chunks import call_id, split_arguments, split_text
from locus.emulator.conversation import Reply

__all__ = ["openai_chunks", "openai_completion"]


def openai_completion(reply: Reply, model: str) -> dict[str, Any]:
    """A ``chat.completion`` object."""
    message: dict[str, Any] = {"role": "assistant", "content": reply.text or None}
    if reply.calls:
        message["tool_calls"] = [
            {
                "id": call_id(),
                "type": "function",
                "function": {"name": c.name, "arguments": json.dumps(c.arguments)},
            }
            for c in reply.calls
        ]
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
        opening = {
            "index": index,
            "id": call_id(),
            "type": "function",
            "function": {"name": call.name, "arguments": ""},
        }
        yield _chunk(envelope, {"tool_calls": [opening]})
        for fragment in split_arguments(json.dumps(call.arguments)):
            yield _chunk(
                envelope, {"tool_calls": [{"index": index, "function": {"arguments": fragment}}]}
            )
    yield _chunk(envelope, {}, reply.finish)
    if include_usage:
        yield {**envelope, "choices": [], "usage": _usage(reply)}


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
