"""OpenAI-compatible chat completions: ``POST /v1/chat/completions`` and ``GET /v1/models``.

The ``model`` is the agent's name. Tools stay on the server: the agent runs them and
the client sees only the answer, so a request that brings ``tools`` of its own is
refused. The last message must be the user's; the ones before it are the history,
unless ``thread_id`` (an extra body field) names a thread, which then is the history.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

from locus.agent import ModelTextDelta, RunEvent, RunFinished
from locus.core.messages import Message, ToolCall
from locus.serve._convert import BadRequest, error_status, jsonable, user_message
from locus.serve._runner import RunRequest
from locus.serve._stream import sse

__all__ = [
    "chat_chunks",
    "completion_body",
    "error_body",
    "models_body",
    "parse_chat",
]

DONE = b"data: [DONE]\n\n"


def parse_chat(body: Any) -> tuple[str, RunRequest, bool, bool]:
    """``(agent name, run request, stream, include_usage)`` from a request body."""
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object")
    name = body.get("model")
    if not isinstance(name, str) or not name:
        raise BadRequest("'model' must name a served agent (see GET /v1/models)")
    if body.get("tools"):
        raise BadRequest("tools run on the server: send no 'tools' (the agent has its own)")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise BadRequest("'messages' must be a non-empty list ending with a user message")
    parsed = [_message(item) for item in messages]
    if parsed[-1].role != "user":
        raise BadRequest("the last message must be the user's (role 'user')")
    thread_id = body.get("thread_id")
    if thread_id is not None and not isinstance(thread_id, str):
        raise BadRequest("'thread_id' must be a string")
    history = None if thread_id else parsed[:-1]
    options = body.get("stream_options") or {}
    include_usage = bool(isinstance(options, dict) and options.get("include_usage"))
    return name, RunRequest(parsed[-1], thread_id, history), bool(body.get("stream")), include_usage


def _message(item: Any) -> Message:
    if not isinstance(item, dict):
        raise BadRequest("each message must be an object with 'role' and 'content'")
    role, content = item.get("role"), item.get("content")
    if role == "user":
        return user_message(content)
    if role in ("system", "developer"):
        return Message.system(_text(content))
    if role == "assistant":
        calls = [_call(c) for c in item.get("tool_calls") or ()]
        return Message.assistant(_text(content) if content is not None else None, tool_calls=calls)
    if role == "tool":
        return Message.tool(_text(content), tool_call_id=str(item.get("tool_call_id", "")))
    raise BadRequest(f"unknown message role {role!r}: use system, user, assistant or tool")


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    return user_message(content).content or ""


def _call(item: Any) -> ToolCall:
    function = item.get("function") if isinstance(item, dict) else None
    if not isinstance(function, dict):
        raise BadRequest("an assistant tool call needs a 'function' object")
    raw = function.get("arguments") or "{}"
    try:
        arguments = json.loads(raw) if isinstance(raw, str) else dict(raw)
    except (ValueError, TypeError) as exc:
        raise BadRequest(f"tool call arguments are not a JSON object: {exc}") from None
    return ToolCall(
        id=str(item.get("id", "")), name=str(function.get("name", "")), arguments=arguments
    )


def answer_text(result: Any, structured: bool) -> str:
    """What the client reads: the answer's text, or the typed output as JSON."""
    if structured:
        return json.dumps(jsonable(result.output), ensure_ascii=False)
    return str(result.message)


def _finish_reason(result: Any) -> str:
    return "length" if result.model_stop_reason == "length" else "stop"


def _usage(result: Any) -> dict[str, int]:
    usage = result.usage
    return {
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "total_tokens": usage.total_tokens,
    }


def completion_body(name: str, result: Any, structured: bool, run_id: str) -> dict[str, Any]:
    """A ``chat.completion`` object for a finished run."""
    body: dict[str, Any] = {
        "id": f"chatcmpl-{uuid.uuid4().hex}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": name,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": answer_text(result, structured)},
                "finish_reason": _finish_reason(result),
            }
        ],
        "usage": _usage(result),
    }
    extension = locus_extension(result, run_id)
    if extension:
        body["locus"] = extension
    return body


def locus_extension(result: Any, run_id: str) -> dict[str, Any]:
    """Locus's own fields: the thread, and the pending calls of a run paused for approval
    (resume it at ``/v1/agents/{name}/runs/{run_id}/approvals``)."""
    extension: dict[str, Any] = {}
    if result.thread_id is not None:
        extension["thread_id"] = result.thread_id
    pending = getattr(result, "pending", None)
    if pending:
        extension["stop_reason"] = result.stop_reason
        extension["run_id"] = run_id
        extension["pending"] = [
            {"id": p.id, "tool": p.tool, "arguments": jsonable(p.arguments)} for p in pending
        ]
    return extension


class _Chunks:
    def __init__(self, name: str) -> None:
        self.id = f"chatcmpl-{uuid.uuid4().hex}"
        self.created = int(time.time())
        self.name = name

    def make(self, delta: dict[str, Any], finish: str | None = None, **extra: Any) -> bytes:
        choice = {"index": 0, "delta": delta, "finish_reason": finish}
        return sse(json.dumps(self._base(choices=[choice], **extra), ensure_ascii=False))

    def _base(self, **fields: Any) -> dict[str, Any]:
        head = {"id": self.id, "object": "chat.completion.chunk", "created": self.created}
        return {**head, "model": self.name, **fields}

    def usage(self, result: Any) -> bytes:
        return sse(json.dumps(self._base(choices=[], usage=_usage(result))))


async def chat_chunks(
    name: str,
    events: AsyncIterator[RunEvent],
    *,
    structured: bool,
    include_usage: bool,
    run_id: str,
    on_paused: Callable[[Any], None],
) -> AsyncIterator[bytes]:
    """The SSE body of a streamed completion; a failed run ends with an error event.
    ``on_paused(result)`` is called for a run that stopped for approval."""
    chunks = _Chunks(name)
    yield chunks.make({"role": "assistant", "content": ""})
    result = None
    try:
        async for event in events:
            if isinstance(event, ModelTextDelta) and not structured and event.text:
                yield chunks.make({"content": event.text})
            elif isinstance(event, RunFinished):
                result = event.result
    except Exception as exc:  # the run failed after the stream began: say so, then end
        yield sse(json.dumps(error_body(exc)))
        yield DONE
        return
    assert result is not None
    if structured:
        yield chunks.make({"content": answer_text(result, structured)})
    if getattr(result, "pending", None):
        on_paused(result)
    extension = locus_extension(result, run_id)
    yield chunks.make({}, _finish_reason(result), **({"locus": extension} if extension else {}))
    if include_usage:
        yield chunks.usage(result)
    yield DONE


def error_body(exc: BaseException, code: str | None = None) -> dict[str, Any]:
    """An OpenAI-style error object for ``exc``."""
    _, kind = error_status(exc)
    return {"error": {"message": str(exc), "type": kind, "code": code or type(exc).__name__}}


def models_body(names: list[str]) -> dict[str, Any]:
    """``GET /v1/models``: one entry per served agent."""
    data = [{"id": n, "object": "model", "created": 0, "owned_by": "locus"} for n in names]
    return {"object": "list", "data": data}
