"""``SubscribeToTask``: follow a task that has not ended, as SSE (the task first, as
``SendStreamingMessage`` answers).

- Running in this process: the task as it stands, then each of its further events (status
  and artifact updates) until its run ends or pauses. Several subscribers each get every
  event from the moment they joined; one that goes away does not stop the run.
- Running in another process sharing the store (its record says ``working``): the task as
  its record stands, then, once the record ends, the artifacts it gained and its last
  status. The record is read every ``POLL_EVERY`` seconds for at most ``FOLLOW_LIMIT``
  seconds (then an error says to subscribe again); a task whose process is gone ends
  ``failed`` (``_a2a_orphans``).
- Paused for approval: the task, and the stream ends (nothing runs until a message
  resumes it).
- Ended (completed, failed, canceled, rejected): ``-32004``, as the protocol's reference
  server answers (nothing more will happen to it: ``GetTask`` has it); unknown: ``-32001``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from locus.serve._a2a_find import find_task
from locus.serve._a2a_followers import Followers
from locus.serve._a2a_orphans import settled
from locus.serve._a2a_records import find
from locus.serve._a2a_send import error_frame, frame, store_of, tasks_of
from locus.serve._a2a_tasks import TaskRecord, TaskTable
from locus.serve._a2a_wire import SUBMITTED, TERMINAL, WORKING, RPCError
from locus.serve._served import served
from locus.serve._state import ServeState
from locus.serve._stream import EventStream

__all__ = ["FOLLOW_LIMIT", "POLL_EVERY", "subscribe"]

POLL_EVERY = 0.5
"""Seconds between reads of the record of a task running in another process."""
FOLLOW_LIMIT = 3600.0
"""Seconds a subscriber follows a task running in another process, at most."""
log = logging.getLogger("locus.serve")


async def subscribe(
    request: Request, name: str, request_id: Any, params: dict[str, Any]
) -> Response:
    """``POST /a2a/{name}`` ``SubscribeToTask``: the task's stream (``RPCError`` for an
    unknown or ended task)."""
    table, store = tasks_of(request), store_of(request, name)
    record = await find_task(table, store, name, params.get("id"))
    if record.state in TERMINAL:
        ended = record.state.removeprefix("TASK_STATE_").lower()
        raise RPCError(
            -32004,
            f"task {record.id!r} is in a terminal state ({ended}): there is nothing more to "
            "follow; GetTask gives its result",
        )
    state = served(request).state
    followers = record.followers if record.driver is not None else None
    if followers is not None:
        chunks = _here(request_id, record, followers)
    elif record.state in (WORKING, SUBMITTED):
        chunks = _elsewhere(request_id, record, Remote(table, store, state))
    else:
        chunks = _paused(request_id, record)
    return EventStream(chunks, state)


async def _here(request_id: Any, record: TaskRecord, followers: Followers) -> AsyncIterator[bytes]:
    """The task, then its run's events from now on (joined in the same step: none is lost
    or sent twice)."""
    queue = followers.join()
    try:
        yield frame(request_id, {"task": record.json()})
        while (item := await queue.get()) is not None:
            yield frame(request_id, item)
    finally:
        followers.leave(queue)


async def _paused(request_id: Any, record: TaskRecord) -> AsyncIterator[bytes]:
    yield frame(request_id, {"task": record.json()})


class Remote:
    """Where a task running in another process is followed from: its record in ``store``,
    judged with this app's presences, until the app stops (``state.draining``)."""

    def __init__(self, table: TaskTable, store: Any, state: ServeState) -> None:
        self.table, self.store, self.state = table, store, state
        self.every, self.limit = POLL_EVERY, FOLLOW_LIMIT

    async def ended(self, record: TaskRecord) -> TaskRecord | None:
        """The task's record once it has ended (or paused); ``None`` while it runs
        (``RPCError`` -32001 once it is forgotten)."""
        found = await find(self.store, record.agent, record.id)
        if found is None:
            raise RPCError(
                -32001, f"task {record.id!r} is no longer recorded (its context was deleted)"
            )
        found = await settled(self.store, self.table.presences, found)
        return None if found.state in (WORKING, SUBMITTED) else found


async def _elsewhere(request_id: Any, record: TaskRecord, remote: Remote) -> AsyncIterator[bytes]:
    """The task, then its end once its record says so."""
    yield frame(request_id, {"task": record.json()})
    try:
        ended = await _until_ended(record, remote)
    except RPCError as exc:
        yield error_frame(request_id, exc)
        return
    except Exception as exc:  # the store failed: the stream ends saying so (the log has why)
        log.warning("following A2A task %r failed: %s", record.id, exc)
        yield error_frame(request_id, RPCError(-32603, f"internal error ({type(exc).__name__})"))
        return
    for key, artifact in ended.artifacts.items():
        if key not in record.artifacts:
            update = {"taskId": record.id, "contextId": record.context_id, "artifact": artifact}
            yield frame(request_id, {"artifactUpdate": {**update, "lastChunk": True}})
    yield frame(request_id, ended.status_update())


async def _until_ended(record: TaskRecord, remote: Remote) -> TaskRecord:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + remote.limit
    while True:
        await asyncio.sleep(remote.every)
        if remote.state.draining:
            raise RPCError(
                -32603,
                "the server is shutting down: SubscribeToTask again on another, or poll GetTask",
            )
        ended = await remote.ended(record)
        if ended is not None:
            return ended
        if loop.time() > deadline:
            raise RPCError(
                -32603,
                f"task {record.id!r} is still working in another server process after "
                f"{remote.limit:g} s of following it here: SubscribeToTask again, or poll GetTask",
            )
