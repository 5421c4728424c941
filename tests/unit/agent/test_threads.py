"""Agent(thread_store=URL | store), the per-thread lock, and failed runs that write nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from locus.agent import Agent, InMemoryThreadStore, ThreadStore
from locus.core.errors import (
    ConfigurationError,
    RunCancelledError,
    ServerError,
    ThreadConflictError,
)
from locus.core.messages import Message, ToolCall
from locus.core.toolspec import ToolSpec
from locus.stores import InMemoryThreadStore as StoresInMemory
from locus.testing import FunctionModel, ScriptedModel, Turn
from locus.tools import tool
from tests.deadlines import within


@tool
def note(text: str) -> str:
    """Write a note."""
    return f"noted {text}"


def test_the_agent_names_are_the_stores_names() -> None:
    assert InMemoryThreadStore is StoresInMemory
    assert isinstance(Agent(ScriptedModel([])).thread_store, InMemoryThreadStore)


def test_memory_url_and_bad_specs() -> None:
    assert isinstance(
        Agent(ScriptedModel([]), thread_store="memory://").thread_store, InMemoryThreadStore
    )
    with pytest.raises(ConfigurationError):
        Agent(ScriptedModel([]), thread_store="redis://localhost")
    with pytest.raises(ConfigurationError):
        Agent(ScriptedModel([]), thread_store=42)  # type: ignore[call-overload]


class TwoMethodStore:
    """A user's store with only load/append: the agent locks it itself, in this process."""

    def __init__(self) -> None:
        self.threads: dict[str, list[Message]] = {}

    async def load(self, thread_id: str) -> list[Message]:
        return list(self.threads.get(thread_id, ()))

    async def append(self, thread_id: str, messages: Sequence[Message]) -> None:
        self.threads.setdefault(thread_id, []).extend(messages)


def gated_model(gate: asyncio.Event, entered: asyncio.Event) -> FunctionModel:
    """Calls ``note`` once per run; the first model call of the first run waits on ``gate``."""

    async def brain(messages: list[Message], tools: list[ToolSpec]) -> Turn:
        if messages[-1].role == "user":
            if not entered.is_set():
                entered.set()
                await gate.wait()
            return ToolCall(f"c{len(messages)}", "note", {"text": messages[-1].text})
        return f"done {messages[-2].tool_calls[0].arguments['text']}"

    return FunctionModel(brain)


@pytest.mark.parametrize("store_kind", ["memory", "two-method"])
async def test_two_runs_on_one_thread_never_interleave(store_kind: str) -> None:
    store: ThreadStore = InMemoryThreadStore() if store_kind == "memory" else TwoMethodStore()
    gate, entered = asyncio.Event(), asyncio.Event()
    agent = Agent(gated_model(gate, entered), [note], thread_store=store)
    first = asyncio.create_task(agent.arun("first", thread_id="t"))
    await within(entered.wait(), "the first run reached the model")
    second = asyncio.create_task(agent.arun("second", thread_id="t"))
    for _ in range(20):  # let the second run get as far as it can: the lock must hold it
        await asyncio.sleep(0)
    assert not second.done()
    gate.set()
    await asyncio.gather(first, second)
    stored = await store.load("t")
    assert [(m.role, m.text) for m in stored] == [
        ("user", "first"),
        ("assistant", ""),
        ("tool", "noted first"),
        ("assistant", "done first"),
        ("user", "second"),
        ("assistant", ""),
        ("tool", "noted second"),
        ("assistant", "done second"),
    ]


@pytest.mark.parametrize("store_kind", ["memory", "two-method"])
async def test_a_busy_thread_past_the_runs_timeout_is_a_thread_conflict(store_kind: str) -> None:
    store: ThreadStore = InMemoryThreadStore() if store_kind == "memory" else TwoMethodStore()
    gate, entered = asyncio.Event(), asyncio.Event()
    agent = Agent(gated_model(gate, entered), [note], thread_store=store)
    first = asyncio.create_task(agent.arun("first", thread_id="t"))
    await within(entered.wait(), "the first run reached the model")
    with pytest.raises(ThreadConflictError):
        await agent.arun("second", thread_id="t", timeout=0.05)
    gate.set()
    await first
    assert (await store.load("t"))[0].text == "first"
    assert len(await store.load("t")) == 4
    # other threads were never blocked
    other = await agent.arun("other", thread_id="u")
    assert other.message == "done other"


async def test_a_failed_run_writes_nothing_and_frees_the_thread() -> None:
    store = InMemoryThreadStore()
    await store.append("t", [Message.user("old"), Message.assistant("reply")])
    model = ScriptedModel(
        [ToolCall("c", "note", {"text": "x"}), ServerError("down", status=503), "fine"]
    )
    agent = Agent(model, [note], thread_store=store)
    with pytest.raises(ServerError):
        await agent.arun("new", thread_id="t")
    assert [m.text for m in await store.load("t")] == ["old", "reply"]
    result = await agent.arun("again", thread_id="t", timeout=5)
    assert result.message == "fine"
    assert [m.text for m in await store.load("t")] == ["old", "reply", "again", "fine"]


@pytest.mark.parametrize("how", ["agent.cancel()", "task.cancel()"])
async def test_a_cancelled_run_writes_nothing(how: str) -> None:
    store = InMemoryThreadStore()
    gate, entered = asyncio.Event(), asyncio.Event()
    agent = Agent(gated_model(gate, entered), [note], thread_store=store)
    task = asyncio.create_task(agent.arun("first", thread_id="t"))
    await within(entered.wait(), "the first run reached the model")
    if how == "agent.cancel()":
        agent.cancel()
        with pytest.raises(RunCancelledError):
            await task
    else:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert await store.load("t") == []
    result = await agent.arun("second", thread_id="t", timeout=5)  # the lock was released
    assert result.message == "done second"
