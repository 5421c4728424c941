"""The agent loop: metrics, tool problems shown to the model, caps, events, model errors."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from typing import Any

import pytest

from locus.agent import (
    Agent,
    IterationEnded,
    IterationStarted,
    ModelTextDelta,
    ReasoningDelta,
    RunEvent,
    RunFinished,
    ToolCallFinished,
    ToolCallStarted,
)
from locus.core.errors import ConfigurationError, ServerError, StreamError
from locus.core.messages import Message, ToolCall
from locus.core.response import ModelResponse, StreamEvent
from locus.core.toolspec import ToolSpec
from locus.testing import FunctionModel, ScriptedModel, ScriptedTurn, Turn
from locus.tools import tool


@tool(name="add_two_numbers")
def add_two_numbers(a: int, b: int) -> int:
    """Return the sum of two integers."""
    return a + b


@tool
def explode() -> str:
    """Always raises."""
    raise ValueError("the disk is full")


def answer_with_last_tool_result(first_call: ToolCall) -> FunctionModel:
    """Calls ``first_call``; then answers with whatever the tool message said."""

    def brain(messages: list[Message], tools: list[ToolSpec]) -> Turn:
        if messages[-1].role != "tool":
            return first_call
        last = messages[-1]
        prefix = "The tool failed: " if last.is_error else "The answer is "
        return prefix + last.text

    return FunctionModel(brain)


async def test_one_tool_call_then_answer() -> None:
    model = answer_with_last_tool_result(ToolCall("c1", "add_two_numbers", {"a": 7, "b": 35}))
    agent = Agent(model=model, tools=[add_two_numbers], system_prompt="Be brief.")
    result = await agent.arun("Add 7 and 35.")
    assert result.message == result.text == "The answer is 42"
    assert result.stop_reason == "complete"
    m = result.metrics
    assert (m.iterations, m.model_calls, m.tool_calls, m.tool_errors) == (2, 2, 1, 0)
    assert m.total_tokens == m.prompt_tokens + m.completion_tokens > 0
    assert m.duration_ms > 0
    assert [msg.role for msg in result.messages] == [
        "system",
        "user",
        "assistant",
        "tool",
        "assistant",
    ]
    assert result.error is None and result.model_stop_reason == "stop"


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (ToolCall("c", "explode", {}), "explode' raised ValueError: the disk is full"),
        (ToolCall("c", "add_two_numbers", {"a": "seven"}), "invalid arguments"),
        (ToolCall("c", "subtract", {"a": 1}), "no tool named 'subtract'"),
        (ToolCall("c", "add_two_numbers", raw_arguments="{a:"), "not valid JSON"),
    ],
    ids=["tool-raises", "bad-arguments", "unknown-tool", "invalid-json"],
)
async def test_tool_problems_are_shown_to_the_model(call: ToolCall, expected: str) -> None:
    agent = Agent(model=answer_with_last_tool_result(call), tools=[add_two_numbers, explode])
    result = await agent.arun("go")
    assert result.stop_reason == "complete"
    assert result.message.startswith("The tool failed: Error: ")
    assert expected in result.message
    assert (result.metrics.tool_calls, result.metrics.tool_errors) == (1, 1)
    tool_message = result.messages[-2]
    assert tool_message.is_error and tool_message.tool_call_id == "c"


async def test_max_iterations_is_a_hard_cap_on_model_calls() -> None:
    model = FunctionModel(lambda m, t: ToolCall(f"c{len(m)}", "add_two_numbers", {"a": 1, "b": 1}))
    agent = Agent(model=model, tools=[add_two_numbers], max_iterations=3)
    result = await agent.arun("loop forever")
    assert result.stop_reason == "max_iterations"
    assert len(model.requests) == result.metrics.model_calls == result.metrics.iterations == 3
    assert result.metrics.tool_calls == 3
    assert result.messages[-1].role == "tool"  # every call was answered


async def test_events_in_order_and_text_deltas_join_to_the_message() -> None:
    turns: list[Turn] = [
        ScriptedTurn(
            reasoning="need a tool", tool_calls=[ToolCall("c", "add_two_numbers", {"a": 1, "b": 2})]
        ),
        "One plus two is three.",
    ]
    agent = Agent(model=ScriptedModel(turns, chunk_size=5), tools=[add_two_numbers])
    events = [event async for event in agent.run("1+2?")]
    kinds = [type(e).__name__ for e in events]
    assert kinds[:2] == ["IterationStarted", "ReasoningDelta"]
    assert kinds[-1] == "RunFinished"
    first_iteration = kinds[: kinds.index("IterationEnded") + 1]
    assert first_iteration[-3:] == ["ToolCallStarted", "ToolCallFinished", "IterationEnded"]
    text = "".join(e.text for e in events if isinstance(e, ModelTextDelta))
    final = events[-1]
    assert isinstance(final, RunFinished) and text == final.result.message
    assert "".join(e.text for e in events if isinstance(e, ReasoningDelta)) == "need a tool"
    assert [e.iteration for e in events if isinstance(e, IterationStarted)] == [1, 2]
    finished = [e for e in events if isinstance(e, ToolCallFinished)]
    assert finished[0].result.text == "3" and not finished[0].is_error
    ended = [e for e in events if isinstance(e, IterationEnded)]
    assert ended[1].response.text == "One plus two is three."


async def test_stream_is_an_alias_of_run() -> None:
    agent = Agent(model=ScriptedModel(["hi"]))
    events = [e async for e in agent.stream("q")]
    assert isinstance(events[-1], RunFinished) and events[-1].result.message == "hi"


async def test_tools_of_one_turn_run_concurrently_results_in_call_order() -> None:
    gate = asyncio.Event()

    @tool
    async def wait_for_gate(label: str) -> str:
        """Blocks until open_gate has run."""
        await gate.wait()
        return f"waited {label}"

    @tool
    async def open_gate() -> str:
        """Opens the gate."""
        gate.set()
        return "opened"

    calls = [
        ToolCall("1", "wait_for_gate", {"label": "a"}),
        ToolCall("2", "open_gate", {}),
        ToolCall("3", "wait_for_gate", {"label": "b"}),
    ]
    agent = Agent(model=ScriptedModel([calls, "done"]), tools=[wait_for_gate, open_gate])
    async with asyncio.timeout(5):  # sequential calls would wait for the gate forever
        events = [e async for e in agent.run("go")]
    finished = [e.call.id for e in events if isinstance(e, ToolCallFinished)]
    assert sorted(finished) == ["1", "2", "3"]
    started = [e.call.id for e in events if isinstance(e, ToolCallStarted)]
    assert started == ["1", "2", "3"]
    result = events[-1]
    assert isinstance(result, RunFinished)
    tool_messages = [m for m in result.result.messages if m.role == "tool"]
    assert [(m.tool_call_id, m.text) for m in tool_messages] == [
        ("1", "waited a"),
        ("2", "opened"),
        ("3", "waited b"),
    ]


async def test_sequential_tools_when_concurrency_is_off() -> None:
    order: list[str] = []

    @tool
    async def record(label: str) -> str:
        """Record the order."""
        order.append(label)
        return label

    calls = [ToolCall(str(i), "record", {"label": str(i)}) for i in range(3)]
    agent = Agent(ScriptedModel([calls, "ok"]), [record], concurrent_tools=False)
    await agent.arun("go")
    assert order == ["0", "1", "2"]


async def test_model_error_is_raised_with_the_partial_result() -> None:
    error = ServerError("the service failed", status=503, request_id="req-1")
    model = ScriptedModel([ToolCall("c", "add_two_numbers", {"a": 1, "b": 2}), error])
    agent = Agent(model=model, tools=[add_two_numbers])
    with pytest.raises(ServerError) as info:
        await agent.arun("go")
    assert info.value is error
    partial = info.value.result
    assert partial.stop_reason == "error" and partial.error is error
    assert (partial.metrics.model_calls, partial.metrics.tool_calls) == (2, 1)
    assert partial.messages[-1].role == "tool"


class NoDoneModel:
    """A broken model whose stream ends without its final event."""

    model_id = "broken"

    async def complete(
        self, messages: Sequence[Message], tools: Sequence[Any] | None = None, **kw: Any
    ) -> ModelResponse:
        return ModelResponse(Message.assistant("x"))

    async def stream(
        self, messages: Sequence[Message], tools: Sequence[Any] | None = None, **kw: Any
    ) -> AsyncIterator[StreamEvent]:
        yield StreamEvent(content="partial")

    async def aclose(self) -> None:
        return None


async def test_stream_without_final_event_is_a_stream_error() -> None:
    agent = Agent(model=NoDoneModel())
    events: list[RunEvent] = []
    with pytest.raises(StreamError, match="without a final"):
        async for event in agent.run("q"):
            events.append(event)
    assert [type(e) for e in events] == [IterationStarted, ModelTextDelta]


async def test_empty_reply_and_cut_off_reply_complete() -> None:
    cut = ModelResponse(Message.assistant("It was a dark and"), stop_reason="length")
    agent = Agent(model=ScriptedModel([ScriptedTurn(text=None), cut]))
    empty = await agent.arun("q")
    assert (empty.message, empty.stop_reason) == ("", "complete")
    truncated = await agent.arun("q")
    assert truncated.stop_reason == "complete"
    assert truncated.model_stop_reason == "length"


async def test_tool_results_are_truncated_for_the_model() -> None:
    @tool
    def big() -> str:
        """Huge output."""
        return "y" * 500

    model = answer_with_last_tool_result(ToolCall("c", "big", {}))
    agent = Agent(model=model, tools=[big], max_tool_result_chars=50)
    result = await agent.arun("q")
    assert result.messages[-2].text == "y" * 50 + "\n...[truncated 450 of 500 characters]"


async def test_tool_specs_are_built_once_and_sent_every_call() -> None:
    model = answer_with_last_tool_result(ToolCall("c", "add_two_numbers", {"a": 1, "b": 1}))
    agent = Agent(model=model, tools=[add_two_numbers], call_kwargs={"temperature": 0})
    await agent.arun("q")
    assert [r.tools for r in model.requests] == [[add_two_numbers.spec]] * 2
    assert all(r.kwargs == {"temperature": 0} for r in model.requests)


async def test_no_tools_means_no_tool_specs() -> None:
    model = ScriptedModel(["hi"])
    await Agent(model=model).arun("q")
    assert model.requests[0].tools == []


def test_model_kwargs_build_a_model_from_a_string() -> None:
    agent = Agent(model="mock:echo", model_kwargs={})
    assert agent._model.model_id == "echo"
    with pytest.raises(ConfigurationError, match="call_kwargs"):
        Agent(model=ScriptedModel(["hi"]), model_kwargs={"temperature": 0})
