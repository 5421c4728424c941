"""Run deadlines and cancellation stop the model call and pending tools promptly."""

from __future__ import annotations

import asyncio
import threading

import pytest

from locus.agent import Agent, AgentResult, ModelTextDelta
from locus.core.errors import RunCancelledError, RunTimeoutError
from locus.core.messages import Message, ToolCall
from locus.core.toolspec import ToolSpec
from locus.testing import FunctionModel, ScriptedModel
from locus.tools import tool
from tests.deadlines import within


def hanging_model(started: threading.Event | None = None) -> FunctionModel:
    """A model that never answers (until cancelled)."""

    async def brain(messages: list[Message], tools: list[ToolSpec]) -> str:
        if started is not None:
            started.set()
        await asyncio.Event().wait()
        return "never"

    return FunctionModel(brain)


async def test_run_timeout_stops_a_hanging_model_call() -> None:
    model = hanging_model()
    agent = Agent(model, run_timeout=0.05)
    with pytest.raises(RunTimeoutError, match=r"within its 0\.05 s deadline") as info:
        await agent.arun("q")
    result: AgentResult = info.value.result
    assert result.stop_reason == "timeout" and result.metrics.model_calls == 1
    assert model.open_streams == 0  # the stream was closed


async def test_per_run_timeout_overrides_and_reports_what_finished() -> None:
    never = asyncio.Event()

    @tool
    async def slow() -> str:
        """Never finishes."""
        await never.wait()
        return "x"

    model = ScriptedModel([ToolCall("c", "slow", {}), "unreached"])
    agent = Agent(model, [slow], run_timeout=60)
    with pytest.raises(RunTimeoutError, match="1 model call") as info:
        await agent.arun("q", timeout=0.05)
    result = info.value.result
    assert result.stop_reason == "timeout" and result.metrics.tool_calls == 1
    assert result.messages[-2].tool_calls  # the call that was pending, answered as such
    assert result.messages[-1].is_error and result.messages[-1].tool_call_id == "c"


async def test_tool_timeout_is_shown_to_the_model_not_fatal() -> None:
    never = asyncio.Event()

    @tool
    async def slow() -> str:
        """Never finishes."""
        await never.wait()
        return "x"

    model = ScriptedModel([ToolCall("c", "slow", {}), "gave up on slow"])
    result = await Agent(model, [slow], tool_timeout=0.05).arun("q")
    assert result.message == "gave up on slow" and result.metrics.tool_errors == 1
    assert "did not finish within 0.05 s" in result.messages[-2].text


async def test_task_cancel_cancels_pending_tools() -> None:
    started = asyncio.Event()
    cancelled = asyncio.Event()

    @tool
    async def wait_forever(n: int) -> str:
        """Waits until cancelled."""
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return "x"

    calls = [ToolCall("1", "wait_forever", {"n": 1}), ToolCall("2", "wait_forever", {"n": 2})]
    agent = Agent(ScriptedModel([calls]), [wait_forever])
    task = asyncio.create_task(agent.arun("q"))
    await within(started.wait(), "the tools started")
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert cancelled.is_set()


async def test_agent_cancel_ends_an_async_run_with_a_typed_error() -> None:
    called = asyncio.Event()

    async def brain(messages: list[Message], tools: list[ToolSpec]) -> str:
        called.set()
        await asyncio.Event().wait()
        return "never"

    model = FunctionModel(brain)
    agent = Agent(model)
    events = agent.run("q")
    await anext(events)  # IterationStarted, in this task
    pending = asyncio.create_task(anext(events))  # resumed by another task
    await within(called.wait(), "the model was called")
    agent.cancel()
    with pytest.raises(RunCancelledError) as info:
        async with asyncio.timeout(2):
            await pending
    assert info.value.result.stop_reason == "cancelled"
    assert model.open_streams == 0
    assert not pending.cancelled()


def test_agent_cancel_from_another_thread_stops_run_sync() -> None:
    started = threading.Event()
    agent = Agent(hanging_model(started))
    errors: list[BaseException] = []

    def target() -> None:
        try:
            agent.run_sync("q")
        except BaseException as exc:
            errors.append(exc)

    worker = threading.Thread(target=target)
    worker.start()
    assert started.wait(5)
    agent.cancel()
    worker.join(5)
    assert not worker.is_alive()
    assert len(errors) == 1 and isinstance(errors[0], RunCancelledError)


async def test_cancel_without_active_runs_is_harmless() -> None:
    agent = Agent(ScriptedModel(["ok"]))
    agent.cancel()
    assert (await agent.arun("q")).message == "ok"


async def test_breaking_out_of_the_event_stream_closes_the_model_stream() -> None:
    model = ScriptedModel(["a long streamed answer"], chunk_size=1)
    events = Agent(model).run("q")
    async for event in events:
        if isinstance(event, ModelTextDelta):
            break
    await events.aclose()
    assert model.open_streams == 0
