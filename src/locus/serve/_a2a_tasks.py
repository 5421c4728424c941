"""A2A tasks: one per message a client sends, each an agent run on the message's context
(the agent's thread), kept in the app's memory, where ``GetTask`` and ``CancelTask`` find
it first (its record in the context lets other processes find it: ``_a2a_records``).

A run is driven in a task of its own (``drive``), so ``CancelTask`` (another request)
cancels it whether its client waits for the whole task or follows its stream. The run's
events become A2A stream events (``Progress``): each stretch of the agent's text (one model
answer) is an artifact, streamed in chunks; each tool call the agent makes, and its
result, a ``working`` status update with a data part; the run's end a last status update
(completed, failed, canceled, or input-required for a run that paused for approval).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import aclosing
from dataclasses import dataclass, field
from typing import Any

from locus.agent import (
    IterationEnded,
    IterationStarted,
    ModelTextDelta,
    RunEvent,
    RunFinished,
    ToolCallFinished,
    ToolCallStarted,
)
from locus.core.errors import LocusError
from locus.serve._a2a_background import Background
from locus.serve._a2a_followers import Followers
from locus.serve._a2a_presence import Hold, Presences
from locus.serve._a2a_wire import (
    CANCELED,
    COMPLETED,
    FAILED,
    INPUT_REQUIRED,
    WORKING,
    agent_message,
    data_part,
    status,
    text_part,
)
from locus.serve._convert import jsonable, pending_json

__all__ = [
    "MAX_TASKS",
    "MAX_TASK_BYTES",
    "Driver",
    "Keeping",
    "Progress",
    "StreamItem",
    "TaskRecord",
    "TaskTable",
    "drive",
]

MAX_TASKS = 1000
"""Tasks an app remembers; past it, the oldest ended ones are forgotten."""
MAX_TASK_BYTES = 64_000_000
"""About how many bytes of clients' messages the remembered tasks may hold (a message may
be as large as the body limit: images); past it, the oldest ended tasks are forgotten."""
log = logging.getLogger("locus.serve")

StreamItem = dict[str, Any]
"""One A2A ``StreamResponse`` (``{"statusUpdate": ...}``, ``{"artifactUpdate": ...}``)."""


@dataclass(slots=True, eq=False)
class TaskRecord:
    """One task: its ids, the agent (served name) it runs, its status, artifacts and
    history, the asyncio task driving its run (``None`` once it has ended) and the clients
    following that run (``_a2a_followers``)."""

    id: str
    context_id: str
    agent: str
    history: list[dict[str, Any]]
    status: dict[str, Any]
    artifacts: dict[str, dict[str, Any]] = field(default_factory=dict)
    driver: asyncio.Task[None] | None = None
    followers: Followers | None = None
    size: int = 0
    """About how many bytes the client's message takes (``TaskTable``'s budget)."""
    owner: str | None = None
    """The presence token of the process running it, as its record names it
    (``_a2a_presence``; ``None``: not known, the task is never judged gone)."""
    earlier: list[dict[str, Any]] = field(default_factory=list)
    """The statuses its record had before ``status``, oldest first (a record read back:
    ``_a2a_records``), so a reader that missed one (a pause resumed between two of its
    reads) still sees it."""

    @property
    def state(self) -> str:
        return str(self.status["state"])

    def json(self, history_length: int | None = None) -> dict[str, Any]:
        """The ``Task``; with ``history_length``, only that many of the latest messages."""
        history = self.history
        if history_length is not None:
            history = history[len(history) - history_length :] if history_length else []
        return {
            "id": self.id,
            "contextId": self.context_id,
            "status": self.status,
            "artifacts": list(self.artifacts.values()),
            "history": history,
        }

    def status_update(self) -> StreamItem:
        update = {"taskId": self.id, "contextId": self.context_id, "status": self.status}
        return {"statusUpdate": update}


class TaskTable:
    """The tasks of one app, by id: at most ``limit``, holding about ``max_bytes`` of
    clients' messages; past either, the oldest that have ended (or paused: nothing runs)
    are forgotten. Running tasks are never forgotten (the per-client limit, and
    ``MAX_BACKGROUND_RUNS`` for runs answered at once, bound them)."""

    def __init__(self, limit: int = MAX_TASKS, max_bytes: int = MAX_TASK_BYTES) -> None:
        self.limit = limit
        self.max_bytes = max_bytes
        self.size = 0
        self.tasks: dict[str, TaskRecord] = {}
        self.later: set[asyncio.Task[None]] = set()
        """Records being written in the background (``_a2a_records.save_at_end``)."""
        self.presences = Presences()
        """This app's presence in the stores its tasks are recorded in."""
        self.background = Background()
        """The runs going on after their answer (``returnImmediately``)."""

    def add(self, record: TaskRecord) -> None:
        """Remember ``record`` (in place of an earlier record of that task)."""
        earlier = self.tasks.pop(record.id, None)
        if earlier is not None:
            self.size -= earlier.size
        over = len(self.tasks) + 1 - self.limit
        extra = self.size + record.size - self.max_bytes
        if over > 0 or extra > 0:
            for key, task in list(self.tasks.items()):
                if over <= 0 and extra <= 0:
                    break
                if task.driver is None:  # (ended, or paused for approval)
                    del self.tasks[key]
                    self.size -= task.size
                    over, extra = over - 1, extra - task.size
        self.tasks[record.id] = record
        self.size += record.size


