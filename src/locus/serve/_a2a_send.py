"""``SendMessage`` and ``SendStreamingMessage``: a message starts a task (or resumes one
paused for approval) whose run is driven in a task of its own (``_a2a_tasks.drive``).

- ``SendMessage`` answers with the task once its run ends (or pauses); a client that goes
  away cancels the run. With ``configuration.returnImmediately: true`` it answers at once
  (once the task's first record is written, ``START_WAIT`` seconds at most) while the run
  goes on in the background, tied to no request (``_a2a_background``).
- ``SendStreamingMessage`` answers with the task, then its events as SSE; a client that
  goes away cancels the run.

Either way the run's events go to its followers (``_a2a_followers``): the stream, and any
``SubscribeToTask`` stream (``_a2a_subscribe``).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from locus.agent import RunEvent
from locus.serve import _a2a_records as records
from locus.serve import _paused
from locus.serve._a2a_background import Stop
from locus.serve._a2a_find import find_task
from locus.serve._a2a_followers import Followers
from locus.serve._a2a_keeping import keeping_of
from locus.serve._a2a_resume import approvals_of, claim, refuse_follow_up, resume
from locus.serve._a2a_tasks import (
    Driver,
    Keeping,
    Progress,
    StreamItem,
    TaskRecord,
    TaskTable,
    drive,
)
from locus.serve._a2a_wire import (
    INPUT_REQUIRED,
    SUBMITTED,
    WORKING,
    IncomingMessage,
    RPCError,
    dumps,
    error_envelope,
    parse_message_params,
    result_envelope,
    status,
)
from locus.serve._agents import is_structured
from locus.serve._expiry import maybe_sweep
from locus.serve._runner import RunRequest, counted
from locus.serve._served import JSONAnswer, Served, served
from locus.serve._stream import EventStream, done_unless_gone

__all__ = ["START_WAIT", "frame", "history_length", "send", "store_of", "tasks_of"]

START_WAIT = 2.0
"""Seconds a ``returnImmediately`` answer waits for its task's first record (so every
process sharing the store finds the task); past it (another run of the context holds the
thread), it answers all the same."""


def tasks_of(request: Request) -> TaskTable:
    """The app's tasks (made on first use)."""
    state = request.app.state
    table: TaskTable | None = getattr(state, "a2a_tasks", None)
    if table is None:
        table = state.a2a_tasks = TaskTable()
    return table


def store_of(request: Request, name: str) -> Any:
    """The thread store of the agent ``name`` (where its tasks' records are kept)."""
    agent = served(request).agents.get(name)
    assert agent is not None  # (``a2a_rpc`` answered 404 otherwise)
    return agent.thread_store


