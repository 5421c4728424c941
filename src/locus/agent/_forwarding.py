"""Sub-run events forwarded into the caller's event stream (``agent.as_tool``).

A run whose tools include an agent used as a tool runs its tool calls through
``forward_calls``: each call in its own task, with ``channel`` set in that task's
context to the run's bounded queue and the call's id. The sub-agent's tool
(``locus.agent._subagents``) finds the channel there and puts every event of its run,
wrapped in ``SubAgentEvent``, into the queue; the caller's tool step yields them as
they come, in order, and a call's ``ToolCallFinished`` only after all of its events.
The queue holds ``BUFFER`` events: a sub-run gets that far ahead of a slow consumer,
then waits for it (as the caller's own run does at each ``yield``). A run with no
sub-agent tool never comes here.

The channel also carries what pausing needs (``locus.agent._nested``): a sub-run that
pauses for approval leaves its result there (``paused``), and the call then yields no
outcome: the run's ``SubCalls`` keep it and the caller pauses. On resume the channel
brings the paused sub-run's state and decisions (``resume``) to the sub-agent's tool.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from contextlib import aclosing
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from locus.agent._events import SubAgentEvent
from locus.core.messages import ToolCall
from locus.tools._executor import ToolExecutor, ToolOutcome

if TYPE_CHECKING:
    from locus.agent._result import AgentResult
    from locus.agent._state import RunState

__all__ = [
    "BUFFER",
    "Channel",
    "SubAgentSettings",
    "SubCalls",
    "channel",
    "forward_calls",
    "forwards",
    "is_sub_agent_tool",
    "mark",
    "sub_agent",
    "sub_agent_settings",
]

T = TypeVar("T")
BUFFER = 256
"""Events a sub-run may put before the caller's consumer takes them."""

Finished = tuple[int, ToolOutcome]


Resume = tuple["RunState", dict[str, Any]]
"""A paused sub-run's state and the decisions for its pending calls."""


@dataclass(slots=True)
class Channel:
    """Where a sub-agent tool call puts its run's events, and which call it is."""

    queue: asyncio.Queue[SubAgentEvent]
    call_id: str
    resume: Resume | None = None
    """The paused sub-run this call resumes (taken by the sub-agent's tool)."""
    paused: AgentResult[Any] | None = None
    """The sub-run's result when it paused for approval (set by the sub-agent's tool)."""


@dataclass(slots=True)
class SubCalls:
    """A run's sub-agent calls that pause or resume, by call id."""

    resumes: dict[str, Resume] = field(default_factory=dict)
    """Paused sub-runs to resume in this turn's calls (set by the resume)."""
    paused: dict[str, AgentResult[Any]] = field(default_factory=dict)
    """Sub-runs of this turn that paused for approval (the run then pauses)."""


channel: ContextVar[Channel | None] = ContextVar("locus_sub_events", default=None)


@dataclass(frozen=True, slots=True)
class SubAgentSettings:
    """What ``agent.as_tool(...)`` was given: the agent, its ``output_type`` (``None``: the
    agent's own) and ``max_depth`` (read by durable runs, which run the sub-agent
    themselves)."""

    agent: Any
    output_type: Any = None
    max_depth: int = 4


_marked: weakref.WeakKeyDictionary[Callable[..., Any], SubAgentSettings] = (
    weakref.WeakKeyDictionary()
)


def mark(function: Callable[..., Any], settings: SubAgentSettings) -> None:
    """Note ``function`` as the body of ``settings.agent`` used as a tool."""
    _marked[function] = settings


def sub_agent_settings(tool: Any) -> SubAgentSettings | None:
    """How ``tool`` (made by ``agent.as_tool``) runs its agent, or ``None``."""
    function = getattr(tool, "func", None)
    return _marked.get(function) if function is not None else None


def sub_agent(tool: Any) -> Any:
    """The agent ``tool`` runs (made by ``agent.as_tool``), or ``None``."""
    settings = sub_agent_settings(tool)
    return settings.agent if settings is not None else None


_seen: weakref.WeakKeyDictionary[ToolExecutor, bool] = weakref.WeakKeyDictionary()


def forwards(executor: ToolExecutor) -> bool:
    """Whether any tool of ``executor`` runs an agent (found once per executor)."""
    found = _seen.get(executor)
    if found is None:
        found = _seen[executor] = any(map(is_sub_agent_tool, executor.tools.values()))
    return found


def is_sub_agent_tool(tool: Any) -> bool:
    """Whether ``tool`` runs an agent (made by ``agent.as_tool``)."""
    return sub_agent(tool) is not None


async def forward_calls(
    runnable: Sequence[tuple[int, ToolCall]],
    call_tool: Callable[[ToolCall], Awaitable[ToolOutcome]],
    wait: Callable[[Awaitable[Any]], Awaitable[Any]],
    concurrent: bool,
    subs: SubCalls,
) -> AsyncGenerator[Finished | SubAgentEvent, None]:
    """Run the calls (at once, or one by one), yielding sub-run events and finished calls;
    a call whose sub-run paused finishes with no outcome (it is kept in ``subs.paused``)."""
    queue: asyncio.Queue[SubAgentEvent] = asyncio.Queue(BUFFER)

    async def one(call: ToolCall) -> ToolOutcome | None:
        where = Channel(queue, call.id, subs.resumes.pop(call.id, None))
        channel.set(where)  # this task's context only
        outcome = await call_tool(call)
        if where.paused is not None:
            subs.paused[call.id] = where.paused
            return None
        return outcome

    groups = [runnable] if concurrent else [[item] for item in runnable]
    for group in groups:
        tasks = {asyncio.create_task(one(call)): index for index, call in group}
        async with aclosing(_drain(tasks, queue, wait)) as items:
            async for item in items:
                if isinstance(item, SubAgentEvent):
                    yield item
                elif item[1] is not None:  # (a paused call yields nothing)
                    yield item[0], item[1]


async def _drain(
    tasks: dict[asyncio.Task[ToolOutcome | None], int],
    queue: asyncio.Queue[SubAgentEvent],
    wait: Callable[[Awaitable[Any]], Awaitable[Any]],
) -> AsyncGenerator[tuple[int, ToolOutcome | None] | SubAgentEvent, None]:
    """Yield queued events as they come and each task's outcome after its events."""
    pending: set[asyncio.Future[Any]] = set(tasks)
    getter: asyncio.Task[SubAgentEvent] | None = None
    try:
        while pending:
            if getter is None:
                getter = asyncio.create_task(queue.get())
            await wait(asyncio.wait(pending | {getter}, return_when=asyncio.FIRST_COMPLETED))
            if getter.done():
                event, getter = getter.result(), None
                yield event
            while not queue.empty():  # a finished call's events are all queued by now
                yield queue.get_nowait()
            done = [task for task in tasks if task in pending and task.done()]
            for task in sorted(done, key=tasks.__getitem__):
                pending.discard(task)
                yield tasks[task], task.result()
    finally:
        leftover: list[asyncio.Future[Any]] = [*pending, *([getter] if getter else [])]
        for future in leftover:
            future.cancel()
        if leftover:
            await asyncio.gather(*leftover, return_exceptions=True)
