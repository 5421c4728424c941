"""Agents as tools (``agent.as_tool``) and the ``transfer_to_<name>`` tools of handoffs.

A sub-agent's tool is async: its run is awaited on the caller's event loop, so no
thread is held while it waits (parallel sub-agent calls in one turn run concurrently,
under ``run_sync`` as under ``arun``). Its token usage is added to the calling run's
``usage`` and ``metrics`` (``metrics.sub_runs`` counts the runs). Nesting is capped:
a call deeper than ``max_depth`` is a tool error the model reads. The sub-run's events
reach the caller's event stream as ``SubAgentEvent``s (``locus.agent._forwarding``).
"""

from __future__ import annotations

from contextlib import aclosing
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from locus.agent._context import RunContext
from locus.agent._events import RunFinished, SubAgentEvent
from locus.agent._result import add_usage
from locus.core.errors import RunError
from locus.tools._tool import Tool

if TYPE_CHECKING:
    from locus.agent._forwarding import Channel
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
        ``deps`` are handed on.
        """
        from locus.agent._forwarding import channel, mark  # (with the first agent as a tool)

        agent: Any = self  # an Agent
        text = description or self.description or f"Ask the agent {self.name} to do a task."

        async def ask(input: str, ctx: RunContext[Any]) -> Any:
            depth = _depth.get()
            if depth >= max_depth:
                raise RunError(
                    f"agents used as tools are nested {depth} deep, the limit (max_depth="
                    f"{max_depth}); answer with what you have"
                )
            token = _depth.set(depth + 1)
            try:
                result = await _sub_run(agent, input, output_type, ctx.deps, channel)
            except Exception as exc:
                _roll_up(ctx, getattr(exc, "result", None))
                raise
            finally:
                _depth.reset(token)
            _roll_up(ctx, result)
            return result.output

        ask.__doc__ = f"{text}\n\nArgs:\n    input: The task, in full: the agent sees nothing else."
        mark(ask)  # its runs' events are forwarded to the caller's stream
        return Tool(ask, name=name or self.name.replace("-", "_"), description=text)


async def _sub_run(
    agent: Any, input: str, output_type: Any, deps: Any, channel: ContextVar[Channel | None]
) -> AgentResult[Any]:
    """Run the sub-agent; with a caller's channel, put each of its events there."""
    where = channel.get()
    if where is None:  # not called by a run's tool step (e.g. called directly)
        result: AgentResult[Any] = await agent.arun(input, output_type=output_type, deps=deps)
        return result
    found: AgentResult[Any] | None = None
    async with aclosing(agent.run(input, output_type=output_type, deps=deps)) as events:
        async for event in events:
            await where.queue.put(SubAgentEvent(agent.name, where.call_id, event))
            if isinstance(event, RunFinished):
                found = event.result
    if found is None:  # pragma: no cover - a run ends with RunFinished or raises
        raise RunError(f"the run of {agent.name} ended without a result")
    return found


def _roll_up(ctx: RunContext[Any] | None, result: AgentResult[Any] | None) -> None:
    """Add a sub-run's usage to the calling run."""
    parent = ctx.run if ctx is not None else None
    if parent is None or result is None:
        return
    parent.metrics.add_usage(result.usage)
    parent.metrics.sub_runs += 1 + result.metrics.sub_runs
    add_usage(parent.usage, result.usage)


def handoff_tool(agent: Any) -> Tool[..., Any]:
    """The ``transfer_to_<name>`` tool of a handoff target (answered by the run itself)."""
    about = agent.description or f"the agent {agent.name}"
    text = f"Transfer the conversation to {agent.name}: {about}. It answers from then on."

    async def never(arguments: dict[str, Any]) -> str:  # the run answers these calls
        return f"Transferred to {agent.name}."

    schema: dict[str, Any] = {"type": "object", "properties": {}}
    return Tool.from_schema(f"transfer_to_{agent.name}", text, schema, never)
