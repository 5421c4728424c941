"""The JSON of the A2A protocol 1.0 (its protobuf types in their JSON mapping: camelCase
field names, enums by their full names such as ``TASK_STATE_COMPLETED``), written and read
here without the ``a2a-sdk`` package: JSON-RPC envelopes and errors, parts, messages,
tasks, stream events, and a ``SendMessage`` request read into a prompt.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from locus.core.messages import ImagePart, Message
from locus.serve._convert import BadRequest, check_id, encode_text

__all__ = [
    "CANCELED",
    "COMPLETED",
    "FAILED",
    "INPUT_REQUIRED",
    "SUBMITTED",
    "TERMINAL",
    "WORKING",
    "IncomingMessage",
    "RPCError",
    "agent_message",
    "data_part",
    "error_envelope",
    "parse_message_params",
    "result_envelope",
    "status",
    "text_part",
]

SUBMITTED = "TASK_STATE_SUBMITTED"
WORKING = "TASK_STATE_WORKING"
COMPLETED = "TASK_STATE_COMPLETED"
FAILED = "TASK_STATE_FAILED"
CANCELED = "TASK_STATE_CANCELED"
INPUT_REQUIRED = "TASK_STATE_INPUT_REQUIRED"
TERMINAL = frozenset({COMPLETED, FAILED, CANCELED, "TASK_STATE_REJECTED"})

_REASONS = {
    -32700: "PARSE_ERROR",
    -32600: "INVALID_REQUEST",
    -32601: "METHOD_NOT_FOUND",
    -32602: "INVALID_PARAMS",
    -32603: "INTERNAL_ERROR",
    -32001: "TASK_NOT_FOUND",
    -32002: "TASK_NOT_CANCELABLE",
    -32003: "PUSH_NOTIFICATION_NOT_SUPPORTED",
    -32004: "UNSUPPORTED_OPERATION",
    -32005: "CONTENT_TYPE_NOT_SUPPORTED",
    -32007: "EXTENDED_AGENT_CARD_NOT_CONFIGURED",
    -32009: "VERSION_NOT_SUPPORTED",
}


class RPCError(Exception):
    """A JSON-RPC error with the A2A code for it (``-32001`` task not found, ...); its
    text says what to change."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    @classmethod
    def invalid_params(cls, message: str) -> RPCError:
        return cls(-32602, message)


def result_envelope(request_id: Any, result: Any) -> dict[str, Any]:
    """A JSON-RPC 2.0 success response."""
    return {"jsonrpc": "2.0", "id": request_id, "result": result}


def error_envelope(request_id: Any, error: RPCError) -> dict[str, Any]:
    """A JSON-RPC 2.0 error response; ``data`` carries the A2A reason (``google.rpc.ErrorInfo``,
    as the protocol's JSON-RPC binding details its errors)."""
    info = {
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        "reason": _REASONS.get(error.code, "UNKNOWN_ERROR"),
        "domain": "a2a-protocol.org",
        "metadata": {},
    }
    body = {"code": error.code, "message": error.message, "data": [info]}
    return {"jsonrpc": "2.0", "id": request_id, "error": body}


