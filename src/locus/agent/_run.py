"""One agent run: a small state machine, think -> act -> observe -> ... -> stop.

Each step is an async generator of events that sets the next step. ``think``
streams one model call (the response comes from the stream's final event),
``act`` runs the requested tools (``_acting``), ``observe`` hands their results to the
model's history, ``stop`` builds the result; ``pause`` stops a run whose tool calls
wait for approval (``_pausing``). A failed run raises its typed error with the
partial ``AgentResult`` attached as ``exc.result``.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncGenerator, Awaitable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

from locus.agent import _events as ev
from locus.agent._acting import ToolSteps
from locus.agent._config import RunConfig, RunRequest
from locus.agent._context import RunContext
from locus.agent._deferred import history_module, plan_for
from locus.agent._hookset import HookSet, call_hook, close_stream, end_hooks, hook_types, replaced
from locus.agent._ids import new_id
from locus.agent._output_steps import OutputSteps
from locus.agent._pausing import PauseSteps
from locus.agent._result import AgentResult, Metrics, RunStopReason, add_usage
from locus.agent._result import check_token_budget as check_budget
from locus.agent._step import Step, close_events
from locus.agent._threads import thread_lock
from locus.agent._turns import answer_open_calls
from locus.agent._unwatched import final_event, no_final_event
from locus.core._headers import model_headers
from locus.core.errors import RunCancelledError, RunTimeoutError, StreamError
from locus.core.messages import Message
from locus.core.response import ModelResponse, StreamEvent
from locus.core.usage import Usage

if TYPE_CHECKING:
    from locus.agent._output import OutputPlan
    from locus.agent._state import PendingCall, RunState

__all__ = ["AgentRun", "RunConfig", "RunRequest", "Step"]

T = TypeVar("T")

_NO_LOCK: contextlib.nullcontext[None] = contextlib.nullcontext()  # (stateless: shared)


class AgentRun(ToolSteps, PauseSteps, OutputSteps):
    """The state of one run; iterate ``events()`` once to drive it."""

    # slots: a run's 40 attributes in a dict cost about 1.6 KiB per run in flight
    __slots__ = (
        *("config", "home", "request", "thread_id", "timeout", "messages", "metrics"),
        *("response", "usage", "hooks", "run_id", "ctx", "executor", "_specs", "_may_hold"),
        *("_outcomes", "_held", "_handoff_to", "_handoffs", "_view", "_subs", "last_agent"),
        *("_new_from", "_history_from", "_next", "_stop_reason", "_deadline", "_started"),
        *("_task", "_loop", "_cancel_requested", "_hooks_started", "_final", "pending"),
        *("state", "plan", "output", "_kwargs", "_forwarding", "_text", "_partial", "_ids"),
        "__weakref__",
    )
    config: RunConfig

    def __init__(self, config: RunConfig, request: RunRequest) -> None:
        self.config = self.home = config
        self.request = request
        self.thread_id = request.thread_id
        self.timeout = request.timeout
        self.messages: list[Message] = []
        self.metrics = Metrics()
        self.response: ModelResponse | None = None
        self.usage = Usage()
        self.hooks = HookSet.of(config.hooks, request.hooks)
        self.run_id = new_id()
        self.ctx: RunContext[Any] = RunContext(
            config.name, self.run_id, self.thread_id, 0, request.deps, self.messages, self.usage
        )
        self.ctx.run = self  # held weakly: a run and its context make no cycle
        self.executor = config.toolbox.executor
        self._specs = config.toolbox.specs
        self._may_hold = config.approvals
        self._forwarding = self._subs = None
        # _outcomes and _held are set by the step that acts (two lists fewer per run)
        self._handoff_to: str | None = None
        self._handoffs: tuple[str, ...] = ()
        self._view: tuple[list[Message], int] | None = None
        self.last_agent = config.name
        self._new_from = 0
        self._history_from = 0
        self._next: Step | None = None
        self._stop_reason: RunStopReason = "complete"
        self._deadline: float | None = None
        self._started = 0.0
        self._task: asyncio.Task[Any] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._cancel_requested = False
        self._hooks_started = False
        self._final: AgentResult[Any] | None = None
        self.pending: list[PendingCall] = []
        self.state: RunState | None = None
        output_type = request.output_type
        self.plan: OutputPlan | None = (
            None if output_type is None or output_type is str else plan_for(output_type, config)
        )
        self.output: Any = None
        self._set_kwargs()

    def _set_kwargs(self) -> None:
        self._kwargs = self.config.call_kwargs
        if self.plan is not None and self.plan.call_kwargs:
            self._kwargs = {**self.config.call_kwargs, **self.plan.call_kwargs}
        if self.request.documents is not None:  # the run's: on each of its model calls
            self._kwargs = {**self._kwargs, "documents": self.request.documents}

    # -- driving ---------------------------------------------------------------------------

    async def events(self) -> AsyncGenerator[ev.RunEvent, None]:
        """Run the state machine, yielding its events; raise the run's error if it fails."""
        self._begin()
        try:
            async with self._thread_lock():
                step: Step | None = self._resume_load if self.request.resume else self._load
                while step is not None:
                    self._check_cancel()
                    self._next = None
                    events = step()
                    if isinstance(events, Coroutine):  # a step with no events
                        await events
                    else:
                        try:  # (as contextlib.aclosing, without its two objects per step)
                            async for event in events:
                                yield event
                                # whoever resumes us now (given the loop: half the cost)
                                self._task = asyncio.current_task(self._loop)
                        finally:
                            await close_events(events)
                    step = self._next
        except asyncio.CancelledError:
            if not self._cancel_requested:
                self._failed(asyncio.CancelledError(), "cancelled")
                raise
            self._uncancel()
            error = RunCancelledError(self._summary("was cancelled"))
            raise self._failed(error, "cancelled") from None
        except RunTimeoutError as exc:
            self._failed(exc, "timeout")
            raise
        except GeneratorExit:
            self._failed(RunCancelledError(self._summary("was closed")), "cancelled")
            raise
        except BaseException as exc:  # (KeyboardInterrupt too: it keeps its partial result)
            self._failed(exc, "error")
            raise
        finally:
            self.home.active.discard(self)
            if self._hooks_started:
                await self._end_hooks()

    async def _end_hooks(self) -> None:
        """``on_run_end`` once for the ``on_run_start`` (success, failure or cancellation)."""
        assert self.hooks is not None and self._final is not None
        self._hooks_started = False
        await end_hooks(self.hooks.on_run_end, self.ctx, self._final)

    async def _start_hooks(self) -> None:
        if self.hooks is not None:
            self._hooks_started = True
            for method in self.hooks.on_run_start:
                await call_hook(method, self.ctx, *())

    def cancel(self) -> None:
        """Ask the run to stop (thread-safe); it raises ``RunCancelledError``."""
        self._cancel_requested = True
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._deliver_cancel)

    def _deliver_cancel(self) -> None:
        """Cancel the driving task, unless the run ended in the meantime."""
        if self in self.home.active and self._task is not None:
            self._task.cancel()

    def _begin(self) -> None:
        self._started = time.perf_counter()
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.current_task()
        if self.timeout is not None:
            self._deadline = self._loop.time() + self.timeout
        self.home.active.add(self)

    def _thread_lock(self) -> contextlib.AbstractAsyncContextManager[None]:
        """The thread's lock, held from load to append (none without a thread)."""
        if self.thread_id is None:
            return _NO_LOCK
        left = None
        if self._deadline is not None:
            left = max(0.0, self._deadline - asyncio.get_running_loop().time())
        return thread_lock(self.home.store(), self.thread_id, left)

    def _check_cancel(self) -> None:
        if self._cancel_requested:
            raise asyncio.CancelledError

    def _uncancel(self) -> None:
        task = asyncio.current_task()
        if task is not None and task.cancelling():
            task.uncancel()

    async def _wait(self, awaitable: Awaitable[T]) -> T:
        """Await within the run's deadline (the deadline never spans a ``yield``).

        An anyio scope, not ``asyncio.timeout_at``: a deadline that lands while httpcore
        closes a connection must wait for that (anyio-shielded) close to finish.
        """
        if self._deadline is None:
            return await awaitable
        import anyio  # only runs with a deadline need it (kept out of the agent's import)

        with anyio.CancelScope(deadline=self._deadline):
            return await awaitable
        message = self._summary(f"did not finish within its {self.timeout} s deadline")
        raise RunTimeoutError(message)

    # -- steps -------------------------------------------------------------------------------

    async def _load(self) -> None:
        """Build the conversation: system prompt, history (or thread), then the new prompt."""
        from locus.agent._conversation import start_conversation, system_prompt_for

        history = self.request.history
        if self.thread_id is not None:
            await self._wait(self._refuse_if_paused())
            history = await self._wait(self.home.store().load(self.thread_id))
        system_prompt = self.config.system_prompt
        if callable(system_prompt):  # a function of the run (deps, thread)
            system_prompt = await self._wait(system_prompt_for(system_prompt, self.ctx))
        if self.plan is not None:
            system_prompt = self.plan.system_prompt(system_prompt)
        opening = start_conversation(system_prompt, history, self.request.prompt)
        self.messages[:] = opening.messages
        self._history_from, self._new_from = opening.history_from, opening.new_from
        await self._tools_for_run()
        await self._start_hooks()
        self._next = self._think

    async def _think(self) -> AsyncGenerator[ev.RunEvent, None]:
        """Stream one model call; text and reasoning deltas flow out as they arrive (in a
        run no caller reads, only the final event is taken: ``_unwatched``)."""
        budget = self.request.max_run_tokens or self.config.max_run_tokens
        check_budget(self.usage, budget, self._summary)  # spent: no model call
        self.metrics.iterations += 1
        self.metrics.model_calls += 1
        iteration = self.ctx.iteration = self.metrics.iterations
        yield ev.IterationStarted(iteration)
        sent, tools, kwargs = await self._model_request()
        stream = self.config.model.stream(sent, tools=tools or None, **kwargs)
        final: StreamEvent | None = None
        held = self.hooks is not None and self.hooks.holds_text  # shown after the hooks
        self.begin_output_text()
        try:
            if not self.request.watched:  # no caller reads deltas; a broken stream is retried
                final = await final_event(stream, None if self._deadline is None else self._wait)
            while final is None:
                step = stream.__anext__()
                try:
                    # no deadline: await the event directly (one coroutine less per event)
                    event = await (step if self._deadline is None else self._wait(step))
                except StopAsyncIteration:
                    raise no_final_event() from None
                if (
                    event.content
                    and not held
                    and (text := self._text_event(event.content, iteration))
                ):
                    yield text
                if event.reasoning:
                    yield ev.ReasoningDelta(event.reasoning, iteration)
                if event.done:
                    final = event
        finally:
            await close_stream(stream)
        await self._take(final)
        if held and self.response and self.response.text and (text := self._held_text(iteration)):
            yield text
        if self.response is not None and not self.response.tool_calls:
            if self.plan is None:
                yield ev.IterationEnded(iteration, self.response)
            self._next = self._stop if self.plan is None else self.conclude_text

    async def _model_request(self) -> tuple[list[Message], list[Any], dict[str, Any]]:
        """What the next model call is sent: the messages (after the history processor),
        the tools and the options (after ``before_model_call`` hooks)."""
        sent = self.messages
        if (processor := self.config.history_processor) is not None:
            sent = await self._wait(history_module().apply_history_processor(processor, sent))
        if self.hooks is not None and self.hooks.before_model_call:
            return await self._before_model(sent)
        return sent, self._specs, self._kwargs

    def _held_text(self, iteration: int) -> ev.RunEvent | None:
        """The text of a call held for ``after_model_call`` hooks, as they left it."""
        assert self.response is not None
        return self._text_event(self.response.text, iteration)

    async def _before_model(
        self, sent: list[Message]
    ) -> tuple[list[Message], list[Any], dict[str, Any]]:
        """Run ``before_model_call`` hooks; what the model is sent, after them."""
        assert self.hooks is not None
        model_request = hook_types().ModelRequest  # imported by the run's HookSet
        request = model_request(list(sent), list(self._specs), dict(self._kwargs), {})
        for method in self.hooks.before_model_call:
            got = await call_hook(method, self.ctx, request)
            request = replaced(method, got, model_request, request)
        model_headers.set(dict(request.headers) if request.headers else None)
        return request.messages, request.tools, request.params

    def _text_event(self, text: str, iteration: int) -> ev.RunEvent | None:
        """A text delta as an event: visible text, or (typed output) a partial output."""
        if self.plan is not None and self.plan.text_is_output:
            return self.output_text(text, iteration)
        return ev.ModelTextDelta(text, iteration)

    async def _take(self, final: StreamEvent) -> None:
        response = final.response
        if response is None:
            raise StreamError("the model's final stream event carried no response")
        usage = final.usage if final.usage is not None else response.usage
        if self.hooks is not None and self.hooks.after_model_call:
            for method in self.hooks.after_model_call:
                got = await call_hook(method, self.ctx, response)
                response = replaced(method, got, ModelResponse, response)
        self.metrics.add_usage(usage)
        add_usage(self.usage, usage)
        self.response = response
        self.messages.append(response.message)
        if self.config.history_processor is not None:
            history_module().record_usage(response.message, usage)
        final_call = self.plan is not None and self.plan.final_call(response.tool_calls)
        self._next = self.conclude_call if final_call else self._act

    async def _stop(self) -> AsyncGenerator[ev.RunEvent, None]:
        """Save the thread and report the result."""
        if self.thread_id is not None:
            new = self.messages[self._new_from :]
            await self._wait(self.home.store().append(self.thread_id, new))
            await self._wait(self._forget_resumed())
        yield ev.RunFinished(self._result(self._stop_reason, None))

    # -- results -------------------------------------------------------------------------------

    def _result(self, reason: RunStopReason, error: BaseException | None) -> AgentResult[Any]:
        self.metrics.duration_ms = (time.perf_counter() - self._started) * 1000
        text = self.response.text if self.response is not None else ""
        self._final = AgentResult(
            output=text if self.plan is None else self.output,
            message=text,
            stop_reason=reason,
            messages=self.messages,
            metrics=self.metrics,
            usage=self.usage,
            error=error,
            thread_id=self.thread_id,
            response=self.response,
            history_from=self._history_from,
            new_from=self._new_from,
            pending=self.pending,
            state=self.state,
            last_agent=self.last_agent,
        )
        return self._final

    def _failed(self, exc: BaseException, reason: RunStopReason) -> BaseException:
        """Attach the partial result to ``exc`` (as ``exc.result``) and return it."""
        answer_open_calls(self.messages, getattr(self, "_outcomes", ()), reason)
        result = self._result(reason, exc)
        with contextlib.suppress(AttributeError):  # exceptions with __slots__
            exc.result = result  # type: ignore[attr-defined]
        return exc

    def _summary(self, what: str) -> str:
        calls = f"{self.metrics.model_calls} model call(s) and {self.metrics.tool_calls}"
        return f"the agent run {what} after {calls} tool call(s)"
