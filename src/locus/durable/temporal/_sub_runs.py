"""Agents used as tools (``agent.as_tool``), run in the workflow as the top-level agent is.

A call of such a tool does not run the sub-agent in one ``locus.tool_call`` activity: the
workflow runs the sub-agent's own loop (``AgentRun``) on a durable copy of its config
(``_configs``), so its model calls, tool calls, toolset listings and approvals are the same
activities and signals as the caller's, its own sub-agents run the same way, and a worker
that dies mid sub-run repeats none of its completed steps. Its output is the call's result,
through a ``ToolExecutor`` holding the ``as_tool`` tool with its body swapped for the
durable run: the argument check, the text of the output (typed as ``as_tool(output_type=)``
gives it), truncation and the error a failed sub-run becomes are ``agent.arun``'s. The
sub-run's usage and runs are rolled up into the caller's (``metrics.sub_runs``) as
``as_tool`` does; a call nested ``max_depth`` deep is a tool error with ``as_tool``'s text.

Histories recorded before this (the sub-run one ``locus.tool_call`` activity) replay as
they ran: the workflow asks ``workflow.patched(SUB_RUNS)`` when it starts (false only when
a replayed history has no such marker) and its ``Scope.sub_runs`` says which way.

What ``as_tool`` made is recognised by the settings its tool is marked with
(``locus.agent._forwarding.sub_agent_settings``: the agent, ``output_type``, ``max_depth``).
"""

from __future__ import annotations

import copy
import dataclasses
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from locus.agent import Agent, RunContext
from locus.agent._events import RunFinished
from locus.agent._options import as_messages
from locus.agent._run import AgentRun, RunRequest
from locus.agent._subagents import _roll_up as roll_up
from locus.core.errors import RunError
from locus.core.messages import ToolCall
from locus.durable.temporal import _wire as wire
from locus.durable.temporal._scope import keep_ids_rule
from locus.tools import Tool
from locus.tools._executor import ToolExecutor, ToolOutcome

if TYPE_CHECKING:
    from locus.durable.temporal._where import Decisions, Where

__all__ = ["SUB_RUNS", "SubAgentTool", "run_sub_agent", "sub_agent_tools"]

SUB_RUNS = "locus.sub_agents_in_workflow"
"""The patch id: a history with this marker runs sub-agents in the workflow."""


@dataclasses.dataclass(slots=True, frozen=True)
class SubAgentTool:
    """A tool made by ``agent.as_tool``: the agent it runs and its settings."""

    tool: Tool[..., Any]
    agent: Agent[Any]
    output_type: Any = None
    max_depth: int = 4
    max_result_chars: int | None = None


def sub_agent_tools(
    tools: Iterable[Tool[..., Any]], max_result_chars: int | None
) -> dict[str, SubAgentTool]:
    """The tools among ``tools`` that run an agent, by name (none before any ``as_tool``:
    only it imports ``locus.agent._forwarding``)."""
    forwarding = sys.modules.get("locus.agent._forwarding")
    if forwarding is None:
        return {}
    found = {}
    for item in tools:
        settings = forwarding.sub_agent_settings(item)
        if settings is not None:
            found[item.name] = SubAgentTool(
                item, settings.agent, settings.output_type, settings.max_depth, max_result_chars
            )
    return found


async def run_sub_agent(
    sub: SubAgentTool, call: ToolCall, context: Any, where: Where, decisions: Decisions
) -> ToolOutcome:
    """Answer ``call`` (of ``sub``'s tool, by the agent ``where`` speaks for) with a run of
    the sub-agent in the workflow."""

    async def ask(input: str, ctx: RunContext[Any]) -> Any:
        return await _sub_run(sub, input, ctx, call.id, where, decisions)

    durable: Tool[..., Any] = copy.copy(sub.tool)  # its name, schema and argument check
    durable.func = ask
    executor = ToolExecutor([durable], max_result_chars=sub.max_result_chars)
    return await executor.run_one(call, context)


async def _sub_run(
    sub: SubAgentTool,
    input: str,
    ctx: RunContext[Any] | None,
    call_id: str,
    where: Where,
    decisions: Decisions,
) -> Any:
    from locus.durable.temporal._configs import durable_config  # (it builds stand-ins)

    scope = where.scope
    if scope.depth >= sub.max_depth:
        raise RunError(
            f"agents used as tools are nested {scope.depth} deep, the limit (max_depth="
            f"{sub.max_depth}); answer with what you have"
        )
    inner = scope.sub(where.name, sub.tool.name, call_id, sub.agent.name)
    config = durable_config(sub.agent, where.spec, decisions, where.settings, inner)
    output_type = sub.output_type if sub.output_type is not None else config.output_type
    deps = copy.deepcopy(inner.deps)  # the caller's run's, as as_tool hands them on
    request = RunRequest(prompt=as_messages(input), output_type=output_type, deps=deps)
    run = AgentRun(config, request)
    run.run_id = run.ctx.run_id = inner.run_id
    keep_ids_rule(run, inner)
    result = None
    try:
        async for event in run.events():
            inner.emit(wire.event_to_json(event))
            if isinstance(event, RunFinished):
                result = event.result
    except Exception as exc:
        roll_up(ctx, getattr(exc, "result", None), None)
        raise
    if result is None:  # pragma: no cover - a run ends with RunFinished or raises
        raise RunError(f"the run of {sub.agent.name} ended without a result")
    roll_up(ctx, result, None)
    return result.output