def dumps(value: Any) -> bytes:
    """``value`` as compact UTF-8 JSON (a lone surrogate in text as its JSON escape)."""
    return encode_text(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


def now() -> str:
    """The time now as a protobuf ``Timestamp`` is written in JSON (RFC 3339, UTC), to the
    microsecond (``ListTasks`` orders tasks by it: two tasks rarely end in the same one)."""
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def text_part(text: str) -> dict[str, Any]:
    return {"text": text}


def data_part(data: Any) -> dict[str, Any]:
    return {"data": data, "mediaType": "application/json"}


def agent_message(parts: list[dict[str, Any]], task_id: str, context_id: str) -> dict[str, Any]:
    """A message of the agent's (``ROLE_AGENT``) in a task."""
    return {
        "messageId": uuid.uuid4().hex,
        "contextId": context_id,
        "taskId": task_id,
        "role": "ROLE_AGENT",
        "parts": parts,
    }


def status(state: str, message: dict[str, Any] | None = None) -> dict[str, Any]:
    """A ``TaskStatus``: the state, when it was reached, and a message saying why."""
    value: dict[str, Any] = {"state": state, "timestamp": now()}
    if message is not None:
        value["message"] = message
    return value


@dataclass(slots=True)
class IncomingMessage:
    """A client's ``SendMessage`` request, read: the prompt for the agent, the message as
    the task's history keeps it, the context (the agent's thread) and the task it names."""

    prompt: Message
    message: dict[str, Any]
    context_id: str | None
    task_id: str | None


def parse_message_params(params: Any) -> IncomingMessage:
    """The ``SendMessageRequest`` in ``params``; ``RPCError`` (-32602 invalid params,
    -32005 a content type the agent cannot take) says what is wrong with it."""
    if not isinstance(params, dict):
        raise RPCError.invalid_params("'params' must be an object with a 'message'")
    message = params.get("message")
    if not isinstance(message, dict):
        raise RPCError.invalid_params("'params.message' must be an object (an A2A Message)")
    configuration = params.get("configuration") or {}
    if not isinstance(configuration, dict):
        raise RPCError.invalid_params("'params.configuration' must be an object")
    role = message.get("role")
    if role not in ("ROLE_USER", 1):
        raise RPCError.invalid_params(f"the message's role must be 'ROLE_USER', not {role!r}")
    ids = _ids(message)
    if "messageId" not in ids:
        raise RPCError.invalid_params("the message needs a 'messageId' (a non-empty string)")
    parts = message.get("parts")
    if not isinstance(parts, list) or not parts:
        raise RPCError.invalid_params("the message's 'parts' must be a non-empty list")
    prompt = _prompt(parts)
    return IncomingMessage(prompt, message, ids.get("contextId"), ids.get("taskId"))


def _ids(message: dict[str, Any]) -> dict[str, str]:
    """The message's ids that are set (an empty ``contextId`` or ``taskId`` is unset, as
    protobuf's JSON writes it)."""
    ids = {}
    for field in ("messageId", "contextId", "taskId"):
        value = message.get(field)
        if value is None or (value == "" and field != "messageId"):
            continue
        try:
            ids[field] = check_id(value, f"message.{field}")
        except BadRequest as exc:
            raise RPCError.invalid_params(str(exc)) from None
    return ids


def _prompt(parts: list[Any]) -> Message:
    """The user message for the agent: text parts as text, data parts as their JSON text,
    image files (``image/*``, by URL or as bytes) as images; other files are refused."""
    texts: list[str] = []
    images: list[ImagePart | str] = []
    for index, part in enumerate(parts):
        if not isinstance(part, dict):
            raise RPCError.invalid_params(f"parts[{index}] must be an object")
        kinds = [kind for kind in ("text", "raw", "url", "data") if kind in part]
        if len(kinds) != 1:
            raise RPCError.invalid_params(
                f"parts[{index}] must hold exactly one of 'text', 'raw', 'url' or 'data'"
            )
        kind = kinds[0]
        if kind == "text":
            if not isinstance(part["text"], str):
                raise RPCError.invalid_params(f"parts[{index}].text must be a string")
            texts.append(part["text"])
        elif kind == "data":
            texts.append(json.dumps(part["data"], ensure_ascii=False))
        else:
            images.append(_image(part, kind, index))
    return Message.user("\n".join(texts), images=images)


def _image(part: dict[str, Any], kind: str, index: int) -> str:
    media = part.get("mediaType")
    if not isinstance(media, str) or not media.lower().startswith("image/"):
        raise RPCError(
            -32005,
            f"parts[{index}] is a file of type {media!r}: this agent takes text, data (read "
            "as JSON text) and images (a file part whose mediaType is image/*)",
        )
    value = part[kind]
    if kind == "url":
        if not isinstance(value, str) or not value.startswith(("https://", "http://")):
            raise RPCError.invalid_params(f"parts[{index}].url must be an https: URL")
        return value
    if not isinstance(value, str):
        raise RPCError.invalid_params(f"parts[{index}].raw must be base64 text")
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise RPCError.invalid_params(f"parts[{index}].raw is not valid base64") from None
    return f"data:{media.lower()};base64,{value}"
