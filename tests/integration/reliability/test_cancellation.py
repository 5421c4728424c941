"""Cancellation and deadlines over real HTTP: runs stop promptly and close what they opened.

The emulator paces its stream (one word every ``chunk_delay`` seconds) so that a run is
caught mid-stream; a tool that waits forever stands in for a pending tool. After each
stop the model's connection pool must have no busy connection (the stream was closed).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from locus.agent import Agent, ModelTextDelta, RunEvent, ToolCallFinished, ToolCallStarted
from locus.core.errors import RunCancelledError, RunTimeoutError, ToolTimeoutError
from locus.emulator import Emulator
from locus.models.providers.oci import OCIModel
from locus.tools import Tool, tool
from tests.deadlines import within
from tests.integration.conftest import OCIModelFactory
from tests.integration.reliability._soak import pool_state

LONG = "Please count from 1 to 60."
PROMPT = f"Use the wait_forever tool. {LONG}"
PROMPTLY = 2.0  # seconds; the paced stream alone would take 30


class Forever:
    """An async tool that never returns; records that it started and was cancelled."""

    def __init__(self) -> None:
        self.started = asyncio.Event()
        self.cancelled = False

    def tool(self) -> Tool[Any, Any]:
        state = self

        @tool(name="wait_forever")
        async def wait_forever() -> str:
            """Wait until cancelled."""
            state.started.set()
            try:
                await asyncio.Event().wait()
            except asyncio.CancelledError:
                state.cancelled = True
                raise
            return "never"

        return wait_forever


class SignallingTransport(httpx.AsyncBaseTransport):
    """A real HTTP transport that sets ``sent`` once a request is handed to the network."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.sent = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.set()
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.fixture
def paced(emu: Emulator) -> Emulator:
    emu.configure(chunk_delay=0.5)
    return emu


def assert_stream_closed(model: OCIModel) -> None:
    assert model.http_client is not None
    _, busy, queued = pool_state(model.http_client)
    assert (busy, queued) == (0, 0)


async def until(events: AsyncIterator[RunEvent], kind: type[RunEvent]) -> None:
    async for event in events:
        if isinstance(event, kind):
            return
    raise AssertionError(f"the run ended before a {kind.__name__}")


async def test_task_cancel_mid_stream_closes_the_stream(
    paced: Emulator, oci_model: OCIModelFactory
) -> None:
    model = oci_model()
    agent = Agent(model)
    first_delta = asyncio.Event()

    async def drive() -> None:
        async for event in agent.run(LONG):
            if isinstance(event, ModelTextDelta):
                first_delta.set()

    task = asyncio.create_task(drive())
    await within(first_delta.wait(), "the first text delta came")
    started = time.perf_counter()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.perf_counter() - started < PROMPTLY
    assert_stream_closed(model)


@pytest.mark.parametrize("how", ["task", "agent"])
async def test_cancel_before_the_first_byte_stops_the_model_call(
    emu: Emulator, oci_model: OCIModelFactory, how: str
) -> None:
    emu.configure(latency=5.0)  # the emulator sits on the request for 5 s
    transport = SignallingTransport()
    model = oci_model(transport=transport)
    agent = Agent(model)
    task = asyncio.create_task(agent.arun(LONG))
    await within(transport.sent.wait(), "the request was sent")
    started = time.perf_counter()
    task.cancel() if how == "task" else agent.cancel()
    expected = asyncio.CancelledError if how == "task" else RunCancelledError
    with pytest.raises(expected):
        await task
    assert time.perf_counter() - started < PROMPTLY
    assert_stream_closed(model)


async def test_agent_cancel_mid_stream_is_a_typed_error(
    paced: Emulator, oci_model: OCIModelFactory
) -> None:
    model = oci_model()
    agent = Agent(model)
    events = agent.run(LONG)
    await until(events, ModelTextDelta)
    started = time.perf_counter()
    agent.cancel()
    with pytest.raises(RunCancelledError) as info:
        await until(events, ToolCallStarted)
    assert time.perf_counter() - started < PROMPTLY
    result = info.value.result
    assert result.stop_reason == "cancelled"
    assert "after 1 model call(s) and 0 tool call(s)" in str(info.value)
    assert_stream_closed(model)


