"""How an A2A run records its task (``Keeping``): in its context's thread metadata when
the agent's store keeps it (``_a2a_records``), each record naming this process's presence
in the store, held from before the first record to after the last (``_a2a_presence``), so
that another process tells a task still running from one whose process is gone."""

from __future__ import annotations

from typing import Any

from locus.serve import _a2a_records as records
from locus.serve._a2a_tasks import Keeping, TaskRecord, TaskTable

__all__ = ["keeping_of"]


def keeping_of(table: TaskTable, store: Any, timeout: float | None) -> Keeping:
    """How a run records its task in ``store`` (waiting for the thread's lock at most
    ``timeout`` seconds, the agent's run timeout, as its run would)."""
    if not records.shares(store):
        return Keeping()
    hold = table.presences.hold(store)

    async def begin(record: TaskRecord) -> None:
        record.owner = await hold.enter() if hold is not None else None
        await records.save(store, record, timeout)

    async def end(record: TaskRecord) -> None:
        then = hold.leave if hold is not None else _nothing
        await records.save_at_end(store, record, table.later, then)

    return Keeping(begin, end, hold)


def _nothing() -> None:
    pass
