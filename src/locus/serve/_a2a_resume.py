"""Approving a task's paused calls over A2A: a message naming the task (``taskId``) of a
run paused for approval (``TASK_STATE_INPUT_REQUIRED``), with a data part
``{"approvals": {"<call id>": {"approved": true}}}`` (the payloads of the approvals route:
``{"approved": false, "reason": ...}`` denies, ``"arguments"`` replaces the model's),
resumes the run on its thread (the task's context) and the task goes on.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from locus.agent import RunEvent
from locus.core.errors import AlreadyResumedError
from locus.serve import _approvals, _paused
from locus.serve._a2a_tasks import TaskRecord
from locus.serve._a2a_wire import RPCError
from locus.serve._convert import BadRequest
from locus.serve._served import Served

__all__ = ["approvals_of", "resume"]

_HOW = 'a data part {"approvals": {"<call id>": {"approved": true}}}'


def approvals_of(record: TaskRecord, message: dict[str, Any]) -> dict[str, Any]:
    """The decisions a message to the paused task ``record`` carries (call id -> payload)."""
    for part in message.get("parts") or ():
        data = part.get("data") if isinstance(part, dict) else None
        if isinstance(data, dict) and "approvals" in data:
            approvals = data["approvals"]
            if not isinstance(approvals, dict) or not approvals:
                raise RPCError.invalid_params(f"'approvals' must be an object: send {_HOW}")
            return approvals
    raise RPCError.invalid_params(
        f"task {record.id!r} waits for approval of its calls: decide them with {_HOW} "
        "(the ids are in its status message), or start a new task without 'taskId'"
    )


async def resume(
    app: Served, agent: Any, record: TaskRecord, approvals: dict[str, Any]
) -> AsyncIterator[RunEvent]:
    """The events of the task's paused run resumed with ``approvals``, checked first (a
    refused resume claims nothing: the task stays paused)."""
    try:
        _approvals.decisions(approvals)
        ttl, now = app.paused_ttl, app.clock()
        pending = await _paused.on_thread(agent, record.context_id, ttl=ttl, now=now)
        if pending is not None:
            _paused.check_decisions(pending, approvals)
    except BadRequest as exc:
        raise RPCError.invalid_params(str(exc)) from None
    except (LookupError, AlreadyResumedError) as exc:
        raise RPCError(-32004, f"task {record.id!r} cannot resume: {exc}") from None
    return _approvals.resumed(agent, record.context_id, approvals, app.state)
