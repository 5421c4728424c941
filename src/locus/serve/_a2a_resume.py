"""Approving a task's paused calls over A2A: a message naming the task (``taskId``) of a
run paused for approval (``TASK_STATE_INPUT_REQUIRED``), with a data part
``{"approvals": {"<call id>": {"approved": true}}}`` (the payloads of the approvals route:
``{"approved": false, "reason": ...}`` denies, ``"arguments"`` replaces the model's),
resumes the run on its thread (the task's context) and the task goes on.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, NoReturn

from locus.agent import RunEvent
from locus.core.errors import AlreadyResumedError
from locus.serve import _a2a_records as records
from locus.serve import _approvals, _paused
from locus.serve._a2a_presence import Hold
from locus.serve._a2a_tasks import TaskRecord
from locus.serve._a2a_wire import INPUT_REQUIRED, WORKING, RPCError, status
from locus.serve._convert import BadRequest
from locus.serve._served import Served

__all__ = ["approvals_of", "claim", "refuse_follow_up", "resume"]

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


async def claim(
    store: Any, record: TaskRecord, name: str, approval: dict[str, Any], hold: Hold | None
) -> str | None:
    """Claim the paused task for this resume, in every process (``records.claim``), its
    record naming this process's presence in the store (taken first: ``hold``); the
    presence token. ``RPCError`` when it was resumed meanwhile, here or elsewhere."""
    owner = await hold.enter() if hold is not None else None
    history = [*record.history, approval]
    claimed = TaskRecord(
        record.id, record.context_id, name, history, status(WORKING), record.artifacts
    )
    claimed.owner = owner
    other = await records.claim(store, claimed)
    if other is not None:
        refuse_follow_up(other)
    if record.state != INPUT_REQUIRED or record.driver is not None:
        refuse_follow_up(record)
    return owner


def refuse_follow_up(record: TaskRecord) -> NoReturn:
    """A message naming a task that is not waiting for approval: this server starts a
    task per message, so the conversation goes on by ``contextId`` instead."""
    state = record.state.removeprefix("TASK_STATE_").lower()
    raise RPCError(
        -32004,
        f"task {record.id!r} is {state} and takes no more messages: send the message "
        f"without 'taskId' (with 'contextId': {record.context_id!r} to go on with the "
        "conversation)",
    )
