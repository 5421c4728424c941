"""The tool executor: every failure becomes an error message; concurrency; order; limits."""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from typing import Any

import pytest
from pydantic import BaseModel

from locus.agent import Agent
from locus.core.errors import (
    ConfigurationError,
    ToolArgumentsError,
    ToolExecutionError,
    ToolTimeoutError,
    UnknownToolError,
)
from locus.core.messages import ToolCall
from locus.testing import ScriptedModel, Turn
from locus.tools import Tool, ToolExecutor, as_tools, tool
from tests.deadlines import within


@tool
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@tool
def boom(reason: str) -> str:
    """Always fails."""
    raise RuntimeError(reason)


async def test_success_coerces_arguments() -> None:
    outcome = await ToolExecutor([add]).run_one(ToolCall("c1", "add", {"a": "7", "b": 35}))
    assert outcome.error is None
    assert (outcome.message.role, outcome.message.content) == ("tool", "42")
    assert (outcome.message.tool_call_id, outcome.message.name) == ("c1", "add")
    assert not outcome.message.is_error


@pytest.mark.parametrize(
    ("call", "error_type", "text"),
    [
        (ToolCall("c", "nope", {}), UnknownToolError, "no tool named 'nope'; available tools: add"),
        (ToolCall("c", "add", {"a": "x", "b": 1}), ToolArgumentsError, "a: Input should be"),
        (ToolCall("c", "add", raw_arguments="{a: 1"), ToolArgumentsError, "not valid JSON"),
        # valid JSON, but not an object: not "invalid JSON" (the model would fix the wrong thing)
        (
            ToolCall("c", "add", raw_arguments="[1, 2]"),
            ToolArgumentsError,
            "must be a JSON object of named arguments, got a JSON array: [1, 2]",
        ),
        (
            ToolCall("c", "add", raw_arguments='"a=1, b=2"'),
            ToolArgumentsError,
            'must be a JSON object of named arguments, got a JSON string: "a=1, b=2"',
        ),
        (ToolCall("c", "add", raw_arguments="[" * 100_000), ToolArgumentsError, "not valid JSON"),
        (ToolCall("c", "boom", {"reason": "disk"}), ToolExecutionError, "RuntimeError: disk"),
    ],
)
async def test_failures_become_error_messages(
    call: ToolCall, error_type: type[Exception], text: str
) -> None:
    outcome = await ToolExecutor([add, boom]).run_one(call)
    assert isinstance(outcome.error, error_type)
    assert outcome.message.is_error
    assert outcome.message.tool_call_id == "c"
    assert outcome.message.text.startswith("Error: ")
    assert text in outcome.message.text


async def test_non_object_arguments_are_an_argument_error() -> None:
    call = ToolCall("c", "add", [1, 2])  # type: ignore[arg-type]
    outcome = await ToolExecutor([add]).run_one(call)
    assert isinstance(outcome.error, ToolArgumentsError)


async def test_per_tool_timeout_wins_over_executor_default() -> None:
    never = asyncio.Event()

    @tool(timeout=0.05)
    async def hang() -> str:
        """Never returns."""
        await never.wait()
        return "done"

    outcome = await ToolExecutor([hang], timeout=60).run_one(ToolCall("c", "hang", {}))
    assert isinstance(outcome.error, ToolTimeoutError)
    assert "did not finish within 0.05 s" in outcome.message.text


async def test_executor_default_timeout() -> None:
    never = asyncio.Event()

    @tool
    async def hang() -> str:
        """Never returns."""
        await never.wait()
        return "done"

    outcome = await ToolExecutor([hang], timeout=0.05).run_one(ToolCall("c", "hang", {}))
    assert isinstance(outcome.error, ToolTimeoutError)


async def test_calls_run_concurrently_and_results_keep_call_order() -> None:
    first_may_finish = asyncio.Event()
    finished: list[str] = []

    @tool
    async def slow() -> str:
        """Waits until the fast call has run (deadlocks if calls were sequential)."""
        await first_may_finish.wait()
        finished.append("slow")
        return "slow result"

    @tool
    async def fast() -> str:
        """Lets the slow call finish."""
        finished.append("fast")
        first_may_finish.set()
        return "fast result"

    calls = [ToolCall("1", "slow", {}), ToolCall("2", "fast", {}), ToolCall("3", "slow", {})]
    async with asyncio.timeout(5):
        outcomes = await ToolExecutor([slow, fast]).run_all(calls)
    assert finished[0] == "fast"
    assert [o.message.tool_call_id for o in outcomes] == ["1", "2", "3"]
    assert [o.message.text for o in outcomes] == ["slow result", "fast result", "slow result"]


async def test_sync_tools_run_off_the_event_loop_thread() -> None:
    loop_thread = threading.get_ident()

    @tool
    def where() -> bool:
        """Report whether this runs on the loop's thread."""
        return threading.get_ident() == loop_thread

    outcome = await ToolExecutor([where]).run_one(ToolCall("c", "where", {}))
    assert outcome.message.text == "false"


