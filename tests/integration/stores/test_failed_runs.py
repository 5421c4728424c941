"""A run that fails (a model error, a cancellation) leaves its thread exactly as it was, on
every store (issue 18's done-when), and frees the thread for the next run."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from locus.agent import Agent
from locus.core.errors import RunCancelledError, ServerError
from locus.core.messages import Message, ToolCall
from locus.core.toolspec import ToolSpec
from locus.stores import open_thread_store
from locus.testing import FunctionModel, ScriptedModel, Turn
from locus.tools import tool
from tests.deadlines import within


@tool
def note(text: str) -> str:
    """Write a note."""
    return f"noted {text}"


@pytest.fixture(params=["memory", "sqlite", "postgres"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Any]:
    if request.param == "memory":
        url = "memory://"
    elif request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/threads.db"
    else:
        url = request.getfixturevalue("postgres_dsn")
    made: Any = open_thread_store(url)
    await made.append("t", [Message.user("old"), Message.assistant("reply")])
    yield made
    await made.aclose()


async def _texts(store: Any) -> list[str]:
    return [m.text for m in await store.load("t")]


async def test_a_model_error_after_a_tool_call_writes_nothing(store: Any) -> None:
    model = ScriptedModel(
        [ToolCall("c", "note", {"text": "x"}), ServerError("down", status=503), "fine"]
    )
    agent = Agent(model, [note], thread_store=store)
    with pytest.raises(ServerError):
        await agent.arun("new", thread_id="t")
    assert await _texts(store) == ["old", "reply"]  # no prompt, no call without its result
    result = await agent.arun("again", thread_id="t", timeout=30)
    assert result.message == "fine"
    assert await _texts(store) == ["old", "reply", "again", "fine"]


@pytest.mark.parametrize("how", ["agent.cancel()", "task.cancel()"])
async def test_a_cancelled_run_writes_nothing(store: Any, how: str) -> None:
    gate, entered = asyncio.Event(), asyncio.Event()

    async def brain(messages: list[Message], tools: list[ToolSpec]) -> Turn:
        if messages[-1].role == "user":
            if not entered.is_set():
                entered.set()
                await gate.wait()  # the first run is cancelled while it waits here
            return ToolCall(f"c{len(messages)}", "note", {"text": messages[-1].text})
        return f"done {messages[-2].tool_calls[0].arguments['text']}"

    agent = Agent(FunctionModel(brain), [note], thread_store=store)
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
    assert await _texts(store) == ["old", "reply"]
    result = await agent.arun("second", thread_id="t", timeout=30)  # the lock was released
    assert result.message == "done second"
    assert await _texts(store) == ["old", "reply", "second", "", "noted second", "done second"]
