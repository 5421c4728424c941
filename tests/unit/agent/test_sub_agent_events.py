"""Events of sub-runs (``agent.as_tool``) reach the caller's stream as ``SubAgentEvent``s:
in order, between the call's start and finish, nested, bounded for a slow consumer, and
absent from a run with no agent among its tools."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from contextlib import aclosing
from typing import Any

from locus.agent import (
    Agent,
    RunEvent,
    RunFinished,
    SubAgentEvent,
    ToolCallFinished,
    ToolCallStarted,
)
from locus.agent._forwarding import BUFFER
from locus.core.messages import Message, ToolCall
from locus.core.response import StreamEvent
from locus.core.toolspec import ToolSpec
from locus.testing import FunctionModel, Turn
from locus.tools import tool


@tool
def stock(item: str) -> int:
    """Units of an item in stock."""
    return 12


def calls_then_says(calls: list[ToolCall], text: str = "done") -> FunctionModel:
    """Makes ``calls`` on the user's prompt, then answers ``text`` and the tool results."""

    def brain(messages: list[Message], tools: list[ToolSpec]) -> Turn:
        if messages[-1].role == "user":
            return calls if calls else text
        return text + ": " + "; ".join(m.text for m in messages if m.role == "tool")

    return FunctionModel(brain)


async def events_of(agent: Agent, prompt: str) -> list[RunEvent]:
    return [event async for event in agent.run(prompt)]


def kinds(events: Sequence[RunEvent]) -> list[str]:
    return [e.kind for e in events]


def clerk() -> Agent:
    return Agent(
        calls_then_says([ToolCall("k1", "stock", {"item": "pens"})]), [stock], name="clerk"
    )


async def test_a_run_without_sub_agents_yields_the_plain_events() -> None:
    events = await events_of(clerk(), "pens?")
    assert kinds(events) == [
        "iteration_started",
        "tool_call_started",
        "tool_call_finished",
        "iteration_ended",
        "iteration_started",
        "model_text_delta",  # "done: 12" in chunks of 4
        "model_text_delta",
        "iteration_ended",
        "run_finished",
    ]


async def test_sub_run_events_come_between_the_calls_start_and_finish_in_order() -> None:
    alone = await events_of(clerk(), "How many pens?")
    manager = Agent(
        calls_then_says([ToolCall("c1", "clerk", {"input": "How many pens?"})]),
        [clerk().as_tool()],
        name="manager",
    )
    events = await events_of(manager, "pens?")
    started = next(i for i, e in enumerate(events) if isinstance(e, ToolCallStarted))
    finished = next(i for i, e in enumerate(events) if isinstance(e, ToolCallFinished))
    forwarded = events[started + 1 : finished]
    assert forwarded and all(isinstance(e, SubAgentEvent) for e in forwarded)
    assert {(e.agent_name, e.call_id) for e in forwarded} == {("clerk", "c1")}  # type: ignore[union-attr]
    inner = [e.event for e in forwarded]  # type: ignore[union-attr]
    assert kinds(inner) == kinds(alone)  # the sub-run's whole stream, as it yields it alone
    assert isinstance(inner[-1], RunFinished) and inner[-1].result.text == "done: 12"
    assert not any(isinstance(e, SubAgentEvent) for e in events[:started] + events[finished:])
    assert isinstance(events[-1], RunFinished)
    assert events[-1].result.text == "done: done: 12"


async def test_parallel_sub_runs_each_keep_their_order() -> None:
    calls = [ToolCall(f"c{i}", "clerk", {"input": f"item {i}?"}) for i in range(3)]
    manager = Agent(calls_then_says(calls), [clerk().as_tool()], name="manager")
    events = await events_of(manager, "three items?")
    alone = kinds(await events_of(clerk(), "x"))
    for call in calls:
        start = next(i for i, e in enumerate(events) if getattr(e, "call", None) == call)
        end = max(
            i for i, e in enumerate(events) if isinstance(e, ToolCallFinished) and e.call == call
        )
        mine = [e for e in events if isinstance(e, SubAgentEvent) and e.call_id == call.id]
        assert kinds([e.event for e in mine]) == alone
        assert all(start < events.index(e) < end for e in mine)