class Progress:
    """Turns one run's events into A2A stream events, keeping the task's record up to
    date. A text chunk is held until the next event says whether it ends its artifact
    (``lastChunk``)."""

    def __init__(self, record: TaskRecord, *, structured: bool) -> None:
        self.record = record
        self.structured = structured
        self.segment: str | None = None
        self.held: str | None = None
        self.first = self.segments = len(record.artifacts)  # (a resumed task has some)

    def encode(self, event: RunEvent) -> list[StreamItem]:
        if isinstance(event, ModelTextDelta):
            if self.structured or not event.text:
                return []
            items = [] if self.held is None else [self._chunk(self.held, last=False)]
            self.held = event.text
            return items
        if isinstance(event, IterationStarted | IterationEnded):
            return self.close_text()
        if isinstance(event, ToolCallStarted):
            call = event.call
            shown = {"id": call.id, "name": call.name, "arguments": jsonable(call.arguments)}
            return [*self.close_text(), self._working({"toolCall": shown})]
        if isinstance(event, ToolCallFinished):
            result = event.result
            shown = {"id": event.call.id, "name": event.call.name, "content": result.content}
            if event.error is not None or result.is_error:
                shown["isError"] = True
            return [self._working({"toolResult": shown})]
        return []

    def close_text(self) -> list[StreamItem]:
        """The held chunk as the last of its artifact (the agent's text stopped)."""
        if self.held is None:
            return []
        item = self._chunk(self.held, last=True)
        self.held, self.segment = None, None
        return [item]

    def _chunk(self, text: str, *, last: bool) -> StreamItem:
        record = self.record
        append = self.segment is not None
        if self.segment is None:
            self.segments += 1
            self.segment = f"{record.id}-text-{self.segments}"
            stored = {"artifactId": self.segment, "name": "answer", "parts": [text_part("")]}
            record.artifacts[self.segment] = stored
        part = record.artifacts[self.segment]["parts"][0]
        part["text"] += text
        artifact = {"artifactId": self.segment, "name": "answer", "parts": [text_part(text)]}
        return self._artifact_update(artifact, append=append, last=last)

    def _artifact_update(self, artifact: dict[str, Any], *, append: bool, last: bool) -> StreamItem:
        record = self.record
        update = {"taskId": record.id, "contextId": record.context_id, "artifact": artifact}
        return {"artifactUpdate": {**update, "append": append, "lastChunk": last}}

    def _message(self, parts: list[dict[str, Any]]) -> dict[str, Any]:
        return agent_message(parts, self.record.id, self.record.context_id)

    def _working(self, data: Any) -> StreamItem:
        self.record.status = status(WORKING, self._message([data_part(data)]))
        return self.record.status_update()

    def _end(self, state: str, message: dict[str, Any] | None) -> list[StreamItem]:
        self.record.status = status(state, message)
        return [*self.close_text(), self.record.status_update()]

    def completed(self, result: Any) -> list[StreamItem]:
        """The events that end a run that answered: typed output as a data artifact (or
        the answer, when no text streamed), the answer in the history, ``completed``."""
        items = self.close_text()
        record = self.record
        if self.structured:
            part = data_part(jsonable(result.output))
            key, name = f"{record.id}-output", "output"
        else:
            part = text_part(str(result.message))
            key, name = f"{record.id}-text-{self.segments + 1}", "answer"
        artifact: dict[str, Any] = {"artifactId": key, "name": name, "parts": [part]}
        if self.structured or self.segments == self.first:  # (no text streamed)
            record.artifacts[key] = artifact
            items.append(self._artifact_update(artifact, append=False, last=True))
        record.history.append(self._message([part]))
        return [*items, *self._end(COMPLETED, None)]

    def paused(self, result: Any, run_id: str) -> list[StreamItem]:
        """The events that end a run paused for approval: ``input-required``, its message
        naming each pending call and where to approve them (the approvals route of the
        paused run ``run_id``)."""
        pending = [pending_json(p) for p in result.pending]
        asked = ", ".join(f"{p['tool']}({p['arguments']})" for p in pending)
        path = f"/v1/agents/{self.record.agent}/runs/{run_id}/approvals"
        text = f"waiting for approval of {asked}: approve or deny at POST {path}"
        data = {"runId": run_id, "approvalsPath": path, "pending": pending}
        return self._end(INPUT_REQUIRED, self._message([text_part(text), data_part(data)]))

    def failed(self, exc: BaseException) -> list[StreamItem]:
        """The events that end a failed run: ``failed``, saying what happened (a Locus error's
        own text, which holds no secrets; only the type of any other error)."""
        if isinstance(exc, LocusError):
            text = f"the run failed: {type(exc).__name__}: {exc}"
        else:
            log.error("an A2A task's run failed", exc_info=exc)
            text = f"the run failed: internal error ({type(exc).__name__})"
        return self._end(FAILED, self._message([text_part(text)]))

    def canceled(self, why: str | None = None) -> list[StreamItem]:
        """The events that end a canceled run, saying why (``why``: the cancel's message)."""
        why = why or "CancelTask, or its client went away"
        text = f"the task was canceled ({why}); the thread is as it was"
        return self._end(CANCELED, self._message([text_part(text)]))


