"""One agent run: a small state machine, think -> act -> observe -> ... -> stop.

Each step is an async generator of events that sets the next step. ``think``
streams one model call (the response comes from the stream's final event),
``act`` runs the requested tools, ``observe`` hands their results to the model's
history, ``stop`` builds the result. A failed run raises its typed error with
the partial ``AgentResult`` attached as ``exc.result``.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from locus.agent import _events as ev
from locus.agent._conversation import start_conversation
from locus.agent._history import HistoryProcessor, apply_history_processor, record_usage
from locus.agent._output import OutputPlan, output_plan
from locus.agent._output_steps import OutputSteps
from locus.agent._result import AgentResult, Metrics, RunStopReason
from locus.agent._threads import thread_lock
from locus.agent._validators import OutputValidator
from locus.core.errors import RunCancelledError, RunTimeoutError, StreamError
from locus.core.messages import Message
from locus.core.model import Model
from locus.core.response import ModelResponse, StreamEvent
from locus.core.toolspec import ToolSpec
from locus.core.usage import Usage
from locus.stores import ThreadStore
from locus.tools._executor import ToolExecutor, ToolOutcome

__all__ = ["AgentRun", "RunConfig"]

T = TypeVar("T")
Step = Callable[[], AsyncGenerator[ev.RunEvent, None]]


@dataclass(slots=True, frozen=True)
class RunConfig:
    """Everything a run needs from its agent, built once per agent."""

    model: Model
    specs: list[ToolSpec]
    executor: ToolExecutor
    system_prompt: str | None
    max_iterations: int
    call_kwargs: dict[str, Any]
    concurrent_tools: bool
    thread_store: ThreadStore
    history_processor: HistoryProcessor | None = None
    output_type: Any = None
    output_mode: str = "auto"
    output_retries: int = 2
    output_validators: tuple[OutputValidator, ...] = ()
    active: set[AgentRun] = field(default_factory=set)


class AgentRun(OutputSteps):
    """The state of one run; iterate ``events()`` once to drive it."""

    config: RunConfig

    def __init__(
        self,
        config: RunConfig,
        prompt: Sequence[Message],
        thread_id: str | None,
        timeout: float | None,
        history: Sequence[Message] = (),
        output_type: Any = None,
    ) -> None:
        self.config = config
        self.prompt = prompt
        self.history = history
        self.thread_id = thread_id
        self.timeout = timeout
        self.messages: list[Message] = []
        self.metrics = Metrics()
        self.response: ModelResponse | None = None
        self.usage = Usage()
        self._outcomes: list[ToolOutcome | None] = []
        self._new_from = 0
        self._history_from = 0
        self._next: Step | None = None
        self._stop_reason: RunStopReason = "complete"
        self._deadline: float | None = None
        self._started = 0.0
        self._task: asyncio.Task[Any] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._cancel_requested = False
        self.plan: OutputPlan | None = output_plan(output_type, config.output_mode, config.model)
        self.output: Any = None
        self._specs = config.specs + (self.plan.specs if self.plan is not None else [])
        self._kwargs = config.call_kwargs
        if self.plan is not None and self.plan.call_kwargs:
            self._kwargs = {**config.call_kwargs, **self.plan.call_kwargs}

    # -- driving ---------------------------------------------------------------------------

    async def events(self) -> AsyncGenerator[ev.RunEvent, None]:
        """Run the state machine, yielding its events; raise the run's error if it fails."""
        self._begin()
        try:
            async with self._thread_lock():
                step: Step | None = self._load
                while step is not None:
                    self._check_cancel()
                    self._next = None
                    async with contextlib.aclosing(step()) as events:
                        async for event in events:
                            yield event
                            self._task = asyncio.current_task()  # whoever resumes us now
                    step = self._next
        except asyncio.CancelledError:
            if not self._cancel_requested:
                raise
            self._uncancel()
            error = RunCancelledError(self._summary("was cancelled"))
            raise self._failed(error, "cancelled") from None
        except RunTimeoutError as exc:
            self._failed(exc, "timeout")
            raise
        except Exception as exc:
            self._failed(exc, "error")
            raise
        finally:
            self.config.active.discard(self)

    def cancel(self) -> None:
        """Ask the run to stop (thread-safe); it raises ``RunCancelledError``."""
        self._cancel_requested = True
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._deliver_cancel)

    def _deliver_cancel(self) -> None:
        """Cancel the driving task, unless the run ended in the meantime."""
        if self in self.config.active and self._task is not None:
            self._task.cancel()

    def _begin(self) -> None:
        self._started = time.perf_counter()
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.current_task()
        if self.timeout is not None:
            self._deadline = self._loop.time() + self.timeout
        self.config.active.add(self)

    def _thread_lock(self) -> contextlib.AbstractAsyncContextManager[None]:
        """The thread's lock, held from load to append (none without a thread)."""
        if self.thread_id is None:
            return contextlib.nullcontext()
        left = None if self._deadline is None else max(0.0, self._deadline - self._loop_time())
        return thread_lock(self.config.thread_store, self.thread_id, left)

    def _loop_time(self) -> float:
        assert self._loop is not None
        return self._loop.time()

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

    async def _load(self) -> AsyncGenerator[ev.RunEvent, None]:
        """Build the conversation: system prompt, history (or thread), then the new prompt."""
        history = self.history
        if self.thread_id is not None:
            history = await self._wait(self.config.thread_store.load(self.thread_id))
        system_prompt = self.config.system_prompt
        if self.plan is not None:
            system_prompt = self.plan.system_prompt(system_prompt)
        opening = start_conversation(system_prompt, history, self.prompt)
        self.messages = opening.messages
        self._history_from, self._new_from = opening.history_from, opening.new_from
        self._next = self._think
        return
        yield  # an async generator with no events

    async def _think(self) -> AsyncGenerator[ev.RunEvent, None]:
        """Stream one model call; text and reasoning deltas flow out as they arrive."""
        self.metrics.iterations += 1
        self.metrics.model_calls += 1
        iteration = self.metrics.iterations
        yield ev.IterationStarted(iteration)
        sent = self.messages
        if (processor := self.config.history_processor) is not None:
            sent = await self._wait(apply_history_processor(processor, sent))
        stream = self.config.model.stream(sent, tools=self._specs or None, **self._kwargs)
        final: StreamEvent | None = None
        self.begin_output_text()
        try:
            while final is None:
                step = anext(stream, None)
                # no deadline: await the event directly (one coroutine less per event)
                event = await (step if self._deadline is None else self._wait(step))
                if event is None:
                    raise StreamError("the model's stream ended without a final (done) event")
                if event.content and (text := self._text_event(event.content, iteration)):
                    yield text
                if event.reasoning:
                    yield ev.ReasoningDelta(event.reasoning, iteration)
                if event.done:
                    final = event
        finally:
            await _close(stream)
        self._take(final)
        if self.response is not None and not self.response.tool_calls:
            if self.plan is None:
                yield ev.IterationEnded(iteration, self.response)
            self._next = self._stop if self.plan is None else self.conclude_text

    def _text_event(self, text: str, iteration: int) -> ev.RunEvent | None:
        """A text delta as an event: visible text, or (typed output) a partial output."""
        if self.plan is not None and self.plan.text_is_output:
            return self.output_text(text, iteration)
        return ev.ModelTextDelta(text, iteration)

    def _take(self, final: StreamEvent) -> None:
        response = final.response
        if response is None:
            raise StreamError("the model's final stream event carried no response")
        usage = final.usage if final.usage is not None else response.usage
        self.metrics.add_usage(usage)
        self.usage = self.usage + usage
        self.response = response
        self.messages.append(response.message)
        if self.config.history_processor is not None:
            record_usage(response.message, usage)
        final_call = self.plan is not None and self.plan.final_call(response.tool_calls)
        self._next = self.conclude_call if final_call else self._act

    async def _act(self) -> AsyncGenerator[ev.RunEvent, None]:
        """Run the tool calls of the last answer; results are kept in call order."""
        assert self.response is not None
        calls = self.response.tool_calls
        iteration = self.metrics.iterations
        for call in calls:
            yield ev.ToolCallStarted(call, iteration)
        self.metrics.tool_calls += len(calls)
        self._outcomes = [None] * len(calls)
        async with contextlib.aclosing(self._run_tools()) as outcomes:
            async for index, outcome in outcomes:
                self._outcomes[index] = outcome
                self.metrics.tool_errors += outcome.is_error
                yield ev.ToolCallFinished(
                    outcome.call, outcome.message, outcome.error, outcome.duration_ms, iteration
                )
        self._next = self._observe

    async def _run_tools(self) -> AsyncGenerator[tuple[int, ToolOutcome], None]:
        """Yield (call index, outcome) as calls finish; pending calls die with the run."""
        assert self.response is not None
        calls = self.response.tool_calls
        executor = self.config.executor
        if len(calls) == 1 or not self.config.concurrent_tools:
            for index, call in enumerate(calls):
                yield index, await self._wait(executor.run_one(call))
            return
        tasks = {asyncio.create_task(executor.run_one(call)): i for i, call in enumerate(calls)}
        pending = set(tasks)
        try:
            while pending:
                wait = asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                done, pending = await self._wait(wait)
                for task in sorted(done, key=tasks.__getitem__):
                    yield tasks[task], task.result()
        finally:
            await _cancel_all(pending)

    async def _observe(self) -> AsyncGenerator[ev.RunEvent, None]:
        """Append the tool results (call order) and decide whether to call the model again."""
        assert self.response is not None
        self.messages += [outcome.message for outcome in self._outcomes if outcome is not None]
        yield ev.IterationEnded(self.metrics.iterations, self.response)
        if self.metrics.model_calls >= self.config.max_iterations:
            self.check_output_at_cap()
            self._stop_reason = "max_iterations"
            self._next = self._stop
        else:
            self._next = self._think

    async def _stop(self) -> AsyncGenerator[ev.RunEvent, None]:
        """Save the thread and report the result."""
        if self.thread_id is not None:
            new = self.messages[self._new_from :]
            await self._wait(self.config.thread_store.append(self.thread_id, new))
        yield ev.RunFinished(self._result(self._stop_reason, None))

    # -- results -------------------------------------------------------------------------------

    def _result(self, reason: RunStopReason, error: BaseException | None) -> AgentResult[Any]:
        self.metrics.duration_ms = (time.perf_counter() - self._started) * 1000
        text = self.response.text if self.response is not None else ""
        return AgentResult(
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
        )

    def _failed(self, exc: BaseException, reason: RunStopReason) -> BaseException:
        """Attach the partial result to ``exc`` (as ``exc.result``) and return it."""
        with contextlib.suppress(AttributeError):  # exceptions with __slots__
            exc.result = self._result(reason, exc)  # type: ignore[attr-defined]
        return exc

    def _summary(self, what: str) -> str:
        m = self.metrics
        return (
            f"the agent run {what} after {m.model_calls} model call(s) and "
            f"{m.tool_calls} tool call(s)"
        )


async def _close(stream: AsyncIterator[StreamEvent]) -> None:
    aclose = getattr(stream, "aclose", None)
    if aclose is not None:
        await aclose()


async def _cancel_all(tasks: Collection[asyncio.Future[Any]]) -> None:
    for task in tasks:
        task.cancel()
    if tasks:
        await asyncio.gather(*tasks, return_exceptions=True)
