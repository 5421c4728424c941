"""run_sync: works from plain threads and asyncio.to_thread; refuses inside a running loop."""

from __future__ import annotations

import asyncio
import threading

import pytest

from locus.agent import Agent, AgentResult
from locus.core.errors import ConfigurationError
from locus.core.messages import Message
from locus.core.toolspec import ToolSpec
from locus.testing import FunctionModel, ScriptedModel


def test_run_sync_from_the_main_thread_without_a_loop() -> None:
    assert Agent(ScriptedModel(["hi"])).run_sync("q").message == "hi"


def test_run_sync_from_a_plain_thread() -> None:
    results: list[AgentResult] = []
    agent = Agent(ScriptedModel(["from a thread"]))
    worker = threading.Thread(target=lambda: results.append(agent.run_sync("q")))
    worker.start()
    worker.join(timeout=10)
    assert [r.message for r in results] == ["from a thread"]


async def test_run_sync_via_to_thread_like_the_seed() -> None:
    agent = Agent(ScriptedModel(["seed style"]), max_iterations=4)
    result = await asyncio.to_thread(agent.run_sync, "q")
    assert result.message == "seed style"


async def test_run_sync_inside_a_running_loop_is_a_clear_error() -> None:
    model = ScriptedModel(["never"])
    with pytest.raises(ConfigurationError, match=r"running event loop.*await agent\.arun"):
        Agent(model).run_sync("q")
    assert model.requests == []  # nothing started


def test_sync_calls_share_one_loop_across_threads() -> None:
    loops: list[asyncio.AbstractEventLoop] = []

    async def brain(messages: list[Message], tools: list[ToolSpec]) -> str:
        loops.append(asyncio.get_running_loop())
        return "ok"

    agent = Agent(FunctionModel(brain))
    agent.run_sync("one")
    worker = threading.Thread(target=agent.run_sync, args=("two",))
    worker.start()
    worker.join(timeout=10)
    assert len(loops) == 2 and loops[0] is loops[1]


def test_errors_propagate_through_run_sync() -> None:
    agent = Agent(ScriptedModel([ValueError("bad model")]))
    with pytest.raises(ValueError, match="bad model") as info:
        agent.run_sync("q")
    assert info.value.result.stop_reason == "error"  # type: ignore[attr-defined]
