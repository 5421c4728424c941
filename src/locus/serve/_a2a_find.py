"""Finding an A2A task by its id: in this process's memory while it runs here (the fast
path, fresher than any record), else in its context's records (``_a2a_records``), which
every process sharing the agent's thread store reads (a task left running by a process
that is gone is read as ended: ``_a2a_orphans``)."""

from __future__ import annotations

from typing import Any

from locus.serve._a2a_orphans import settled
from locus.serve._a2a_records import MAX_PER_CONTEXT, context_of, find, shares
from locus.serve._a2a_tasks import TaskRecord, TaskTable
from locus.serve._a2a_wire import INPUT_REQUIRED, TERMINAL, RPCError

__all__ = ["find_task", "not_cancelable"]


async def find_task(table: TaskTable, store: Any, agent: str, task_id: Any) -> TaskRecord:
    """The task ``task_id`` of ``agent``; ``RPCError`` -32001 when no process left a record
    of it. A task this process ran and that may have changed since (paused for approval,
    then resumed elsewhere) is read from its record."""
    if not isinstance(task_id, str) or not task_id:
        raise RPCError.invalid_params("'params.id' must be the task's id (a string)")
    local = table.tasks.get(task_id)
    if local is not None and local.agent != agent:
        local = None
    if local is not None and (local.driver is not None or local.state in TERMINAL):
        return local
    shared = shares(store)
    if shared and context_of(task_id) is not None:
        stored = await find(store, agent, task_id)
        if stored is not None:
            return await settled(store, table.presences, stored)
    if local is not None:
        return local
    raise RPCError(-32001, _not_found(task_id, agent, shared))


def _not_found(task_id: str, agent: str, shared: bool) -> str:
    if shared:
        return (
            f"no task {task_id!r} of agent {agent!r}: no server process sharing its thread "
            f"store has it (a context keeps its latest {MAX_PER_CONTEXT} tasks; older ones "
            "that ended are forgotten)"
        )
    return (
        f"no task {task_id!r} of agent {agent!r} here: this agent's thread store keeps no "
        "metadata, so tasks live only in the memory of the server process that ran them "
        "(with several workers or replicas, another may have it), and the oldest finished "
        "ones are forgotten"
    )


def not_cancelable(record: TaskRecord) -> RPCError | None:
    """Why the task cannot be canceled here (``-32002``), or ``None`` when its run is in
    this process."""
    state = record.state.removeprefix("TASK_STATE_").lower()
    if record.state in TERMINAL:
        return RPCError(-32002, f"task {record.id!r} has already ended ({state})")
    if record.state == INPUT_REQUIRED:
        return RPCError(
            -32002,
            f"task {record.id!r} is paused for approval, not running: deny its calls (a "
            'message to the task with {"approvals": {"<call id>": {"approved": false}}})',
        )
    if record.driver is None:
        return RPCError(
            -32002,
            f"task {record.id!r} is {state} in another server process sharing this agent's "
            "thread store (or in one that stopped before the task ended): CancelTask stops "
            "only a run of the process that received it. Its own client cancels it by "
            "closing its stream or connection",
        )
    return None