OnPaused = Callable[[Any], Awaitable[str]]
"""Keeps a paused run findable and returns its run id (for the approvals route)."""
Keep = Callable[[TaskRecord], Awaitable[None]]
"""Records the task where other processes find it (``_a2a_records``)."""


@dataclass(slots=True)
class Keeping:
    """What a run records of its task, and when: ``begin`` before the run starts (``None``:
    already recorded, as a resumed task is by its claim), ``end`` once it has ended, before
    the last event is sent (so a client that saw the end finds it anywhere); ``hold``, the
    run's share of its process's presence in the store, named by its records and let go
    of once its last record is written (``None``: not judged)."""

    begin: Keep | None = None
    end: Keep | None = None
    hold: Hold | None = None


class Driver(asyncio.Task[None]):
    """The asyncio task driving one run (``drive``). A cancel that comes before its first
    step (``CancelTask``, or the loop's end, in the same turn of the loop as the message
    that made it) is held until that step, which then ends the task ``canceled`` as a
    cancel later in the run does: an asyncio task cancelled before it starts never runs its
    coroutine, so its task would stay ``working`` (recorded so, its process's presence
    held, its followers waiting) for as long as the process lives."""

    def __init__(self, coro: Coroutine[Any, Any, None], loop: asyncio.AbstractEventLoop) -> None:
        self.started = False
        self.held: list[Any] | None = None
        super().__init__(coro, loop=loop)

    def cancel(self, msg: Any | None = None) -> bool:
        if self.started or self.done():
            return super().cancel(msg)
        if self.held is None:
            self.held = [] if msg is None else [msg]
        return True

    def start(self) -> None:
        """Its first step: a cancel held until now is raised where ``drive`` handles it."""
        self.started = True
        if self.held is not None:
            raise asyncio.CancelledError(*self.held)


def _start() -> None:
    driver = asyncio.current_task()
    if isinstance(driver, Driver):
        driver.start()


async def drive(
    progress: Progress,
    events: AsyncIterator[RunEvent],
    on_paused: OnPaused,
    followers: Followers | None,
    keeping: Keeping | None = None,
) -> None:
    """Run the task to its end, posting its stream events to its ``followers`` (then their
    end); a cancelled run ends the task ``canceled`` (saying why, when the cancel said), a
    failed one ``failed``."""
    keeping = keeping or Keeping()

    def post(items: list[StreamItem]) -> None:
        if followers is not None:
            for item in items:
                followers.post(item)

    items: list[StreamItem] = []
    try:
        result = await _run(progress, events, post, keeping.begin)
        if getattr(result, "pending", None):
            items = progress.paused(result, await on_paused(result))
        else:
            items = progress.completed(result)
    except asyncio.CancelledError as exc:
        items = progress.canceled(str(exc.args[0]) if exc.args else None)
    except Exception as exc:
        items = progress.failed(exc)
    try:
        if keeping.end is not None:
            await keeping.end(progress.record)
    finally:
        post(items)
        progress.record.driver = None
        if followers is not None:
            followers.end()


async def _run(
    progress: Progress,
    events: AsyncIterator[RunEvent],
    post: Callable[[list[StreamItem]], None],
    begin: Keep | None,
) -> Any:
    """Run to the end (once ``begin`` recorded the task), posting each event's stream
    events; the run's result."""
    result = None
    async with aclosing(events):  # type: ignore[type-var]
        _start()
        if begin is not None:
            await begin(progress.record)
        async for event in events:
            post(progress.encode(event))
            if isinstance(event, RunFinished):
                result = event.result
    if result is None:  # pragma: no cover - a run that does not raise ends with RunFinished
        raise RuntimeError("agent run ended without a result")
    return result
