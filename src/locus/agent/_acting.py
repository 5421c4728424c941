"""The steps of a run that answer tool calls (mixed into ``AgentRun``): act, observe.

``act`` runs the calls of the last answer: calls that need approval are held (the run
pauses once the others have run), a ``transfer_to_<agent>`` call is answered here and
switches agents in ``observe``, the rest run concurrently. With tool hooks each call
runs in its own task, its hooks around it (see ``locus.agent._hooks``).
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Collection, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from locus.agent import _events as ev
from locus.agent._context import RunContext
from locus.agent._hookset import HookSet, call_hook, hook_types, replaced, wrong_return
from locus.agent._result import Metrics
from locus.agent._step import Step, close_events
from locus.agent._turns import CallIds, own_ids
from locus.core.errors import ConfigurationError, ToolExecutionError
from locus.core.messages import Message, ToolCall
from locus.core.response import ModelResponse
from locus.tools._executor import ToolExecutor, ToolOutcome

if TYPE_CHECKING:
    from locus.agent._hooks import ToolResult
    from locus.tools._threads import Started

__all__ = ["ToolSteps", "outcome_of"]

T = TypeVar("T")
HANDOFF_PREFIX = "transfer_to_"


class ToolSteps:
    """Tool steps; the attributes are ``AgentRun``'s."""

    if not TYPE_CHECKING:  # AgentRun holds the slots (the checker sees them there)
        __slots__ = ()

    config: Any  # RunConfig
    home: Any
    request: Any
    plan: Any
    hooks: HookSet | None
    ctx: RunContext[Any]
    executor: ToolExecutor
    response: ModelResponse | None
    messages: list[Message]
    metrics: Metrics
    _outcomes: list[ToolOutcome | None]
    _held: list[ToolCall]
    _ids: CallIds
    _handoff_to: str | None
    _handoffs: tuple[str, ...]
    """The agents this run transferred the conversation to, in order."""
    _view: tuple[list[Message], int] | None
    """What the current agent's ``Handoff(history=...)`` filter kept, and where what
    followed the transfer starts (``None``: it is shown everything)."""
    _subs: Any
    """``SubCalls`` when a tool runs an agent (paused and resumed sub-runs), else ``None``."""
    _next: Step | None
    _may_hold: bool
    _stop_reason: Any
    _specs: list[Any]
    last_agent: str
    _forwarding: Callable[..., AsyncGenerator[Any, None]] | None
    """``forward_calls`` when a tool runs an agent (its run's events are then forwarded,
    see ``locus.agent._forwarding``), else ``None``."""

    if TYPE_CHECKING:

        def _wait(self, awaitable: Awaitable[T]) -> Awaitable[T]: ...
        def _pause(self) -> AsyncGenerator[ev.RunEvent, None]: ...
        def _think(self) -> AsyncGenerator[ev.RunEvent, None]: ...
        def _stop(self) -> AsyncGenerator[ev.RunEvent, None]: ...
        def check_output_at_cap(self) -> None: ...
        def _set_kwargs(self) -> None: ...

    async def _tools_for_run(self) -> None:
        """The run's tools: the agent's toolsets are asked for theirs now."""
        toolbox = self.config.toolbox
        if toolbox.toolsets:
            self.executor, self._specs = await self._wait(toolbox.for_run())
            rules = (t.requires_approval for t in self.executor.tools.values())
            self._may_hold = any(rule is not False for rule in rules)
        else:
            self.executor, self._specs = toolbox.executor, toolbox.specs
            self._may_hold = self.config.approvals
        self._forwarding, self._subs = _forwarder(self.executor)
        if self.plan is not None:
            self.plan.check_names(self.executor.tools)
            self._specs = self._specs + self.plan.specs

    async def _switch_agent(self, name: str) -> None:
        """Hand the conversation to the agent ``name``: its model, tools and system prompt,
        and (with a ``Handoff(history=...)``) a filtered view of the conversation."""
        history = self.config.handoff_history.get(name)
        target = self.config.handoffs[name]._run_config()
        self.config = target
        self.last_agent = self.ctx.agent_name = target.name
        self._handoffs += (name,)
        self._view = None
        prompt = target.system_prompt
        if callable(prompt):
            from locus.agent._conversation import system_prompt_for

            prompt = await self._wait(system_prompt_for(prompt, self.ctx))
        if prompt is not None and self.messages and self.messages[0].role == "system":
            self.messages[0] = Message.system(prompt)
        if history is not None:  # its model is shown the filtered conversation
            from locus.agent._handoff import filter_history, view_config  # (Agent(handoffs=))

            kept = await self._wait(filter_history(history, self.messages))
            self._view = (kept, len(self.messages))
            self.config = view_config(target, *self._view)
        await self._tools_for_run()
        self._set_kwargs()

    async def _act(self) -> AsyncGenerator[ev.RunEvent, None]:
        """Run the tool calls of the last answer; results are kept in call order."""
        assert self.response is not None
        calls = self.own_calls()
        self._outcomes = [None] * len(calls)
        held = await self._to_hold(calls) if self._may_hold else set()
        runnable = [(i, call) for i, call in enumerate(calls) if i not in held]
        events = self._run_calls(runnable)
        try:  # (as contextlib.aclosing, without its objects)
            async for event in events:
                yield event
        finally:
            await close_events(events)
        if held or (self._subs is not None and self._subs.paused):  # (a sub-run paused)
            self._held = [calls[i] for i in sorted(held)]
            self._next = self._pause
        else:
            self._next = self._observe

    def own_calls(self) -> list[ToolCall]:
        """The last answer's calls, each with an id of its own in the conversation (the
        answer's message keeps them; see ``locus.agent._turns``)."""
        assert self.response is not None
        calls = self.response.tool_calls
        if calls:
            ids: CallIds | None = getattr(self, "_ids", None)  # (made by the first call)
            if ids is None:
                ids = self._ids = CallIds()
            owned = own_ids(calls, self.ctx, ids.before_last(self.messages))
            if owned is not calls:
                calls = self.response.message.tool_calls = owned
        return calls

    async def _run_calls(
        self, runnable: Sequence[tuple[int, ToolCall]], arguments: dict[str, Any] | None = None
    ) -> AsyncGenerator[ev.RunEvent, None]:
        """Start events, run the calls (``arguments`` by call id replace the model's), finish
        events as each ends."""
        iteration = self.metrics.iterations
        for _, call in runnable:
            yield ev.ToolCallStarted(call, iteration)
        self.metrics.tool_calls += len(runnable)
        if arguments:
            runnable = [(i, _with_arguments(c, arguments.get(c.id))) for i, c in runnable]
        outcomes = self._run_tools(runnable)
        try:
            async for item in outcomes:
                if isinstance(item, ev.SubAgentEvent):
                    yield item
                    continue
                index, outcome = item
                self._outcomes[index] = outcome
                self.metrics.tool_errors += outcome.is_error
                yield ev.ToolCallFinished(
                    outcome.call, outcome.message, outcome.error, outcome.duration_ms, iteration
                )
        finally:
            await close_events(outcomes)

    async def _to_hold(self, calls: Sequence[ToolCall]) -> set[int]:
        """Indices of the calls whose tool asks for approval."""
        held = set()
        for index, call in enumerate(calls):
            found = self.executor.tools.get(call.name)
            rule = found.requires_approval if found is not None else False
            if rule is True or (rule is not False and await call_hook(rule, call, self.ctx)):
                held.add(index)
        return held

    async def _run_tools(
        self, runnable: Sequence[tuple[int, ToolCall]]
    ) -> AsyncGenerator[tuple[int, ToolOutcome] | ev.SubAgentEvent, None]:
        """Yield (call index, outcome) as calls finish, and the events of sub-agent runs;
        pending calls die with the run."""
        if self._forwarding is not None:
            concurrent = self.config.concurrent_tools
            async with contextlib.aclosing(
                self._forwarding(runnable, self._call_tool, self._wait, concurrent, self._subs)
            ) as items:
                async for item in items:
                    yield item
            return
        in_tasks = self.hooks is not None and self.hooks.tools
        if not in_tasks and (len(runnable) == 1 or not self.config.concurrent_tools):
            for index, call in runnable:
                yield index, await self._wait(self._call_tool(call))
            return
        if not self.config.concurrent_tools:  # hooked calls: each in a task, one by one
            for index, call in runnable:
                yield index, await self._wait(asyncio.ensure_future(self._call_tool(call)))
            return
        async with contextlib.aclosing(self._run_concurrently(runnable, not in_tasks)) as items:
            async for item in items:
                yield item

    async def _run_concurrently(
        self, runnable: Sequence[tuple[int, ToolCall]], plain: bool
    ) -> AsyncGenerator[tuple[int, ToolOutcome], None]:
        """Yield (call index, outcome) as calls finish; pending calls die with the run."""
        waiting = self._start_calls(runnable, plain=plain)
        pending = set(waiting)
        try:
            while pending:
                wait = asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                done, pending = await self._wait(wait)
                for item in sorted(done, key=lambda item: waiting[item][0]):
                    index, started = waiting[item]
                    outcome = item.result() if started is None else self.executor.finish(started)
                    yield index, outcome
        finally:
            for item in pending:
                started = waiting[item][1]
                if started is not None:
                    self.executor.abandon(started)
            await cancel_all(pending)

    def _start_calls(
        self, runnable: Sequence[tuple[int, ToolCall]], *, plain: bool
    ) -> dict[asyncio.Future[Any], tuple[int, Started | None]]:
        """Each call's future and index: plain sync calls go straight to a tool thread
        (``ToolExecutor.start``: no task, no coroutine), the others run in a task."""
        waiting: dict[asyncio.Future[Any], tuple[int, Started | None]] = {}
        executor = self.executor
        plain = plain and type(executor) is ToolExecutor  # not a stand-in (locus.durable)
        for index, call in runnable:
            handoff = call.name.startswith(HANDOFF_PREFIX)
            started = executor.start(call, self.ctx) if plain and not handoff else None
            if started is not None:
                waiting[started.future] = (index, started)
            else:
                waiting[asyncio.create_task(self._call_tool(call))] = (index, None)
        return waiting

    async def _call_tool(self, call: ToolCall) -> ToolOutcome:
        """One call: a handoff is answered here; hooks (if any) run around the tool."""
        if call.name.startswith(HANDOFF_PREFIX) and call.name in self.config.handoff_tools:
            return self._handoff(call)
        hooks = self.hooks
        if hooks is None or not hooks.tools:
            return await self.executor.run_one(call, self.ctx)
        ctx = self.ctx.for_call(call.id)
        started = time.perf_counter()
        tool_result = hook_types().ToolResult  # imported by the run's HookSet
        call, outcome = await _before_tool(hooks, ctx, call, started)
        if outcome is None:
            outcome = await self.executor.run_one(call, ctx)
        if hooks.after_tool_call:
            result = tool_result(outcome.message.text, outcome.message.is_error)
            for method in hooks.after_tool_call:
                got = await call_hook(method, ctx, call, result)
                result = replaced(method, got, tool_result, result)
            if result.content != outcome.message.text or result.is_error != outcome.is_error:
                outcome = outcome_of(call, result, started)
        return outcome

    def _handoff(self, call: ToolCall) -> ToolOutcome:
        """Answer a ``transfer_to_<agent>`` call; the switch happens in ``observe``."""
        target = self.config.handoff_tools[call.name]
        if self._handoff_to is not None:
            text = f"Not done: the conversation is already being transferred to {self._handoff_to}."
            return answer(call, text, True, time.perf_counter())
        if len(self._handoffs) >= self.home.max_handoffs:  # the first agent's cap
            text = (
                f"Not done: this run already transferred the conversation "
                f"{len(self._handoffs)} time(s), the limit; answer the user yourself."
            )
            return answer(call, text, True, time.perf_counter())
        self._handoff_to = target
        return answer(call, f"Transferred to {target}.", False, time.perf_counter())

    async def _observe(self) -> AsyncGenerator[ev.RunEvent, None]:
        """Append the tool results (call order) and decide whether to call the model again."""
        assert self.response is not None
        self.messages += [outcome.message for outcome in self._outcomes if outcome is not None]
        self._outcomes = []  # answered: a later failure must not take them for its turn's
        yield ev.IterationEnded(self.metrics.iterations, self.response)
        if self._handoff_to is not None:
            await self._switch_agent(self._handoff_to)
            self._handoff_to = None
        if self.metrics.model_calls >= self.config.max_iterations:
            self.check_output_at_cap()
            self._stop_reason = "max_iterations"
            self._next = self._stop
        else:
            self._next = self._think