@pytest.mark.parametrize("how", ["task", "agent"])
async def test_cancel_stops_pending_tools(
    emu: Emulator, oci_model: OCIModelFactory, how: str
) -> None:
    forever = Forever()
    agent = Agent(oci_model(), [forever.tool()])
    task = asyncio.create_task(agent.arun(PROMPT))
    await within(forever.started.wait(), "the tool started")
    started = time.perf_counter()
    task.cancel() if how == "task" else agent.cancel()
    expected = asyncio.CancelledError if how == "task" else RunCancelledError
    with pytest.raises(expected):
        await task
    assert time.perf_counter() - started < PROMPTLY
    assert forever.cancelled


async def test_run_timeout_mid_stream_says_what_finished(
    paced: Emulator, oci_model: OCIModelFactory
) -> None:
    model = oci_model()
    started = time.perf_counter()
    with pytest.raises(RunTimeoutError) as info:
        await Agent(model).arun(LONG, timeout=0.8)
    assert time.perf_counter() - started < 0.8 + PROMPTLY
    result = info.value.result
    assert result.stop_reason == "timeout" and result.error is info.value
    assert "did not finish within its 0.8 s deadline after 1 model call(s)" in str(info.value)
    assert_stream_closed(model)


async def test_run_timeout_after_a_tool_keeps_the_tool_result(
    emu: Emulator, oci_model: OCIModelFactory
) -> None:
    @tool(name="slow_down")
    def slow_down() -> str:
        """Make the next model answer slow (the emulator waits 4 s before answering)."""
        emu.configure(latency=4.0)
        return "done"

    model = oci_model()
    with pytest.raises(RunTimeoutError) as info:
        await Agent(model, [slow_down]).arun("Use the slow_down tool.", timeout=1.5)
    result = info.value.result
    assert (result.metrics.model_calls, result.metrics.tool_calls) == (2, 1)
    assert [m.text for m in result.messages if m.role == "tool"] == ["done"]
    assert "after 2 model call(s) and 1 tool call(s)" in str(info.value)
    assert_stream_closed(model)


async def test_a_tool_timeout_is_typed_and_the_run_goes_on(
    emu: Emulator, oci_model: OCIModelFactory
) -> None:
    forever = Forever()
    agent = Agent(oci_model(), [forever.tool()], tool_timeout=0.3)
    finished: list[ToolCallFinished] = []
    async for event in agent.run(PROMPT):
        if isinstance(event, ToolCallFinished):
            finished.append(event)
    (event,) = finished
    assert isinstance(event.error, ToolTimeoutError) and forever.cancelled
    assert event.result.text == "Error: tool 'wait_forever' did not finish within 0.3 s"


@pytest.mark.parametrize("stop", ["tool_timeout", "run_timeout", "cancel"])
async def test_a_blocked_sync_tool_does_not_hold_the_run(
    emu: Emulator, oci_model: OCIModelFactory, stop: str
) -> None:
    release, entered = threading.Event(), asyncio.Event()
    loop = asyncio.get_running_loop()

    @tool(name="block")
    def block() -> str:
        """Block the worker thread until released."""
        loop.call_soon_threadsafe(entered.set)
        release.wait(30)
        return "released"

    agent = Agent(oci_model(), [block], tool_timeout=0.3 if stop == "tool_timeout" else None)
    started = time.perf_counter()
    try:
        if stop == "tool_timeout":
            result = await agent.arun("Use the block tool.")
            assert [m.text for m in result.messages if m.role == "tool"] == [
                "Error: tool 'block' did not finish within 0.3 s"
            ]
        elif stop == "run_timeout":
            with pytest.raises(RunTimeoutError):
                await agent.arun("Use the block tool.", timeout=0.5)
        else:
            task = asyncio.create_task(agent.arun("Use the block tool."))
            await within(entered.wait(), "the tool was entered")
            agent.cancel()
            with pytest.raises(RunCancelledError):
                await task
        assert time.perf_counter() - started < PROMPTLY
    finally:
        release.set()  # the thread cannot be interrupted: let it end before the loop closes
