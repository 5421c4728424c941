"""The agent's side effects, swapped for activities: what a run inside the workflow uses.

The workflow drives the agent's own loop (``locus.agent._run.AgentRun``) on a copy of
the agent's ``RunConfig`` in which the model, the tools and the thread store are stand-ins:

- ``ActivityModel``: each model call is a ``locus.model_call`` activity (the worker calls
  the agent's real model and returns the answer as JSON);
- ``ActivityExecutor``: each tool call is a ``locus.tool_call`` activity; a call that
  needs approval first waits in the workflow for a decision (a signal); a call of an
  agent used as a tool runs that agent's loop in the workflow (``_sub_runs``);
- ``ActivityToolbox``: the tools of the agent's toolsets (MCP servers) are listed by the
  worker in a ``locus.toolset_list`` activity when a run starts (see ``_toolsets``);
- ``ActivityThreadStore``: ``load``/``append`` of a thread are activities on the
  agent's own thread store.

Everything else (hooks, handoffs, typed output, validators, history processors) is the
loop's own code, so there is no second copy of its rules. Completed activities are
replayed from the workflow's history: a new worker does not call them again. The
config made of these stand-ins is built by ``_configs.durable_config``.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any, ClassVar

from locus.agent import Agent
from locus.agent._acting import outcome_of
from locus.agent._hooks import ToolResult
from locus.core.errors import ToolExecutionError
from locus.core.messages import Message, ToolCall
from locus.core.response import ModelResponse, StreamEvent
from locus.core.toolspec import ToolSpec
from locus.durable.temporal import _wire as wire
from locus.durable.temporal._sub_runs import SubAgentTool, run_sub_agent, sub_agent_tools
from locus.durable.temporal._where import Decisions, Where
from locus.tools._executor import ToolExecutor, ToolOutcome

__all__ = ["ActivityModel", "ActivityThreadStore", "ActivityToolbox"]


class ActivityModel:
    """A ``Model`` whose calls are ``locus.model_call`` activities."""

    def __init__(self, real: Any, where: Where) -> None:
        self.model_id: str = real.model_id
        self.native_output = getattr(real, "native_output", None)
        self._where = where

    async def complete(
        self, messages: Sequence[Message], tools: Sequence[Any] | None = None, **kwargs: Any
    ) -> ModelResponse:
        payload = self._where.payload(
            messages=wire.messages_to_json(messages),
            tools=wire.specs_to_json(tools),
            kwargs=wire.kwargs_to_json(kwargs),
        )
        settings = self._where.settings
        raw = await self._where.execute("locus.model_call", payload, settings.model, local=True)
        return wire.response_from_json(raw)

    async def stream(
        self, messages: Sequence[Message], tools: Sequence[Any] | None = None, **kwargs: Any
    ) -> AsyncIterator[StreamEvent]:
        """The whole answer as one text event, then the final event (an activity's result
        arrives whole; see docs/durable.md on events)."""
        response = await self.complete(messages, tools, **kwargs)
        if response.text:
            yield StreamEvent(content=response.text)
        yield StreamEvent.final(response)


@dataclasses.dataclass(slots=True, frozen=True)
class Offered:
    """A tool as the loop in the workflow sees it. The loop finds no approval rule on it
    (``requires_approval`` is false, so the loop never holds a call or calls a rule in the
    workflow): ``ActivityExecutor`` asks for approval inside the call, by ``rule`` (``True``,
    ``False``, or ``"ask"``: the worker calls the tool's function). ``toolset`` is the index
    of the toolset that listed the tool, ``None`` for the agent's own tools."""

    name: str
    rule: bool | str = False
    toolset: int | None = None
    requires_approval: ClassVar[bool] = False

    def located(self, **payload: Any) -> dict[str, Any]:
        """``payload`` with the toolset that lists the tool, when it is not the agent's own
        (a run without toolsets records the payloads it always did)."""
        return payload if self.toolset is None else {**payload, "toolset": self.toolset}


class ActivityExecutor:
    """Runs tool calls as ``locus.tool_call`` activities, after approval when needed."""

    def __init__(
        self,
        tools: dict[str, Offered],
        where: Where,
        decisions: Decisions,
        unknown: ToolExecutor | None = None,
        subs: Mapping[str, SubAgentTool] | None = None,
    ) -> None:
        self.tools = tools
        self._where = where
        self._decisions = decisions
        self._unknown = unknown
        self.subs = subs or {}
        """The tools made by ``agent.as_tool``: their runs run in the workflow."""

    async def run_one(self, call: ToolCall, context: Any = None) -> ToolOutcome:
        started = time.perf_counter()
        offered = self.tools.get(call.name)
        if offered is None and self._unknown is not None:
            return await self._unknown.run_one(call)  # arun's answer, naming the run's tools
        offered = offered or Offered(call.name)
        if await self._needs_approval(offered, call, context):
            decision = await self._where.decision(self._decisions, call)
            if not decision.get("approved"):
                text = f"Not run: a person denied this call. Reason: {decision.get('reason')}"
                return outcome_of(call, ToolResult(text, is_error=True), started)
            if decision.get("arguments") is not None:
                call = ToolCall(call.id, call.name, dict(decision["arguments"]))
        sub = self.subs.get(call.name)
        if sub is not None and self._where.scope.sub_runs:
            return await run_sub_agent(sub, call, context, self._where, self._decisions)
        run = _run_json(context, self._where.scope.deps)
        payload = offered.located(call=wire.call_to_json(call), run=run)
        raw = await self._where.execute(
            "locus.tool_call", self._where.payload(**payload), self._where.settings.tool
        )
        message = Message.tool(raw["text"], call.id, call.name, is_error=bool(raw["is_error"]))
        error = ToolExecutionError(raw["text"], tool_name=call.name) if raw["is_error"] else None
        return ToolOutcome(call, message, error, (time.perf_counter() - started) * 1000)

    async def _needs_approval(self, offered: Offered, call: ToolCall, context: Any) -> bool:
        if isinstance(offered.rule, bool):
            return offered.rule
        run = _run_json(context, self._where.scope.deps)
        payload = offered.located(call=wire.call_to_json(call), run=run)
        settings = self._where.settings
        found = await self._where.execute(
            "locus.approval_rule", self._where.payload(**payload), settings.tool, local=True
        )
        return bool(found)


def _run_json(context: Any, deps: Any) -> dict[str, Any]:
    """What a tool sees of the run in the worker: its ``RunContext``'s run id, thread and
    iteration, and whether the run has deps (``has_deps``: the worker reads their JSON value
    from the run's workflow input, once per run, and turns it into the tool's ``ctx.deps``;
    histories recorded before carry the value here as ``deps``); no key without deps."""
    if context is None:
        found: dict[str, Any] = {"run_id": "", "thread_id": None, "iteration": 0}
    else:
        found = {
            "run_id": context.run_id,
            "thread_id": context.thread_id,
            "iteration": context.iteration,
        }
    if deps is not None:
        found["has_deps"] = True
    return found


class ActivityToolbox:
    """The agent's tools and toolsets (``Toolbox``'s shape): its own tools' specs are
    known here; its toolsets' tools are listed by the worker when a run starts, in a
    ``locus.toolset_list`` activity whose answer the history keeps (``_toolsets``)."""

    def __init__(self, agent: Agent[Any], where: Where, decisions: Decisions) -> None:
        toolbox = agent._config.toolbox
        self.tools = list(toolbox.tools)
        self.toolsets = list(toolbox.toolsets)  # (the loop asks for_run when there are some)
        self.specs: list[ToolSpec] = list(toolbox.specs)
        approval = wire.approval_to_json
        own = {t.name: Offered(t.name, approval(t.requires_approval)) for t in self.tools}
        self._subs = sub_agent_tools(self.tools, toolbox.max_result_chars)
        self.executor = ActivityExecutor(own, where, decisions, subs=self._subs)
        self._where = where
        self._decisions = decisions
        self._max_result_chars = toolbox.max_result_chars

    async def for_run(self) -> tuple[ActivityExecutor, list[ToolSpec]]:
        if not self.toolsets:
            return self.executor, self.specs
        where = self._where
        listed = await where.execute(
            "locus.toolset_list", where.payload(), where.settings.tool, local=True
        )
        tools = dict(self.executor.tools)
        for item in listed:
            tools[item["name"]] = Offered(item["name"], item["approval"], int(item["toolset"]))
        names = self._names(tools)
        executor = ActivityExecutor(tools, where, self._decisions, names, self._subs)
        return executor, self.specs + wire.specs_from_json(listed)

    def _names(self, tools: dict[str, Offered]) -> ToolExecutor:
        """An executor that only knows the run's tool names: it answers a call of any
        other name as ``arun``'s executor does (no activity for a call that cannot run)."""
        names = ToolExecutor([], max_result_chars=self._max_result_chars)
        names.tools = dict.fromkeys(tools)  # type: ignore[assignment]  # (names only)
        return names

    async def aclose(self) -> None:
        return None


class ActivityThreadStore:
    """A thread store whose ``load`` and ``append`` are activities on the agent's store."""

    def __init__(self, where: Where) -> None:
        self._where = where

    async def load(self, thread_id: str) -> list[Message]:
        payload = self._where.payload(thread_id=thread_id)
        settings = self._where.settings
        raw = await self._where.execute("locus.thread_load", payload, settings.tool, local=True)
        return wire.messages_from_json(raw)

    async def append(self, thread_id: str, messages: Sequence[Message]) -> None:
        payload = self._where.payload(thread_id=thread_id, messages=wire.messages_to_json(messages))
        await self._where.execute("locus.thread_append", payload, self._where.settings.tool)
