"""Conversions shared by the routes: messages, outputs and errors to JSON, and back."""

from __future__ import annotations

import base64
import binascii
import json
import math
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
    "check_id",
    "encode_text",
    "error_status",
    "jsonable",
    "message_json",
    "pending_json",
    "strict_json",
    "user_message",
]

MAX_DEPTH = 128
"""How deeply a request's JSON may nest its arrays and objects (deeper is refused with
400, before any part of the server, or a run, meets a value it cannot recurse through)."""


class BadRequest(ValueError):
    """A request the server cannot act on; its text says what to change."""


def encode_text(text: str) -> bytes:
    """``text`` (JSON written with ``ensure_ascii=False``) as UTF-8, a lone UTF-16
    surrogate (which UTF-8 cannot hold; it can only stand inside a JSON string) written
    as its JSON escape ``\\udXXX``, so the JSON reads back the same."""
    return text.encode("utf-8", "backslashreplace")


def strict_json(text: str | bytes, what: str) -> Any:
    """``text`` as JSON, refused (``BadRequest`` naming ``what``) when it is not JSON, holds
    ``NaN``/``Infinity`` or a number too large for a float (JSON has neither, and a store
    could not keep them), or nests deeper than ``MAX_DEPTH``."""
    try:
        value = json.loads(text, parse_constant=_no_constant, parse_float=_finite_float)
    except RecursionError:
        raise BadRequest(f"{what} nests deeper than {MAX_DEPTH} levels") from None
    except ValueError as exc:
        raise BadRequest(f"{what} is not JSON: {exc}") from None
    if _deeper_than(value, MAX_DEPTH):
        raise BadRequest(f"{what} nests deeper than {MAX_DEPTH} levels")
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"the number {text[:40]} is too large")
    return value


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether ``value`` nests more than ``limit`` arrays and objects (without recursion)."""
    level: list[Any] = [value] if isinstance(value, dict | list) else []
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            return True
        below: list[Any] = []
        for item in level:
            for child in item.values() if isinstance(item, dict) else item:
                if isinstance(child, dict | list):
                    below.append(child)
        level = below
    return False


def check_id(value: Any, field: str) -> str:
    """``value`` if it is a non-empty string that UTF-8 can hold (an id names a thread, a
    run or a call in a store and in URLs: a lone surrogate cannot be stored or sent)."""
    if not isinstance(value, str) or not value:
        raise BadRequest(f"'{field}' must be a non-empty string")
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise BadRequest(f"'{field}' holds a lone UTF-16 surrogate (\\ud800-\\udfff)") from None
    return value


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
            text = part.get("text")
            if not isinstance(text, str):
                raise BadRequest("a 'text' content part needs 'text', a string")
            texts.append(text)
        elif kind == "image_url":
            url = part.get("image_url")
            images.append(_image_url(url.get("url") if isinstance(url, dict) else url))
        else:
            raise BadRequest(f"unsupported content part {kind!r}: use 'text' or 'image_url'")
    return Message.user("".join(texts), images=images)


def _image_url(url: Any) -> str:
    """An image part's URL: ``https:`` (or ``http:``), or a ``data:`` URL of base64 data."""
    if not isinstance(url, str) or not url.startswith(("https://", "http://", "data:")):
        raise BadRequest("an 'image_url' part needs 'image_url': {'url': an https: or data: URL}")
    if url.startswith("data:"):
        header, comma, data = url.partition(",")
        if not comma or not header.endswith(";base64"):
            raise BadRequest("an image data: URL must be 'data:<type>;base64,<data>'")
        try:
            base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            raise BadRequest("an image data: URL holds invalid base64") from None
    return url


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
