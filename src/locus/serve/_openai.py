"""OpenAI-compatible chat completions: ``POST /v1/chat/completions`` and ``GET /v1/models``.

The ``model`` is the agent's name. Tools stay on the server: the agent runs them and
the client sees only the answer, so a request that brings ``tools`` of its own is
refused. The last message must be the user's; the ones before it are the history,
unless ``thread_id`` (an extra body field) names a thread, which then is the history.
"""

from __future__ import annotations

import itertools
import json
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from locus.agent import ModelTextDelta, RunEvent, RunFinished
from locus.core.messages import Message, ToolCall
from locus.serve._convert import (
    BadRequest,
    check_id,
    encode_text,
    error_status,
    jsonable,
    pending_json,
    strict_json,
    user_message,
)
from locus.serve._failures import client_message, log_failure
from locus.serve._runner import RunRequest
from locus.serve._stream import sse

__all__ = [
    "chat_chunks",
    "completion_body",
    "completion_id",
    "error_body",
    "models_body",
    "parse_chat",
]

DONE = b"data: [DONE]\n\n"
ROUTE = "POST /v1/chat/completions"


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
    parsed = _messages(messages)
    if parsed[-1].role != "user":
        raise BadRequest("the last message must be the user's (role 'user')")
    thread_id = body.get("thread_id")
    if thread_id is not None:
        check_id(thread_id, "thread_id")
    history = None if thread_id else parsed[:-1]
    stream = body.get("stream")
    if stream is not None and not isinstance(stream, bool):
        raise BadRequest("'stream' must be true or false")
    options = body.get("stream_options")
    if options is not None and not isinstance(options, dict):
        raise BadRequest("'stream_options' must be an object, e.g. {\"include_usage\": true}")
    include_usage = bool(options and options.get("include_usage"))
    return name, RunRequest(parsed[-1], thread_id, history), bool(stream), include_usage


def _messages(items: list[Any]) -> list[Message]:
    """The messages, each tool result answering a call an earlier assistant message made
    (a model refuses a result without its call, so the client hears it here, as a 400)."""
    parsed: list[Message] = []
    calls: set[str] = set()
    for index, item in enumerate(items):
        message = _message(item)
        if message.role == "assistant":
            calls.update(call.id for call in message.tool_calls)
        elif message.role == "tool" and message.tool_call_id not in calls:
            raise BadRequest(
                f"messages[{index}] (role 'tool') answers no tool call: its 'tool_call_id' "
                f"{message.tool_call_id!r} must be the id of a call of an earlier assistant "
                "message"
            )
        parsed.append(message)
    return parsed


def _message(item: Any) -> Message:
    if not isinstance(item, dict):
        raise BadRequest("each message must be an object with 'role' and 'content'")
    role, content = item.get("role"), item.get("content")
    if role == "user":
        return user_message(content)
    if role in ("system", "developer"):
        return Message.system(_text(content))
    if role == "assistant":
        calls = item.get("tool_calls")
        if calls is not None and not isinstance(calls, list):
            raise BadRequest("an assistant message's 'tool_calls' must be a list")
        return Message.assistant(
            _text(content) if content is not None else None,
            tool_calls=[_call(c) for c in calls or ()],
        )
    if role == "tool":
        call_id = item.get("tool_call_id")
        if not isinstance(call_id, str):
            raise BadRequest("a tool message needs 'tool_call_id', the id of the call it answers")
        return Message.tool(_text(content), tool_call_id=call_id)
    raise BadRequest(f"unknown message role {role!r}: use system, user, assistant or tool")


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    return user_message(content).content or ""