def history_length(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise RPCError.invalid_params("'historyLength' must be a non-negative integer")
    return value


def frame(request_id: Any, item: StreamItem) -> bytes:
    """One SSE event carrying a JSON-RPC result (``item``)."""
    return b"data: " + dumps(result_envelope(request_id, item)) + b"\n\n"


def error_frame(request_id: Any, error: RPCError) -> bytes:
    """One SSE event carrying a JSON-RPC error."""
    return b"data: " + dumps(error_envelope(request_id, error)) + b"\n\n"


def _at_once(configuration: dict[str, Any]) -> bool:
    value = configuration.get("returnImmediately", False)
    if not isinstance(value, bool):
        raise RPCError.invalid_params("'configuration.returnImmediately' must be true or false")
    return value


async def send(
    request: Request, name: str, request_id: Any, params: dict[str, Any], *, stream: bool
) -> Response:
    app = served(request)
    incoming = parse_message_params(params)
    configuration = params.get("configuration") or {}
    length = history_length(configuration.get("historyLength"))
    at_once = _at_once(configuration) and not stream  # (a stream answers at once anyway)
    if app.state.draining:
        message = "the server is shutting down; retry on another"
        error = error_envelope(request_id, RPCError(-32603, message))
        return JSONAnswer(error, status_code=503)
    table, agent = tasks_of(request), app.agents.get(name)
    if at_once:
        table.background.admit()
    keeping = keeping_of(table, store_of(request, name), getattr(agent, "run_timeout", None))
    record, events, snapshot = await _task_of(request, name, agent, incoming, keeping)
    started = _signalled(keeping)
    record.followers = followers = Followers()
    queue = followers.join() if stream else None
    progress = Progress(record, structured=is_structured(agent))
    loop = asyncio.get_running_loop()
    driver = Driver(drive(progress, events, _keeper(app, name, agent), followers, keeping), loop)
    record.driver = driver
    if queue is not None:
        first = frame(request_id, snapshot) + frame(request_id, record.status_update())
        return EventStream(_frames(request_id, first, queue, followers, driver), app.state)
    if at_once:
        stop = Stop(app.state, app.shutdown_timeout, table.later, table.presences)
        table.background.add(driver, stop)
        await _started(started, driver)
    else:  # a client that leaves (or a request cancelled) cancels the run, as a stream's does
        await done_unless_gone(request.receive, driver)
    return JSONAnswer(result_envelope(request_id, {"task": record.json(length)}))


async def _task_of(
    request: Request, name: str, agent: Any, incoming: IncomingMessage, keeping: Keeping
) -> tuple[TaskRecord, AsyncIterator[RunEvent], StreamItem]:
    """The message's task (a new one, ``working``, or the paused one it resumes), its run's
    events, and the task as a stream first shows it."""
    if incoming.task_id is not None:
        record, events = await _resumed(request, name, agent, incoming, keeping)
        keeping.begin = None  # (its claim recorded it)
        return record, events, {"task": record.json()}
    record = _new_task(request, name, incoming, len(await request.body()))
    state = served(request).state
    events = counted(agent, RunRequest(incoming.prompt, record.context_id), state)
    snapshot = {"task": record.json()}
    record.status = status(WORKING)
    return record, events, snapshot


def _signalled(keeping: Keeping) -> asyncio.Event:
    """An event set once the run's first record is written (at once when there is none to
    write: a resumed task's claim wrote it)."""
    started, begin = asyncio.Event(), keeping.begin

    async def begin_then_say(record: TaskRecord) -> None:
        if begin is not None:
            await begin(record)
        started.set()

    keeping.begin = begin_then_say
    return started


async def _started(started: asyncio.Event, driver: asyncio.Task[None]) -> None:
    """Wait until the run's first record is written, or its run ended (it failed to
    start), ``START_WAIT`` seconds at most; the run goes on either way."""
    waiter = asyncio.get_running_loop().create_task(started.wait())
    try:
        await asyncio.wait(
            (waiter, driver), timeout=START_WAIT, return_when=asyncio.FIRST_COMPLETED
        )
    finally:
        waiter.cancel()


def _new_task(request: Request, name: str, incoming: IncomingMessage, size: int) -> TaskRecord:
    """A new task for the message, on its context (a new one when it names none)."""
    context_id = incoming.context_id or f"a2a-{uuid.uuid4().hex}"
    task_id = records.new_task_id(context_id)
    user = {**incoming.message, "contextId": context_id, "taskId": task_id}
    record = TaskRecord(task_id, context_id, name, [user], status(SUBMITTED))
    record.size = size  # (the message's share of the body, about)
    tasks_of(request).add(record)
    return record


async def _resumed(
    request: Request, name: str, agent: Any, incoming: IncomingMessage, keeping: Keeping
) -> tuple[TaskRecord, AsyncIterator[RunEvent]]:
    """The task a message names, resumed with the approvals the message carries (only a
    task paused for approval takes a message: ``_a2a_resume``)."""
    table, store = tasks_of(request), agent.thread_store
    record = await find_task(table, store, name, incoming.task_id)
    if record.state != INPUT_REQUIRED or record.driver is not None:
        refuse_follow_up(record)
    if incoming.context_id not in (None, record.context_id):
        raise RPCError.invalid_params(
            f"task {record.id!r} is of context {record.context_id!r}, not {incoming.context_id!r}"
        )
    events = await resume(served(request), agent, record, approvals_of(record, incoming.message))
    if record.state != INPUT_REQUIRED or record.driver is not None:  # resumed meanwhile
        refuse_follow_up(record)
    approval = {**incoming.message, "contextId": record.context_id}
    if records.shares(store):  # claimed for this resume, in every process (under the lock)
        try:
            record.owner = await claim(store, record, name, approval, keeping.hold)
        except BaseException:
            if keeping.hold is not None:
                keeping.hold.leave()  # (nothing of this run is recorded)
            raise
    record.history.append(approval)
    record.status = status(WORKING)
    table.add(record)
    return record, events


def _keeper(app: Served, name: str, agent: Any) -> Any:
    """Keeps a run that paused for approval (on its thread) and returns its run id."""

    async def on_paused(result: Any) -> str:
        await maybe_sweep(app.agents, app.state, app.paused_ttl, app.clock)
        return await _paused.register(name, agent, result, app.state, now=app.clock())

    return on_paused


async def _frames(
    request_id: Any,
    first: bytes,
    queue: asyncio.Queue[StreamItem | None],
    followers: Followers,
    driver: asyncio.Task[None],
) -> AsyncIterator[bytes]:
    """The SSE body of a streamed task; a client that goes away cancels the run."""
    try:
        yield first
        while (item := await queue.get()) is not None:
            yield frame(request_id, item)
    finally:
        followers.leave(queue)
        if not driver.done():
            driver.cancel()
            await asyncio.wait((driver,))
