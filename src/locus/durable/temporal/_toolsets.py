"""An agent's toolsets (MCP servers, ...) in the worker: a run's listing, and the tool of a call.

The workflow never speaks to a toolset. When a run starts (and when it hands off to an
agent with toolsets) it asks the worker for the listing, a ``locus.toolset_list``
activity that runs ``Toolbox.for_run``'s own listing (so names, prefixes, filters, the
checks and their errors are ``agent.arun``'s) and answers each listed tool's spec, its
approval rule as JSON and the index of the toolset that listed it; the workflow's history
keeps that answer, so a replay offers the model the same tools. A call of a listed tool
names that index: the worker finds the tool in that toolset's listing (cached by an MCP
server, on the worker's own connection) and runs it with the executor's argument checks.

Connections live in the worker process: opened on first use, closed when the worker
shuts down (``closing``).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from locus.agent import Agent, RunContext
from locus.agent._acting import answer
from locus.agent._toolbox import Toolbox
from locus.core.errors import ConfigurationError, ToolError
from locus.core.messages import ToolCall
from locus.durable.temporal import _wire as wire
from locus.durable.temporal._agents import everyone
from locus.tools import Tool
from locus.tools._executor import ToolExecutor, ToolOutcome, Toolset

__all__ = ["approval_rule", "closing", "listing", "run_call"]


class _Noted:
    """A toolset that notes the names it listed (which toolset owns which tool)."""

    def __init__(self, toolset: Toolset) -> None:
        self.toolset = toolset
        self.names: list[str] = []

    def __repr__(self) -> str:
        return repr(self.toolset)

    async def list_tools(self) -> Sequence[Tool[..., Any]]:
        tools = await self.toolset.list_tools()
        self.names = [str(getattr(item, "name", "")) for item in tools]
        return tools


async def listing(agent: Agent[Any]) -> list[dict[str, Any]]:
    """The tools ``agent``'s toolsets offer a run now, as ``agent.arun`` lists them: each
    one's spec, ``approval`` (``wire.approval_to_json``) and ``toolset`` (its index)."""
    toolbox = agent._config.toolbox
    noted = [_Noted(toolset) for toolset in toolbox.toolsets]
    executor, _ = await Toolbox(
        toolbox.tools, noted, timeout=toolbox.timeout, max_result_chars=toolbox.max_result_chars
    ).for_run()
    listed = []
    for index, toolset in enumerate(noted):
        tools = [executor.tools[name] for name in toolset.names]
        for tool, spec in zip(tools, wire.specs_to_json(tools), strict=True):
            approval = wire.approval_to_json(tool.requires_approval)
            listed.append({**spec, "approval": approval, "toolset": index})
    return listed


async def run_call(
    agent: Agent[Any], call: ToolCall, context: RunContext[Any], toolset: int | None
) -> ToolOutcome:
    """Run ``call`` on the agent's own tools, or on those its toolset ``toolset`` lists.

    A toolset that cannot list its tools now (its server cannot be reached) makes the
    call a tool error the model reads, as a call whose server is gone is in ``arun``.
    """
    toolbox = agent._config.toolbox
    if toolset is None:
        return await toolbox.executor.run_one(call, context)
    started = time.perf_counter()
    try:
        executor = await _listed(agent, toolset)
    except ToolError as exc:
        return answer(call, f"Error: {exc}", True, started)
    return await executor.run_one(call, context)


async def approval_rule(agent: Agent[Any], name: str, toolset: int | None) -> Any:
    """The ``requires_approval`` of the tool ``name`` (``False`` for an unknown tool);
    ``True`` when its toolset cannot list its tools now: a person decides instead."""
    if toolset is None:
        own = agent._config.toolbox.executor.tools.get(name)
        return False if own is None else own.requires_approval
    try:
        found = (await _listed(agent, toolset)).tools.get(name)
    except ToolError:
        return True
    return False if found is None else found.requires_approval


async def _listed(agent: Agent[Any], index: int) -> ToolExecutor:
    toolbox = agent._config.toolbox
    if not 0 <= index < len(toolbox.toolsets):
        raise ConfigurationError(
            f"agent {agent.name!r} has {len(toolbox.toolsets)} toolset(s) in this worker, "
            f"but the run lists tools of toolset {index}: every worker of a task queue must "
            "serve the same agents, built the same way"
        )
    tools = await toolbox.toolsets[index].list_tools()
    return ToolExecutor(
        list(tools), timeout=toolbox.timeout, max_result_chars=toolbox.max_result_chars
    )


@asynccontextmanager
async def closing(agents: Iterable[Agent[Any]]) -> AsyncIterator[None]:
    """Close the toolsets of ``agents`` (and of their handoff agents and the agents they
    use as tools) on the way out."""
    try:
        yield
    finally:
        seen: set[int] = set()
        for root in agents:
            for agent in everyone(root):
                if id(agent) not in seen:
                    seen.add(id(agent))
                    await agent._config.toolbox.aclose()
