"""The A2A 1.0 JSON this client writes and reads (protobuf's JSON mapping: camelCase
names, enums by their full names): a ``SendMessage`` request, and a ``Task`` or a
``Message`` answer read into a ``RemoteAnswer``."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "AUTH_REQUIRED",
    "CANCELED",
    "COMPLETED",
    "FAILED",
    "INPUT_REQUIRED",
    "INTERRUPTED",
    "REJECTED",
    "UNFINISHED",
    "RemoteAnswer",
    "answer_of",
    "message_params",
    "request",
    "state_name",
]

COMPLETED = "TASK_STATE_COMPLETED"
FAILED = "TASK_STATE_FAILED"
CANCELED = "TASK_STATE_CANCELED"
REJECTED = "TASK_STATE_REJECTED"
INPUT_REQUIRED = "TASK_STATE_INPUT_REQUIRED"
AUTH_REQUIRED = "TASK_STATE_AUTH_REQUIRED"
UNFINISHED = frozenset({FAILED, CANCELED, REJECTED})
"""Terminal states without an answer."""
INTERRUPTED = frozenset({INPUT_REQUIRED, AUTH_REQUIRED})
"""States in which the task waits for the caller."""

_STATES = (
    "TASK_STATE_UNSPECIFIED",
    "TASK_STATE_SUBMITTED",
    "TASK_STATE_WORKING",
    COMPLETED,
    FAILED,
    CANCELED,
    INPUT_REQUIRED,
    REJECTED,
    AUTH_REQUIRED,
)


@dataclass(frozen=True, slots=True)
class RemoteAnswer:
    """What a remote agent answered.

    ``text`` is the answer: the text of the last artifact that has text, else the text of
    the agent's message. ``state`` is the task's final state (``TASK_STATE_COMPLETED``,
    ...), ``None`` when the agent answered with a plain message and no task. ``task_id``
    and ``context_id`` name the task and its conversation (send ``context_id`` again to go
    on with it). ``status_text`` is the text of the task's status message (why it failed,
    what input it needs), ``data`` the data parts of its artifacts and message, and
    ``artifacts`` the artifacts as the remote sent them.
    """

    text: str
    state: str | None
    task_id: str | None
    context_id: str | None
    status_text: str = ""
    data: list[Any] = field(default_factory=list)
    artifacts: list[dict[str, Any]] = field(default_factory=list)


def request(method: str, params: dict[str, Any]) -> dict[str, Any]:
    """A JSON-RPC 2.0 request with a new id."""
    return {"jsonrpc": "2.0", "id": uuid.uuid4().hex, "method": method, "params": params}


def message_params(
    text: str, *, context_id: str | None, task_id: str | None, data: Any = None
) -> dict[str, Any]:
    """``SendMessageRequest`` params: a user message of ``text`` (and a data part)."""
    parts: list[dict[str, Any]] = [{"text": text}]
    if data is not None:
        parts.append({"data": data, "mediaType": "application/json"})
    message: dict[str, Any] = {"messageId": uuid.uuid4().hex, "role": "ROLE_USER", "parts": parts}
    if context_id:
        message["contextId"] = context_id
    if task_id:
        message["taskId"] = task_id
    configuration = {"acceptedOutputModes": ["text/plain", "application/json"]}
    return {"message": message, "configuration": configuration}


def state_name(value: Any) -> str:
    """A ``TaskState`` by its full name (a number, as protobuf's JSON also allows, too)."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(_STATES):
        return _STATES[value]
    if isinstance(value, str) and value:
        return value if value.startswith("TASK_STATE_") else f"TASK_STATE_{value.upper()}"
    return "TASK_STATE_UNSPECIFIED"


def answer_of(result: Any) -> RemoteAnswer | None:
    """The ``SendMessageResponse`` (or a bare ``Task``) in ``result`` read into an
    answer; ``None`` when it is neither a task nor a message."""
    if not isinstance(result, dict):
        return None
    task = result.get("task")
    if isinstance(task, dict):
        return _task_answer(task)
    message = result.get("message")
    if isinstance(message, dict):
        return RemoteAnswer(
            text=_text(message.get("parts")),
            state=None,
            task_id=_string(message.get("taskId")),
            context_id=_string(message.get("contextId")),
            data=_data(message.get("parts")),
        )
    if "status" in result and "id" in result:  # (GetTask answers with the Task itself)
        return _task_answer(result)
    return None


def _task_answer(task: dict[str, Any]) -> RemoteAnswer:
    status = task.get("status") if isinstance(task.get("status"), dict) else {}
    assert isinstance(status, dict)
    message = status.get("message") if isinstance(status.get("message"), dict) else {}
    assert isinstance(message, dict)
    artifacts = [a for a in task.get("artifacts") or () if isinstance(a, dict)]
    status_text = _text(message.get("parts"))
    text = ""
    for artifact in reversed(artifacts):
        if text := _text(artifact.get("parts")):
            break
    if not text:
        text = status_text or _last_agent_text(task.get("history"))
    data = [item for artifact in artifacts for item in _data(artifact.get("parts"))]
    return RemoteAnswer(
        text=text,
        state=state_name(status.get("state")),
        task_id=_string(task.get("id")),
        context_id=_string(task.get("contextId")),
        status_text=status_text,
        data=[*data, *_data(message.get("parts"))],
        artifacts=artifacts,
    )


def _last_agent_text(history: Any) -> str:
    for message in reversed(history if isinstance(history, list) else []):
        if isinstance(message, dict) and message.get("role") in ("ROLE_AGENT", 2):
            return _text(message.get("parts"))
    return ""


def _text(parts: Any) -> str:
    """The text parts of ``parts``, joined."""
    if not isinstance(parts, list):
        return ""
    texts = [p["text"] for p in parts if isinstance(p, dict) and isinstance(p.get("text"), str)]
    return "".join(texts)


def _data(parts: Any) -> list[Any]:
    if not isinstance(parts, list):
        return []
    return [p["data"] for p in parts if isinstance(p, dict) and "data" in p]


def _string(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
