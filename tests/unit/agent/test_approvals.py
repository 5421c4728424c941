"""Approvals: pause, RunState dump/load, resume (approve, change, deny), exactly once,
threads (memory and SQLite): the paused state in metadata, new prompts refused, abandon,
reading the waiting run (``agent.paused``)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from locus.agent import Agent, Approve, Deny, RunContext, RunState
from locus.core.errors import (
    AlreadyResumedError,
    ConfigurationError,
    SerializationError,
    ThreadConflictError,
)
from locus.core.messages import Message, ToolCall
from locus.core.toolspec import ToolSpec
from locus.stores import InMemoryThreadStore, SQLiteThreadStore
from locus.testing import FunctionModel, Turn
from locus.tools import tool

paid: list[tuple[str, int]] = []


@tool
def balance(account: str) -> int:
    """The balance of an account."""
    return 500


@tool(requires_approval=True)
def pay(to: str, amount: int) -> str:
    """Pay someone."""
    paid.append((to, amount))
    return f"paid {amount} to {to}"


def over_100(call: ToolCall, ctx: RunContext[Any]) -> bool:
    return int(call.arguments.get("amount", 0)) > 100


@tool(requires_approval=over_100)
async def pay_small(to: str, amount: int) -> str:
    """Pay someone; more than 100 needs approval."""
    paid.append((to, amount))
    return f"paid {amount} to {to}"


def banker(tool_name: str = "pay", amount: int = 300) -> FunctionModel:
    """Checks the balance and pays in one turn; then repeats every tool result it read."""

    def brain(messages: list[Message], tools: list[ToolSpec]) -> Turn:
        if messages[-1].role != "tool":
            return [
                ToolCall("b1", "balance", {"account": "main"}),
                ToolCall("p1", tool_name, {"to": "ada", "amount": amount}),
            ]
        return " | ".join(m.text for m in messages if m.role == "tool")

    return FunctionModel(brain)


@pytest.fixture(autouse=True)
def _clear() -> None:
    paid.clear()


async def test_a_run_pauses_after_running_the_calls_that_need_no_approval() -> None:
    agent = Agent(banker(), tools=[balance, pay])
    result = await agent.arun("pay ada 300")
    assert result.stop_reason == "awaiting_approval"
    assert [(p.id, p.tool, p.arguments) for p in result.pending] == [
        ("p1", "pay", {"to": "ada", "amount": 300})
    ]
    assert paid == [] and result.metrics.tool_calls == 1
    assert result.state is not None and result.state.results["b1"].text == "500"
    assert all(not m.is_error for m in result.messages)  # the model never sees a failure


async def test_resume_from_a_dump_runs_the_approved_call_once() -> None:
    agent = Agent(banker(), tools=[balance, pay])
    paused = await agent.arun("pay ada 300")
    assert paused.state is not None
    state = RunState.load(paused.state.dump())
    result = await Agent(banker(), tools=[balance, pay]).resume(state, approvals={"p1": Approve()})
    assert result.stop_reason == "complete"
    assert result.text == "500 | paid 300 to ada"
    assert paid == [("ada", 300)]
    assert result.metrics.model_calls == 2 and result.metrics.tool_calls == 2
    with pytest.raises(AlreadyResumedError):
        await agent.resume(state, approvals={"p1": Approve()})
    assert paid == [("ada", 300)]


async def test_two_resumes_at_once_run_the_call_once() -> None:
    agent = Agent(banker(), tools=[balance, pay])
    paused = await agent.arun("pay ada 300")
    assert paused.state is not None
    state = RunState.load(paused.state.dump())
    outcomes = await asyncio.gather(
        agent.resume(state, approvals={"p1": Approve()}),
        agent.resume(RunState.load(state.dump()), approvals={"p1": Approve()}),
        return_exceptions=True,
    )
    assert sorted(type(o).__name__ for o in outcomes) == ["AgentResult", "AlreadyResumedError"]
    assert paid == [("ada", 300)]


async def test_approve_with_changed_arguments_and_deny() -> None:
    agent = Agent(banker(), tools=[balance, pay])
    first = await agent.arun("pay")
    assert first.state is not None
    changed = await agent.resume(
        first.state, approvals={"p1": Approve(arguments={"to": "bo", "amount": 5})}
    )
    assert changed.text == "500 | paid 5 to bo" and paid == [("bo", 5)]

    second = await agent.arun("pay")
    assert second.state is not None
    denied = await agent.resume(second.state, approvals={"p1": Deny("over the daily limit")})
    assert "denied" in denied.text and "over the daily limit" in denied.text
    assert paid == [("bo", 5)] and denied.messages[-2].is_error


async def test_approvals_must_cover_every_pending_call() -> None:
    agent = Agent(banker(), tools=[balance, pay])
    paused = await agent.arun("pay")
    assert paused.state is not None
    for approvals in ({}, {"p1": Approve(), "zz": Approve()}, {"p1": True}):
        with pytest.raises(ConfigurationError, match="pending call id"):
            await agent.resume(RunState.load(paused.state.dump()), approvals=approvals)  # type: ignore[arg-type]


async def test_an_approval_function_decides_per_call() -> None:
    small = await Agent(banker("pay_small", 50), tools=[balance, pay_small]).arun("pay")
    assert small.stop_reason == "complete" and paid == [("ada", 50)]
    large = await Agent(banker("pay_small", 500), tools=[balance, pay_small]).arun("pay")
    assert large.stop_reason == "awaiting_approval" and paid == [("ada", 50)]


def test_a_bad_dump_is_a_serialization_error() -> None:
    for data in (b"{}", b"not json", b'{"v": 1}'):
        with pytest.raises(SerializationError):
            RunState.load(data)


@pytest.fixture(params=["memory", "sqlite"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    if request.param == "memory":
        yield InMemoryThreadStore()
        return
    made = SQLiteThreadStore(tmp_path / "threads.db")
    yield made
    await made.aclose()


async def test_a_paused_run_on_a_thread(store: Any) -> None:
    agent = Agent(banker(), tools=[balance, pay], thread_store=store)
    paused = await agent.arun("pay ada 300", thread_id="t")
    assert paused.stop_reason == "awaiting_approval"
    stored = (await store.get_metadata("t"))["locus.paused_run"]
    assert stored["pending"] == [
        {"id": "p1", "tool": "pay", "arguments": {"to": "ada", "amount": 300}}
    ]
    assert await store.load("t") == []  # nothing written until the run ends
    with pytest.raises(ThreadConflictError, match="waiting for approval of pay"):
        await agent.arun("something else", thread_id="t")

    again = Agent(banker(), tools=[balance, pay], thread_store=store)
    done = await again.resume(thread_id="t", approvals={"p1": Approve()})
    assert done.text == "500 | paid 300 to ada" and paid == [("ada", 300)]
    roles = [m.role for m in await store.load("t")]
    assert roles == ["user", "assistant", "tool", "tool", "assistant"]
    with pytest.raises(AlreadyResumedError):
        await again.resume(thread_id="t", approvals={"p1": Approve()})
    assert paid == [("ada", 300)]
    after = await agent.arun("more", thread_id="t")  # the thread takes prompts again
    assert after.stop_reason == "awaiting_approval"


async def test_abandon_drops_the_paused_run(store: Any) -> None:
    agent = Agent(banker(), tools=[balance, pay], thread_store=store)
    await agent.arun("pay", thread_id="t")
    assert await agent.abandon("t") is True
    assert await agent.abandon("t") is False
    with pytest.raises(ConfigurationError, match="no run waiting"):
        await agent.resume(thread_id="t", approvals={"p1": Approve()})
    assert (await agent.arun("again", thread_id="t")).stop_reason == "awaiting_approval"
    assert paid == []


async def test_paused_reads_the_waiting_run_of_a_thread(store: Any) -> None:
    agent = Agent(banker(), tools=[balance, pay], thread_store=store)
    assert await agent.paused("t") is None  # no thread yet
    first = await agent.arun("pay ada 300", thread_id="t")
    waiting = await agent.paused("t")
    assert waiting is not None and waiting.thread_id == "t"
    assert waiting.pending == first.pending and [p.tool for p in waiting.pending] == ["pay"]
    assert await agent.paused("t") is not None  # reading claims nothing
    await agent.resume(thread_id="t", approvals={waiting.pending[0].id: Approve()})
    assert await agent.paused("t") is None  # resumed: only a tombstone is left
    await agent.arun("pay again", thread_id="t")
    assert await agent.paused("t") is not None
    await agent.abandon("t")
    assert await agent.paused("t") is None
    assert paid == [("ada", 300)]


async def test_resume_stream_yields_the_events() -> None:
    from locus.agent import RunFinished, ToolCallFinished

    agent = Agent(banker(), tools=[balance, pay])
    paused = await agent.arun("pay")
    assert paused.state is not None
    events = [e async for e in agent.resume_stream(paused.state, approvals={"p1": Approve()})]
    finished = [e for e in events if isinstance(e, ToolCallFinished)]
    assert [e.call.id for e in finished] == ["p1"]
    assert isinstance(events[-1], RunFinished) and events[-1].result.stop_reason == "complete"


def test_resume_sync() -> None:
    agent = Agent(banker(), tools=[balance, pay])
    paused = agent.run_sync("pay")
    assert paused.state is not None
    assert agent.resume_sync(paused.state, approvals={"p1": Approve()}).text.endswith("ada")