async def _before_tool(
    hooks: HookSet, ctx: RunContext[Any], call: ToolCall, started: float
) -> tuple[ToolCall, ToolOutcome | None]:
    """Run ``before_tool_call`` hooks: the call as they left it, and the outcome of one
    that answered it (a ``ToolResult``: the tool and the later hooks are skipped)."""
    tool_result = hook_types().ToolResult
    for method in hooks.before_tool_call:
        got = await call_hook(method, ctx, call)
        if isinstance(got, tool_result):
            return call, outcome_of(call, got, started)
        if isinstance(got, ToolCall):
            call = got
        elif got is not None:
            raise wrong_return(method, got, "None, a ToolCall or a ToolResult")
    return call, None


def outcome_of(call: ToolCall, result: ToolResult, started: float) -> ToolOutcome:
    """A tool outcome from a hook's (or a person's) ``ToolResult``."""
    if not isinstance(result.content, str):
        raise ConfigurationError(
            f"a hook's ToolResult for tool {call.name!r} has content of type "
            f"{type(result.content).__name__}; it must be the text the model reads (a str)"
        )
    return answer(call, result.content, result.is_error, started)


def answer(call: ToolCall, content: str, is_error: bool, started: float) -> ToolOutcome:
    """A tool outcome with ``content`` as the call's result (an error when ``is_error``)."""
    message = Message.tool(content, call.id, call.name, is_error=is_error)
    error = ToolExecutionError(content, tool_name=call.name) if is_error else None
    return ToolOutcome(call, message, error, (time.perf_counter() - started) * 1000)


def _forwarder(
    executor: ToolExecutor,
) -> tuple[Callable[..., AsyncGenerator[Any, None]] | None, Any]:
    """``forward_calls`` and a run's ``SubCalls`` when a tool of ``executor`` runs an
    agent, else ``(None, None)``.

    Only ``agent.as_tool`` makes such tools, and it imports ``locus.agent._forwarding``:
    until then no tool can run an agent, and the module is not imported for nothing.
    """
    forwarding = sys.modules.get("locus.agent._forwarding")
    if forwarding is None or not forwarding.forwards(executor):
        return None, None
    forward_calls: Callable[..., AsyncGenerator[Any, None]] = forwarding.forward_calls
    return forward_calls, forwarding.SubCalls()


def _with_arguments(call: ToolCall, arguments: dict[str, Any] | None) -> ToolCall:
    if arguments is None:
        return call
    return ToolCall(call.id, call.name, dict(arguments))


async def cancel_all(tasks: Collection[asyncio.Future[Any]]) -> None:
    for task in tasks:
        task.cancel()
    if tasks:
        await asyncio.gather(*tasks, return_exceptions=True)
