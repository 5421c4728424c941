"""A JSON-RPC answer read into its result, and a task's end into its answer or error."""

from __future__ import annotations

from typing import Any

from locus.a2a._errors import InputRequiredError, RemoteRPCError, RemoteTaskError
from locus.a2a._wire import COMPLETED, INTERRUPTED, UNFINISHED, RemoteAnswer
from locus.core.errors import ResponseError

__all__ = ["checked", "result_of", "settled", "short"]


def settled(state: str) -> bool:
    """Whether a task in ``state`` has ended or waits for the caller."""
    return state == COMPLETED or state in UNFINISHED or state in INTERRUPTED


def short(state: str | None) -> str:
    """``TASK_STATE_INPUT_REQUIRED`` as ``input-required``."""
    return (state or "").removeprefix("TASK_STATE_").lower().replace("_", "-")


def result_of(body: Any, url: str) -> Any:
    """The ``result`` of a JSON-RPC response; ``RemoteRPCError`` for an error response."""
    if not isinstance(body, dict):
        raise ResponseError(f"the answer of {url} is not a JSON-RPC response", endpoint=url)
    error = body.get("error")
    if isinstance(error, dict):
        code = error.get("code")
        message = error.get("message")
        raise RemoteRPCError(
            code if isinstance(code, int) and not isinstance(code, bool) else 0,
            message if isinstance(message, str) else "(no message)",
            data=error.get("data"),
            url=url,
        )
    if "result" not in body:
        raise ResponseError(f"the answer of {url} is not a JSON-RPC response", endpoint=url)
    return body["result"]


def checked(answer: RemoteAnswer, agent: str, url: str) -> RemoteAnswer:
    """``answer`` when the task completed (or was a message); the error for its state
    otherwise."""
    state = answer.state
    if state is None or state == COMPLETED:
        return answer
    said = f": {answer.status_text}" if answer.status_text else ""
    task = f"task {answer.task_id} of the remote agent {agent!r}"
    if state in INTERRUPTED:
        what = "authorization" if state.endswith("AUTH_REQUIRED") else "input"
        raise InputRequiredError(f"{task} needs {what} ({short(state)}){said}", answer, url=url)
    raise RemoteTaskError(f"{task} ended {short(state)}{said}", answer, url=url)
