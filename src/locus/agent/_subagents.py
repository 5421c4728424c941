"""Agents as tools (``agent.as_tool``) and the ``transfer_to_<name>`` tools of handoffs.

A sub-agent's tool is async: its run is awaited on the caller's event loop, so no
thread is held while it waits (parallel sub-agent calls in one turn run concurrently,
under ``run_sync`` as under ``arun``). Its token usage is added to the calling run's
``usage`` and ``metrics`` (``metrics.sub_runs`` counts the runs). Nesting is capped:
a call deeper than ``max_depth`` is a tool error the model reads. The sub-run's events
reach the caller's event stream as ``SubAgentEvent``s (``locus.agent._forwarding``).

A sub-run that pauses for approval pauses its caller (``locus.agent._nested``): the
tool leaves the paused result in the call's channel, and on resume it resumes the
sub-run with the decisions the channel brings, its output then the call's result.
Usage and ``sub_runs`` of a paused sub-run are rolled up at the pause; its resume adds
only what it spent after. Run outside an agent's tool step (no channel), a sub-run
that pauses is a tool error: its calls could reach no person.
"""

from __future__ import annotations

from contextlib import aclosing
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from locus.agent._context import RunContext
from locus.agent._events import RunFinished, SubAgentEvent
from locus.agent._result import add_usage
from locus.core.errors import RunError
from locus.core.usage import Usage
from locus.tools._tool import Tool

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator

    from locus.agent._events import RunEvent
    from locus.agent._forwarding import Channel, Resume
    from locus.agent._result import AgentResult

__all__ = ["SubAgents", "handoff_tool"]

_depth: ContextVar[int] = ContextVar("locus_agent_depth", default=0)


class SubAgents:
    """``as_tool`` for ``Agent``."""

    _config: Any  # RunConfig
    description: str

    @property
    def name(self) -> str:
        raise NotImplementedError

    def as_tool(
        self,
        name: str | None = None,
        description: str | None = None,
        output_type: Any = None,
        *,
        max_depth: int = 4,
    ) -> Tool[..., Any]:
        """A tool that runs this agent on its ``input`` and returns its output.

        ``name`` defaults to the agent's name (``-`` made ``_``), ``description`` to the
        agent's. ``output_type`` overrides the agent's for these runs. The caller's
        ``deps`` are handed on. A run of the agent that pauses for approval pauses the
        caller (see ``docs/multi-agent.md``).
        """
        from locus.agent._forwarding import (  # (with the first agent as a tool)
            SubAgentSettings,
            channel,
            mark,
        )

        agent: Any = self  # an Agent
        text = description or self.description or f"Ask the agent {self.name} to do a task."

        async def ask(input: str, ctx: RunContext[Any]) -> Any:
            depth = _depth.get()
            if depth >= max_depth:
                raise RunError(
                    f"agents used as tools are nested {depth} deep, the limit (max_depth="
                    f"{max_depth}); answer with what you have"
                )
            where, resume = channel.get(), None
            if where is not None:
                resume, where.resume = where.resume, None  # taken: this call resumes it once
            token = _depth.set(depth + 1)
            try:
                events = _events(agent, input, output_type, ctx.deps, resume)
                result = await _sub_run(agent, events, where)
            except Exception as exc:
                _roll_up(ctx, getattr(exc, "result", None), resume)
                raise
            finally:
                _depth.reset(token)
            _roll_up(ctx, result, resume)
            if result.stop_reason == "awaiting_approval":
                return _paused(agent.name, result, where)
            return result.output

        ask.__doc__ = f"{text}\n\nArgs:\n    input: The task, in full: the agent sees nothing else."
        # its runs' events are forwarded to the caller's stream; durable runs read the rest
        mark(ask, SubAgentSettings(agent, output_type, max_depth))
        return Tool(ask, name=name or self.name.replace("-", "_"), description=text)


def _events(
    agent: Any, input: str, output_type: Any, deps: Any, resume: Resume | None
) -> AsyncGenerator[RunEvent, None]:
    """The sub-run: a new run on ``input``, or the paused one resumed with its decisions."""
    if resume is None:
        events: AsyncGenerator[RunEvent, None] = agent.run(
            input, output_type=output_type, deps=deps
        )
        return events
    state, approvals = resume
    resumed: AsyncGenerator[RunEvent, None] = agent._resumed_run(
        state, approvals, deps=deps, output_type=output_type
    )
    return resumed


async def _sub_run(
    agent: Any, events: AsyncGenerator[RunEvent, None], where: Channel | None
) -> AgentResult[Any]:
    """Drive the sub-run; with a caller's channel, put each of its events there."""
    found: AgentResult[Any] | None = None
    async with aclosing(events):
        async for event in events:
            if where is not None:  # (none: not called by a run's tool step)
                await where.queue.put(SubAgentEvent(agent.name, where.call_id, event))
            if isinstance(event, RunFinished):
                found = event.result
    if found is None:  # pragma: no cover - a run ends with RunFinished or raises
        raise RunError(f"the run of {agent.name} ended without a result")
    return found


def _paused(name: str, result: AgentResult[Any], where: Channel | None) -> str:
    """Hand a paused sub-run to the caller's run (which then pauses too)."""
    calls = ", ".join(f"{p.tool} ({p.id})" for p in result.pending)
    if where is None:
        raise RunError(
            f"the agent {name} paused for approval of {calls}, but it was not run by an "
            "agent's tool step, so no person can be asked; run it as an agent's tool, or "
            "run it directly and resume its RunState"
        )
    where.paused = result
    return f"Paused: {name} waits for approval of {calls}."  # (the caller pauses instead)


def _roll_up(
    ctx: RunContext[Any] | None, result: AgentResult[Any] | None, resumed: Resume | None
) -> None:
    """Add a sub-run's usage to the calling run (a resumed one: only what it added since
    its pause, which was rolled up then)."""
    parent = ctx.run if ctx is not None else None
    if parent is None or result is None:
        return
    usage, runs = result.usage, 1 + result.metrics.sub_runs
    if resumed is not None:
        before = resumed[0]
        usage = Usage()
        for key, value in result.usage.items():
            usage[key] = int(value) - int(before.usage.get(key, 0))
        runs = result.metrics.sub_runs - int(before.metrics.get("sub_runs", 0))
    parent.metrics.add_usage(usage)
    parent.metrics.sub_runs += runs
    add_usage(parent.usage, usage)


def handoff_tool(agent: Any) -> Tool[..., Any]:
    """The ``transfer_to_<name>`` tool of a handoff target (answered by the run itself)."""
    about = agent.description or f"the agent {agent.name}"
    text = f"Transfer the conversation to {agent.name}: {about}. It answers from then on."

    async def never(arguments: dict[str, Any]) -> str:  # the run answers these calls
        return f"Transferred to {agent.name}."

    schema: dict[str, Any] = {"type": "object", "properties": {}}
    return Tool.from_schema(f"transfer_to_{agent.name}", text, schema, never)
