"""``ListTasks``: the tasks of one context (``contextId`` is required: a context, the
agent's thread, is where the records live), most recently updated first, in pages.

As the protocol's reference server does: ``pageSize`` 1 to 100 (50 by default); tasks
ordered by their status's time, then id, newest first; ``pageToken`` the position of the
last task of the previous page, so a task updated meanwhile does not shift the pages;
artifacts only with ``includeArtifacts``; ``status`` and ``statusTimestampAfter`` filter;
``historyLength`` trims each history. Every process sharing the agent's thread store
lists the same tasks (``_a2a_records``; one left running by a process that is gone as
ended: ``_a2a_orphans``); with a store that keeps no metadata, only those this process
remembers.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any

from locus.serve._a2a_orphans import settled_all
from locus.serve._a2a_records import records_of, shares
from locus.serve._a2a_tasks import TaskRecord, TaskTable
from locus.serve._a2a_wire import RPCError

__all__ = ["list_tasks"]

DEFAULT_PAGE = 50
MAX_PAGE = 100
_STATES = (
    "TASK_STATE_UNSPECIFIED",
    "TASK_STATE_SUBMITTED",
    "TASK_STATE_WORKING",
    "TASK_STATE_COMPLETED",
    "TASK_STATE_FAILED",
    "TASK_STATE_CANCELED",
    "TASK_STATE_INPUT_REQUIRED",
    "TASK_STATE_REJECTED",
    "TASK_STATE_AUTH_REQUIRED",
)

Key = tuple[int, str]


async def list_tasks(
    table: TaskTable, store: Any, agent: str, params: dict[str, Any]
) -> dict[str, Any]:
    """The ``ListTasksResponse`` for ``params``."""
    context_id = params.get("contextId")
    if not isinstance(context_id, str) or not context_id:
        raise RPCError.invalid_params(
            "ListTasks needs 'contextId' (the tasks of one context are listed: list the "
            "contexts, the agent's threads, with GET /v1/threads)"
        )
    size = _page_size(params.get("pageSize"))
    history_length = _history_length(params.get("historyLength"))
    wanted = _state(params.get("status"))
    after = _time_param(params.get("statusTimestampAfter"))
    tasks = [
        r
        for r in await _records(table, store, agent, context_id)
        if (wanted is None or r.state == wanted) and (after is None or _key(r)[0] >= after)
    ]
    tasks.sort(key=_key, reverse=True)
    total = len(tasks)
    if params.get("pageToken"):
        cursor = _cursor(params["pageToken"])
        tasks = [r for r in tasks if _key(r) < cursor]
    page, rest = tasks[:size], tasks[size:]
    shown = [r.json(history_length) for r in page]
    if params.get("includeArtifacts") is not True:
        for task in shown:
            task.pop("artifacts", None)
    token = _token(_key(page[-1])) if page and rest else ""
    return {"tasks": shown, "nextPageToken": token, "pageSize": size, "totalSize": total}


async def _records(table: TaskTable, store: Any, agent: str, context_id: str) -> list[TaskRecord]:
    """The context's tasks: its records, and those running here (fresher than theirs)."""
    running = {
        r.id: r
        for r in table.tasks.values()
        if r.context_id == context_id and r.agent == agent and r.driver is not None
    }
    if not shares(store):
        kept = [r for r in table.tasks.values() if r.context_id == context_id and r.agent == agent]
        return kept
    kept = [r for r in await records_of(store, agent, context_id) if r.id not in running]
    stored = await settled_all(store, table.presences, kept)
    return [*stored, *running.values()]


def _key(record: TaskRecord) -> Key:
    stamp = _time(record.status.get("timestamp"))
    return (stamp if stamp is not None else 0, record.id)


def _time(value: Any) -> int | None:
    """Nanoseconds since the epoch of an RFC 3339 time (``None`` if it is not one)."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return int(moment.timestamp()) * 1_000_000_000 + moment.microsecond * 1000


def _time_param(value: Any) -> int | None:
    if value is None or value == "":
        return None
    found = _time(value)
    if found is None:
        raise RPCError.invalid_params(
            "'statusTimestampAfter' must be an RFC 3339 time, e.g. \"2026-01-31T12:00:00Z\""
        )
    return found


def _page_size(value: Any) -> int:
    if value is None:
        return DEFAULT_PAGE
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_PAGE:
        raise RPCError.invalid_params(f"'pageSize' must be an integer from 1 to {MAX_PAGE}")
    return value


def _history_length(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise RPCError.invalid_params("'historyLength' must be a non-negative integer")
    return value


def _state(value: Any) -> str | None:
    """The state ``status`` filters on (its name, or its number, as protobuf's JSON allows);
    ``None``: any."""
    if value in (None, "", 0, "TASK_STATE_UNSPECIFIED"):
        return None
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < len(_STATES):
        return _STATES[value]
    if isinstance(value, str) and value in _STATES:
        return value
    raise RPCError.invalid_params("'status' must be a TaskState, e.g. TASK_STATE_COMPLETED")


def _token(key: Key) -> str:
    text = json.dumps({"ts": key[0], "id": key[1]}, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()


def _cursor(token: Any) -> Key:
    """The position a page token holds; ``RPCError`` for a token this server did not make."""
    try:
        padded = str(token) + "=" * (-len(str(token)) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        stamp, task_id = data["ts"], data["id"]
        if isinstance(stamp, int) and not isinstance(stamp, bool) and isinstance(task_id, str):
            return (stamp, task_id)
    except (binascii.Error, ValueError, TypeError, KeyError, UnicodeDecodeError):
        pass
    raise RPCError.invalid_params(
        "'pageToken' is not a token of this server: pass the 'nextPageToken' of the page before"
    )
