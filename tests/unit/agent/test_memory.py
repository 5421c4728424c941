"""thread_id keeps history between runs, behind the ThreadStore interface."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from locus.agent import Agent, InMemoryThreadStore, ThreadStore
from locus.core.errors import ServerError
from locus.core.messages import Message, ToolCall
from locus.testing import ScriptedModel
from locus.tools import tool


@tool
def remember(fact: str) -> str:
    """Store a fact."""
    return f"stored {fact}"


async def test_thread_history_is_carried_between_runs() -> None:
    model = ScriptedModel([ToolCall("c", "remember", {"fact": "blue"}), "Noted.", "Blue."])
    agent = Agent(model, [remember], system_prompt="sys")
    await agent.arun("My favourite colour is blue.", thread_id="t1")
    second = await agent.arun("What is my favourite colour?", thread_id="t1")
    assert second.message == "Blue."
    seen = [(m.role, m.text) for m in model.requests[-1].messages]
    assert seen == [
        ("system", "sys"),
        ("user", "My favourite colour is blue."),
        ("assistant", ""),
        ("tool", "stored blue"),
        ("assistant", "Noted."),
        ("user", "What is my favourite colour?"),
    ]


async def test_threads_are_isolated_and_system_prompt_is_not_stored() -> None:
    store = InMemoryThreadStore()
    agent = Agent(ScriptedModel(["a", "b", "c"]), system_prompt="sys", thread_store=store)
    await agent.arun("one", thread_id="x")
    await agent.arun("two", thread_id="y")
    no_thread = await agent.arun("three")
    assert [m.text for m in await store.load("x")] == ["one", "a"]
    assert [m.text for m in await store.load("y")] == ["two", "b"]
    assert [m.role for m in no_thread.messages] == ["system", "user", "assistant"]
    store.clear("x")
    assert "x" not in store and "y" in store
    store.clear()
    assert await store.load("y") == []


async def test_failed_run_appends_nothing() -> None:
    store = InMemoryThreadStore()
    model = ScriptedModel([ToolCall("c", "remember", {"fact": "f"}), ServerError("x", status=500)])
    agent = Agent(model, [remember], thread_store=store)
    with pytest.raises(ServerError):
        await agent.arun("q", thread_id="t")
    assert await store.load("t") == []


class ListStore:
    """A user-written store: anything with load/append works."""

    def __init__(self) -> None:
        self.saved: list[tuple[str, list[Message]]] = []

    async def load(self, thread_id: str) -> list[Message]:
        return [m for tid, ms in self.saved if tid == thread_id for m in ms]

    async def append(self, thread_id: str, messages: Sequence[Message]) -> None:
        self.saved.append((thread_id, list(messages)))


async def test_custom_store() -> None:
    store = ListStore()
    assert isinstance(store, ThreadStore)
    agent = Agent(ScriptedModel(["a", "b"]), thread_store=store)
    await agent.arun("one", thread_id="t")
    await agent.arun("two", thread_id="t")
    assert [len(ms) for _, ms in store.saved] == [2, 2]