def _call(item: Any) -> ToolCall:
    function = item.get("function") if isinstance(item, dict) else None
    if not isinstance(function, dict):
        raise BadRequest("an assistant tool call needs a 'function' object")
    call_id, name = item.get("id"), function.get("name")
    if not isinstance(call_id, str) or not isinstance(name, str) or not name:
        raise BadRequest("an assistant tool call needs an 'id' and a 'function.name' (strings)")
    raw = function.get("arguments")
    if raw is None or raw == "":
        arguments: Any = {}
    elif isinstance(raw, str):
        arguments = strict_json(raw, "a tool call's arguments")
    else:
        arguments = raw
    if not isinstance(arguments, dict):
        raise BadRequest(
            f"tool call arguments must be a JSON object, not {type(arguments).__name__}"
        )
    return ToolCall(id=call_id, name=name, arguments=arguments)


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
        "id": completion_id(),
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
    (resume it at ``/v1/agents/{name}/runs/{run_id}/approvals``, on any server process
    sharing the agent's thread store)."""
    extension: dict[str, Any] = {}
    if result.thread_id is not None:
        extension["thread_id"] = result.thread_id
    pending = getattr(result, "pending", None)
    if pending:
        extension["stop_reason"] = result.stop_reason
        extension["run_id"] = run_id
        extension["pending"] = [pending_json(p) for p in pending]
    return extension


_OPEN_END = b'}, "finish_reason": null}]}\n\n'
_PREFIX = secrets.token_hex(6)
_SERIAL = itertools.count(1)


def completion_id() -> str:
    """A new ``chatcmpl-`` id: this process's random prefix and a serial number (no
    system call per id, unlike ``uuid4``)."""
    return f"chatcmpl-{_PREFIX}{next(_SERIAL):08x}"


class _Chunks:
    """The ``chat.completion.chunk`` events of one completion. A text delta is the one
    made most often, so its bytes are a template around the JSON of its text."""

    def __init__(self, name: str) -> None:
        self.id = completion_id()
        self.created = int(time.time())
        self.name = name
        model = json.dumps(name, ensure_ascii=False)
        self._head = (
            f'data: {{"id": "{self.id}", "object": "chat.completion.chunk", '
            f'"created": {self.created}, "model": {model}, "choices": [{{"index": 0, "delta": '
        ).encode()

    def text(self, text: str) -> bytes:
        """A content delta: the same bytes as ``make({"content": text})``."""
        content = encode_text(json.dumps(text, ensure_ascii=False))
        return self._head + b'{"content": ' + content + _OPEN_END

    def role(self) -> bytes:
        """The first chunk: the same bytes as ``make({"role": "assistant", "content": ""})``."""
        return self._head + b'{"role": "assistant", "content": ""' + _OPEN_END

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
    on_paused: Callable[[Any], Awaitable[str]],
) -> AsyncIterator[bytes]:
    """The SSE body of a streamed completion; a failed run ends with an error event.
    ``on_paused(result)`` keeps a run that stopped for approval and returns its id."""
    chunks = _Chunks(name)
    first = chunks.role()  # sent with the first delta: one write instead of two
    result = None
    try:
        async for event in events:
            if isinstance(event, ModelTextDelta):
                if event.text and not structured:
                    yield first + chunks.text(event.text)
                    first = b""
            elif isinstance(event, RunFinished):
                result = event.result
        assert result is not None
        run_id = await on_paused(result) if getattr(result, "pending", None) else ""
    except Exception as exc:  # the run failed after the stream began: say so, then end
        log_failure(name, ROUTE, exc)
        yield first + sse(json.dumps(error_body(exc))) + DONE
        return
    yield first + _ending(chunks, result, structured, include_usage, run_id)


def _ending(
    chunks: _Chunks, result: Any, structured: bool, include_usage: bool, run_id: str
) -> bytes:
    """The events after the run: typed output, the finish chunk, usage and ``[DONE]``."""
    parts = []
    if structured:
        parts.append(chunks.make({"content": answer_text(result, structured)}))
    extension = locus_extension(result, run_id)
    finish = _finish_reason(result)
    parts.append(chunks.make({}, finish, **({"locus": extension} if extension else {})))
    if include_usage:
        parts.append(chunks.usage(result))
    parts.append(DONE)
    return b"".join(parts)


def error_body(exc: BaseException, code: str | None = None) -> dict[str, Any]:
    """An OpenAI-style error object for ``exc`` (a fault of the server's own named by its
    type only: ``_failures``)."""
    _, kind = error_status(exc)
    message = client_message(exc)
    return {"error": {"message": message, "type": kind, "code": code or type(exc).__name__}}


def models_body(names: list[str]) -> dict[str, Any]:
    """``GET /v1/models``: one entry per served agent."""
    data = [{"id": n, "object": "model", "created": 0, "owned_by": "locus"} for n in names]
    return {"object": "list", "data": data}
