"""Conversions shared by the routes: messages, outputs and errors to JSON, and back."""

from __future__ import annotations

from typing import Any

from locus.core.errors import (
    APIStatusError,
    ConfigurationError,
    ModelError,
    RunCancelledError,
    RunError,
    ThreadConflictError,
)
from locus.core.messages import ImagePart, Message, ToolCall

__all__ = [
    "BadRequest",
    "error_status",
    "jsonable",
    "message_json",
    "pending_json",
    "user_message",
]


class BadRequest(ValueError):
    """A request the server cannot act on; its text says what to change."""


def jsonable(value: Any) -> Any:
    """``value`` (a pydantic model, dataclass, TypedDict, ...) as plain JSON data."""
    from pydantic_core import to_jsonable_python

    return to_jsonable_python(value, fallback=repr)


def message_json(message: Message) -> dict[str, Any]:
    """A stored message as the API shows it (threads, the chat page)."""
    data: dict[str, Any] = {"role": message.role, "content": message.content}
    if message.tool_calls:
        data["tool_calls"] = [_call_json(call) for call in message.tool_calls]
    if message.tool_call_id is not None:
        data["tool_call_id"] = message.tool_call_id
    if message.name is not None:
        data["name"] = message.name
    if message.is_error:
        data["is_error"] = True
    return data


def _call_json(call: ToolCall) -> dict[str, Any]:
    return {"id": call.id, "name": call.name, "arguments": call.arguments}


def pending_json(pending: Any) -> dict[str, Any]:
    """A call waiting for approval as the API shows it (as a thread's stored state lists
    it): ``id``, ``tool``, ``arguments``, and ``path`` when an agent used as a tool asks
    (the asking agents, outermost first)."""
    data = {"id": pending.id, "tool": pending.tool, "arguments": jsonable(pending.arguments)}
    path = getattr(pending, "path", ())
    if path:
        data["path"] = list(path)
    return data


def user_message(content: Any) -> Message:
    """A user message from a string or a list of OpenAI/AG-UI content parts."""
    if isinstance(content, str):
        return Message.user(content)
    if not isinstance(content, list):
        raise BadRequest("a message's content must be a string or a list of parts")
    texts: list[str] = []
    images: list[ImagePart | str] = []
    for part in content:
        kind = part.get("type") if isinstance(part, dict) else None
        if kind == "text":
            texts.append(str(part.get("text", "")))
        elif kind == "image_url":
            url = part.get("image_url")
            images.append(str(url.get("url") if isinstance(url, dict) else url))
        else:
            raise BadRequest(f"unsupported content part {kind!r}: use 'text' or 'image_url'")
    return Message.user("".join(texts), images=images)


def error_status(exc: BaseException) -> tuple[int, str]:
    """The HTTP status and OpenAI-style error type for an exception a run raised."""
    if isinstance(exc, BadRequest | ConfigurationError):
        return 400, "invalid_request_error"
    if isinstance(exc, ThreadConflictError) or type(exc).__name__ == "AlreadyResumedError":
        return 409, "conflict_error"
    if isinstance(exc, RunCancelledError):
        return 503, "cancelled"
    if isinstance(exc, APIStatusError) and exc.status == 429:
        return 429, "rate_limit_error"
    if isinstance(exc, ModelError):
        return 502, "upstream_error"
    if isinstance(exc, RunError):
        return 500, "run_error"
    return 500, "server_error"
