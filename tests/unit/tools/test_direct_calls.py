"""Plain sync calls of a concurrent turn go straight to a tool thread (no task, no
coroutine): ``ToolExecutor.start`` / ``finish`` give exactly ``run_one``'s outcome, only
calls the fast path can take start that way, and a run that ends first abandons them."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from locus.agent import Agent, RunContext, ToolCallFinished, ToolCallStarted
from locus.core.errors import RunTimeoutError, ToolError
from locus.core.messages import ToolCall
from locus.testing import ScriptedModel, Turn
from locus.tools import Tool, ToolExecutor, tool
from locus.tools import abandoned_tool_calls as abandoned
from locus.tools._executor import ToolOutcome


@pytest.fixture
def gate() -> Iterator[threading.Event]:
    """An event hung tools wait on; always released at the end of the test."""
    event = threading.Event()
    yield event
    event.set()


@tool
def weather(city: str, unit: str = "c") -> dict[str, Any]:
    """The weather."""
    return {"city": city, "unit": unit, "temperature": 21}


@tool
def echo(text: str) -> str:
    """Echo a text."""
    return text


@tool
def fails(reason: str) -> str:
    """Raise what it is told."""
    if reason == "tool-error":
        raise ToolError("told to fail", tool_name="fails")
    if reason == "timeout":
        raise TimeoutError("socket read timed out")
    if reason == "cancelled":
        raise asyncio.CancelledError()
    raise ValueError(reason)


@tool
def unserialisable() -> object:
    """Return something that is not JSON."""
    return object()


@tool
def huge() -> str:
    """A long result."""
    return "x" * 500


@tool
def where(ctx: RunContext[str], label: str) -> str:
    """The run context's deps and this call's label."""
    return f"{ctx.deps}:{label}"


TOOLS: list[Tool[..., Any]] = [weather, echo, fails, unserialisable, huge, where]


def _same(direct: ToolOutcome, reference: ToolOutcome) -> None:
    assert direct.call is reference.call
    assert direct.message == reference.message
    assert type(direct.error) is type(reference.error)
    assert str(direct.error) == str(reference.error)


@pytest.mark.parametrize(
    "call",
    [
        ToolCall("a", "weather", {"city": "Oslo"}),
        ToolCall("b", "weather", {"city": "Oslo", "unit": "f"}),
        ToolCall("c", "echo", {"text": "caf\u00e9 \ud800"}),
        ToolCall("d", "fails", {"reason": "disk"}),
        ToolCall("e", "fails", {"reason": "tool-error"}),
        ToolCall("f", "fails", {"reason": "timeout"}),
        ToolCall("g", "fails", {"reason": "cancelled"}),
        ToolCall("h", "unserialisable", {}),
        ToolCall("i", "huge", {}),
    ],
    ids=lambda call: f"{call.name}-{call.id}",
)
async def test_a_started_call_finishes_as_run_one_does(call: ToolCall) -> None:
    executor = ToolExecutor(TOOLS, max_result_chars=100)
    started = executor.start(call)
    assert started is not None
    async with asyncio.timeout(30):
        await started.future
    _same(executor.finish(started), await executor.run_one(call))


async def test_the_run_context_reaches_a_started_call() -> None:
    context = RunContext("agent", "run-1", None, 1, deps="deps")
    executor = ToolExecutor(TOOLS)
    started = executor.start(ToolCall("c", "where", {"label": "x"}), context)
    assert started is not None
    async with asyncio.timeout(30):
        await started.future
    assert executor.finish(started).message.text == "deps:x"


async def test_a_base_exception_of_a_started_call_is_raised_as_run_one_raises_it() -> None:
    @tool
    def leave() -> str:
        """Exit."""
        raise SystemExit(3)

    executor = ToolExecutor([leave])
    started = executor.start(ToolCall("c", "leave", {}))
    assert started is not None
    async with asyncio.timeout(30):
        await started.future
    with pytest.raises(SystemExit):
        executor.finish(started)
    with pytest.raises(SystemExit):
        await executor.run_one(ToolCall("c", "leave", {}))


async def test_only_plain_calls_start_directly() -> None:
    @tool
    async def fetch(url: str) -> str:
        """Async."""
        return url

    @tool(run_in_thread=False)
    def inline(text: str) -> str:
        """Inline."""
        return text

    @tool(timeout=5)
    def bounded(text: str) -> str:
        """Has a timeout."""
        return text

    @tool
    def counts(items: list[int]) -> int:
        """Not plain scalars."""
        return len(items)

    async def handler(arguments: dict[str, Any]) -> str:
        return "schema"

    schema = Tool.from_schema("schema_tool", "From a schema.", {"type": "object"}, handler)
    executor = ToolExecutor([echo, fetch, inline, bounded, counts, schema])
    refused = [
        ToolCall("1", "nope", {}),
        ToolCall("2", "echo", raw_arguments="{text: 1"),
        ToolCall("3", "echo", {"text": 7}),  # pydantic decides (an error here)
        ToolCall("4", "echo", {"text": "x", "extra": 1}),
        ToolCall("5", "echo", {}),
        ToolCall("6", "fetch", {"url": "u"}),
        ToolCall("7", "inline", {"text": "x"}),
        ToolCall("8", "bounded", {"text": "x"}),
        ToolCall("9", "counts", {"items": [1]}),
        ToolCall("10", "schema_tool", {}),
    ]
    assert [executor.start(call) for call in refused] == [None] * len(refused)
    assert ToolExecutor([echo], timeout=5).start(ToolCall("c", "echo", {"text": "x"})) is None


async def test_a_turn_mixing_direct_and_task_calls_keeps_call_order_and_errors() -> None:
    @tool
    async def shout(text: str) -> str:
        """Async upper-case."""
        return text.upper()

    calls = [
        ToolCall("1", "echo", {"text": "plain"}),
        ToolCall("2", "shout", {"text": "async"}),
        ToolCall("3", "echo", {"text": 5}),
        ToolCall("4", "missing", {}),
        ToolCall("5", "fails", {"reason": "disk"}),
        ToolCall("6", "weather", {"city": "Rome"}),
    ]
    turns: list[Turn] = [calls, "done"]
    agent = Agent(ScriptedModel(turns), tools=[echo, shout, fails, weather])
    async with asyncio.timeout(30):
        events = [event async for event in agent.run("go")]
    started = [e.call.id for e in events if isinstance(e, ToolCallStarted)]
    finished = {e.call.id: e for e in events if isinstance(e, ToolCallFinished)}
    assert started == ["1", "2", "3", "4", "5", "6"] and sorted(finished) == started
    assert [finished[i].error is not None for i in started] == [0, 0, 1, 1, 1, 0]
    answers = [finished[i].result.text for i in started]
    assert answers[0:2] == ["plain", "ASYNC"]
    assert "text: Input should be a valid string" in answers[2]
    assert "there is no tool named 'missing'" in answers[3]
    assert answers[4] == "Error: tool 'fails' raised ValueError: disk"
    assert answers[5] == '{"city":"Rome","unit":"c","temperature":21}'


async def test_a_cancelled_run_abandons_direct_calls_still_running(
    gate: threading.Event, caplog: pytest.LogCaptureFixture
) -> None:
    entered = threading.Event()
    started: list[str] = []

    @tool
    def hang(label: str) -> str:
        """Wait on the gate."""
        started.append(label)
        if len(started) == 2:  # both run (a call not started when the run ends never runs)
            entered.set()
        gate.wait()
        return label

    calls = [ToolCall("1", "hang", {"label": "a"}), ToolCall("2", "hang", {"label": "b"})]
    agent = Agent(ScriptedModel([calls, "never"]), tools=[hang])
    before = abandoned()
    with caplog.at_level(logging.WARNING, logger="locus.tools"):
        task = asyncio.create_task(agent.arun("go"))
        assert await asyncio.to_thread(entered.wait, 30)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert abandoned() == before + 2  # neither can return before the gate opens
    assert caplog.text.count("'hang' is still running in thread") == 2
    assert "'hang' is still running in thread locus-tool-" in caplog.text
    gate.set()
    deadline = time.monotonic() + 30
    while abandoned() != before:
        assert time.monotonic() < deadline, "the abandoned call never came back"
        await asyncio.sleep(0.01)


async def test_a_run_deadline_ends_a_turn_of_direct_calls(gate: threading.Event) -> None:
    @tool
    def hang(label: str) -> str:
        """Wait on the gate."""
        gate.wait()
        return label

    calls = [ToolCall("1", "hang", {"label": "a"}), ToolCall("2", "hang", {"label": "b"})]
    agent = Agent(ScriptedModel([calls, "never"]), tools=[hang])
    with pytest.raises(RunTimeoutError):
        await agent.arun("go", timeout=0.2)


async def test_a_stand_in_executor_without_start_runs_every_call_through_run_one() -> None:
    class StandIn:
        """An executor of ``run_one`` only, as ``locus.durable`` puts in a run."""

        def __init__(self, real: ToolExecutor) -> None:
            self.tools, self._real = real.tools, real
            self.calls: list[str] = []

        async def run_one(self, call: ToolCall, context: Any = None) -> ToolOutcome:
            self.calls.append(call.id)
            return await self._real.run_one(call, context)

    calls = [ToolCall(str(i), "echo", {"text": str(i)}) for i in range(3)]
    agent = Agent(ScriptedModel([calls, "ok"]), tools=[echo])
    stand_in = StandIn(agent._config.toolbox.executor)
    agent._config.toolbox.executor = stand_in  # type: ignore[assignment]  # duck-typed, as durable
    result = await agent.arun("go")
    assert sorted(stand_in.calls) == ["0", "1", "2"]
    assert [m.text for m in result.messages if m.role == "tool"] == ["0", "1", "2"]