async def test_structured_results_are_json() -> None:
    class Report(BaseModel):
        city: str
        temp: float

    @dataclasses.dataclass
    class Pair:
        left: int
        right: int

    @tool
    def report() -> Report:
        """A pydantic result."""
        return Report(city="Paris", temp=21.5)

    @tool
    def pair() -> dict[str, object]:
        """A dict with a dataclass and non-ASCII text."""
        return {"pair": Pair(1, 2), "name": "Zürich", "none": None}

    executor = ToolExecutor([report, pair])
    outcomes = await executor.run_all([ToolCall("1", "report", {}), ToolCall("2", "pair", {})])
    assert outcomes[0].message.text == '{"city":"Paris","temp":21.5}'
    assert outcomes[1].message.text == '{"pair":{"left":1,"right":2},"name":"Zürich","none":null}'


async def test_unserialisable_result_is_an_error() -> None:
    @tool
    def handle() -> object:
        """Returns something that is not JSON."""
        return object()

    outcome = await ToolExecutor([handle]).run_one(ToolCall("c", "handle", {}))
    assert isinstance(outcome.error, ToolExecutionError)
    assert "cannot be turned into JSON" in outcome.message.text


async def test_huge_results_are_truncated_with_a_marker() -> None:
    @tool
    def big() -> str:
        """A lot of text."""
        return "x" * 1000

    outcome = await ToolExecutor([big], max_result_chars=100).run_one(ToolCall("c", "big", {}))
    assert outcome.message.text.startswith("x" * 100 + "\n...[truncated 900 of 1000 characters]")
    unlimited = await ToolExecutor([big], max_result_chars=None).run_one(ToolCall("c", "big", {}))
    assert unlimited.message.text == "x" * 1000


async def test_identical_calls_in_one_turn_each_run() -> None:
    counter: list[int] = []

    @tool
    def tick() -> int:
        """Count calls."""
        counter.append(1)
        return len(counter)

    calls = [ToolCall("a", "tick", {}), ToolCall("b", "tick", {})]
    outcomes = await ToolExecutor([tick]).run_all(calls)
    assert len(counter) == 2
    assert sorted(o.message.text for o in outcomes) == ["1", "2"]


def test_duplicate_names_and_bad_tools_are_configuration_errors() -> None:
    with pytest.raises(ConfigurationError, match="two tools are named 'add'"):
        ToolExecutor([add, add])
    with pytest.raises(ConfigurationError, match="cannot run 42"):
        as_tools([42])


def test_plain_functions_are_wrapped() -> None:
    def mul(a: int, b: int) -> int:
        """Multiply."""
        return a * b

    (wrapped,) = as_tools([mul])
    assert wrapped.name == "mul"
    assert wrapped.spec.description == "Multiply."


async def test_a_tools_own_timeout_error_is_not_reported_as_our_timeout() -> None:
    @tool(timeout=30)
    async def remote() -> str:
        """Its socket timed out."""
        raise TimeoutError("socket read timed out")

    outcome = await ToolExecutor([remote]).run_one(ToolCall("c", "remote", {}))
    assert isinstance(outcome.error, ToolExecutionError)
    assert "TimeoutError: socket read timed out" in outcome.message.text


async def test_a_tools_own_timeout_error_without_any_timeout_set() -> None:
    @tool
    def remote() -> str:
        """Its socket timed out (no tool or executor timeout: no deadline of ours)."""
        raise TimeoutError("socket read timed out")

    outcome = await ToolExecutor([remote]).run_one(ToolCall("c", "remote", {}))
    assert isinstance(outcome.error, ToolExecutionError)
    assert "tool 'remote' raised TimeoutError: socket read timed out" in outcome.message.text


def test_tool_timeout_must_be_positive() -> None:
    def noop() -> None:
        """Nothing."""

    with pytest.raises(ConfigurationError, match="timeout must be positive"):
        tool(timeout=0)(noop)
    with pytest.raises(ConfigurationError, match="invalid tool name"):
        tool(lambda: None)


@pytest.mark.parametrize("raised", [asyncio.CancelledError, GeneratorExit])
@pytest.mark.parametrize("is_async", [False, True])
def test_a_tool_raising_a_control_exception_is_a_tool_error_not_a_dead_run(
    raised: type[BaseException], is_async: bool
) -> None:
    def odd() -> str:
        """Raise what only asyncio or a generator should."""
        raise raised()

    async def aodd() -> str:
        """Raise what only asyncio or a generator should."""
        raise raised()

    chosen: Tool[[], Any] = Tool(aodd, name="odd") if is_async else Tool(odd, name="odd")
    turns: list[Turn] = [ToolCall("c1", "odd", {}), "recovered"]
    result = Agent(ScriptedModel(turns), tools=[chosen]).run_sync("go")
    assert result.message == "recovered" and result.stop_reason == "complete"
    [answer] = [m for m in result.messages if m.role == "tool"]
    assert answer.is_error and f"raised {raised.__name__}" in (answer.content or "")


async def test_a_real_cancellation_still_cancels_a_tool_call() -> None:
    started = asyncio.Event()

    @tool
    async def wait_forever() -> str:
        """Wait until cancelled."""
        started.set()
        await asyncio.Event().wait()
        return "never"

    executor = ToolExecutor([wait_forever])
    task = asyncio.create_task(executor.run_one(ToolCall("c1", "wait_forever", {})))
    await within(started.wait(), "the tool started")
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