async def test_nested_sub_runs_are_wrapped_once_per_level() -> None:
    middle = Agent(
        calls_then_says([ToolCall("m1", "clerk", {"input": "pens?"})]),
        [clerk().as_tool()],
        name="middle",
    )
    top = Agent(
        calls_then_says([ToolCall("t1", "middle", {"input": "ask the clerk"})]),
        [middle.as_tool()],
        name="top",
    )
    events = await events_of(top, "go")
    deep = [e for e in events if isinstance(e, SubAgentEvent) and e.path == ("middle", "clerk")]
    assert deep and all(e.call_id == "t1" for e in deep)
    assert all(isinstance(e.event, SubAgentEvent) and e.event.call_id == "m1" for e in deep)
    finished = [e.innermost for e in deep if isinstance(e.innermost, ToolCallFinished)]
    assert [f.result.text for f in finished] == ["12"]
    shallow = [e for e in events if isinstance(e, SubAgentEvent) and e.path == ("middle",)]
    assert isinstance(shallow[-1].event, RunFinished)


class CountingModel(FunctionModel):
    """A FunctionModel that counts the stream events it has handed out."""

    handed = 0

    async def stream(
        self, messages: Sequence[Message], tools: Sequence[Any] | None = None, **kwargs: Any
    ) -> AsyncIterator[StreamEvent]:
        inner = super().stream(messages, tools, **kwargs)
        assert isinstance(inner, AsyncGenerator)
        async with aclosing(inner) as events:
            async for event in events:
                self.handed += 1
                yield event


async def test_a_slow_consumer_holds_a_sub_run_at_the_buffer_then_gets_everything() -> None:
    text = "".join(chr(ord("a") + i % 26) for i in range(3 * BUFFER))
    talker = CountingModel(lambda m, t: text, chunk_size=1)
    chatty = Agent(talker, name="chatty")
    manager = Agent(
        calls_then_says([ToolCall("c1", "chatty", {"input": "talk"})]),
        [chatty.as_tool()],
        name="manager",
    )
    run = manager.run("go")
    events: list[RunEvent] = []
    async for event in run:  # up to the first forwarded event, then stop reading
        events.append(event)
        if isinstance(event, SubAgentEvent):
            break
    seen = -1
    while seen != talker.handed:  # let the sub-run go as far as it can
        seen = talker.handed
        for _ in range(50):
            await asyncio.sleep(0)
    assert BUFFER <= talker.handed <= BUFFER + 3  # held at the buffer, not at the end
    events += [event async for event in run]
    deltas = [e.event for e in events if isinstance(e, SubAgentEvent)]
    assert "".join(getattr(e, "text", "") for e in deltas if e.kind == "model_text_delta") == text
    assert isinstance(events[-1], RunFinished) and events[-1].result.metrics.sub_runs == 1


async def test_closing_the_callers_stream_mid_sub_run_ends_the_sub_run() -> None:
    talker = CountingModel(lambda m, t: "x" * (4 * BUFFER), chunk_size=1)
    manager = Agent(
        calls_then_says([ToolCall("c1", "chatty", {"input": "talk"})]),
        [Agent(talker, name="chatty").as_tool()],
    )
    run = manager.run("go")
    async for event in run:
        if isinstance(event, SubAgentEvent):
            break
    await run.aclose()
    assert talker.open_streams == 0
    others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    assert others == []


async def test_a_sub_agent_tool_called_directly_still_runs() -> None:
    ask = clerk().as_tool()
    from locus.agent import RunContext

    ctx: RunContext[Any] = RunContext("caller", "r", None, 1, None)
    assert await ask.func(input="pens?", ctx=ctx) == "done: 12"
