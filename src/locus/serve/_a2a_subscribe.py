"""``SubscribeToTask``: follow a task that has not ended, as SSE (the task first, as
``SendStreamingMessage`` answers).

- Running in this process: the task as it stands, then each of its further events (status
  and artifact updates) until its run ends or pauses. Several subscribers each get every
  event from the moment they joined; one that goes away does not stop the run.
- Running in another process sharing the store (its record says ``working``): the task as
  its record stands, then each change of the record, read every ``POLL_EVERY`` seconds:
  the artifacts it gained, then each status it went through (``Sent``; the record keeps
  the ones a later write replaced: ``_a2a_statuses``), until one ends the task or pauses
  it, as on the process running it. The record is written when a run starts, pauses or
  ends and when an approval resumes it, never per event: a run's tool-call updates and
  text chunks are not in it. At most ``FOLLOW_LIMIT`` seconds (then an error says to
  subscribe again); a task whose process is gone ends ``failed`` (``_a2a_orphans``).
- Paused for approval: the task, and the stream ends (nothing runs until a message
  resumes it).
- Ended (completed, failed, canceled, rejected): ``-32004``, as the protocol's reference
  server answers (nothing more will happen to it: ``GetTask`` has it); unknown: ``-32001``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import aclosing
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from locus.serve._a2a_find import find_task
from locus.serve._a2a_followers import Followers
from locus.serve._a2a_orphans import settled
from locus.serve._a2a_records import find
from locus.serve._a2a_send import error_frame, frame, store_of, tasks_of
from locus.serve._a2a_statuses import after
from locus.serve._a2a_tasks import StreamItem, TaskRecord, TaskTable
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

    async def read(self, record: TaskRecord) -> TaskRecord:
        """The task's record as it stands (ended ``failed`` when its process is gone;
        ``RPCError`` -32001 once it is forgotten)."""
        found = await find(self.store, record.agent, record.id)
        if found is None:
            raise RPCError(
                -32001, f"task {record.id!r} is no longer recorded (its context was deleted)"
            )
        return await settled(self.store, self.table.presences, found)


class Sent:
    """What a subscriber following a task's record has been sent: its last status and its
    artifacts, so each read sends only what changed since, in order, once; ``ended`` once
    a status that ends the stream (the task ended, or paused for approval) is sent."""

    def __init__(self, record: TaskRecord) -> None:
        self.status = record.status
        self.artifacts = dict(record.artifacts)
        self.ended = False

    def changes(self, now: TaskRecord) -> list[StreamItem]:
        """The stream events from what was sent to the record ``now``: the artifacts it
        gained (or whose content changed), then each status it went through since."""
        items: list[StreamItem] = []
        for key, artifact in now.artifacts.items():
            if self.artifacts.get(key) != artifact:
                self.artifacts[key] = artifact
                update = {"taskId": now.id, "contextId": now.context_id, "artifact": artifact}
                items.append({"artifactUpdate": {**update, "lastChunk": True}})
        for found in after(self.status, [*now.earlier, now.status]):
            self.status = found
            update = {"taskId": now.id, "contextId": now.context_id, "status": found}
            items.append({"statusUpdate": update})
            if found.get("state") not in (WORKING, SUBMITTED):
                self.ended = True
                break
        return items


async def _elsewhere(request_id: Any, record: TaskRecord, remote: Remote) -> AsyncIterator[bytes]:
    """The task, then each change of its record, to its end."""
    yield frame(request_id, {"task": record.json()})
    try:
        async with aclosing(_changes(record, remote)) as changes:
            async for item in changes:
                yield frame(request_id, item)
    except RPCError as exc:
        yield error_frame(request_id, exc)
    except Exception as exc:  # the store failed: the stream ends saying so (the log has why)
        log.warning("following A2A task %r failed: %s", record.id, exc)
        yield error_frame(request_id, RPCError(-32603, f"internal error ({type(exc).__name__})"))


async def _changes(record: TaskRecord, remote: Remote) -> AsyncGenerator[StreamItem, None]:
    """The changes of the task's record from ``record`` on, read every ``remote.every``
    seconds, until one ends the stream."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + remote.limit
    sent = Sent(record)
    while not sent.ended:
        await asyncio.sleep(remote.every)
        if remote.state.draining:
            raise RPCError(
                -32603,
                "the server is shutting down: SubscribeToTask again on another, or poll GetTask",
            )
        for item in sent.changes(await remote.read(record)):
            yield item
        if not sent.ended and loop.time() > deadline:
            raise RPCError(
                -32603,
                f"task {record.id!r} is still working in another server process after "
                f"{remote.limit:g} s of following it here: SubscribeToTask again, or poll GetTask",
            )
