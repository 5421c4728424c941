"""A2A tasks whose server process is gone: killed, out of memory, or moved while its run
went on. Its record says ``working`` forever (no process is left to write its end), so a
record read from the store (``GetTask``, ``ListTasks``, an approval message) is judged
first: a ``working`` record whose owner (the presence token of the process running it,
``_a2a_presence``) is no longer held ended ``failed``, and its record is corrected once.

A task that is running, in this process or another, is never judged gone: its process
holds its presence from before its first ``working`` record to after its last record, and
a holder that lost its lease (its process stopped renewing it) is gone by the store's own
rule, the one that lets another run take the thread. A record with no owner (written by
an older server) and one in a store without a lock of its own are left as they are.
"""

from __future__ import annotations

from typing import Any

from locus.serve import _a2a_records as records
from locus.serve._a2a_presence import Presences, gone, judged
from locus.serve._a2a_tasks import TaskRecord
from locus.serve._a2a_wire import FAILED, WORKING, agent_message, status, text_part

__all__ = ["STOPPED", "settled", "settled_all"]

STOPPED = (
    "the server process running this task stopped before the task ended (it was killed, "
    "ran out of memory, or was moved); its run did not finish: send the message again"
)
"""The status message of a task whose process is gone."""


async def settled(store: Any, presences: Presences, record: TaskRecord) -> TaskRecord:
    """``record`` as it stands: ended ``failed`` (and so recorded) when it says ``working``
    and the process running it is gone."""
    return (await settled_all(store, presences, [record]))[0]


async def settled_all(
    store: Any, presences: Presences, found: list[TaskRecord]
) -> list[TaskRecord]:
    """``settled`` for each record (each owner's presence looked at once)."""
    verdicts: dict[str, bool] = {}
    result = []
    for record in found:
        owner = record.owner
        if record.state != WORKING or owner is None or not judged(store):
            result.append(record)
            continue
        if owner not in verdicts:
            verdicts[owner] = not presences.holds(store, owner) and await gone(store, owner)
        result.append(await _ended(store, record) if verdicts[owner] else record)
    return result


async def _ended(store: Any, record: TaskRecord) -> TaskRecord:
    message = agent_message([text_part(STOPPED)], record.id, record.context_id)
    return await records.end_orphan(store, record, status(FAILED, message))
