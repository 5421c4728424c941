"""run_sync: works from plain threads, asyncio.to_thread and inside a running loop (a
notebook cell); survives whatever a tool raises; refuses only on its own loop."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from locus.agent import Agent, AgentResult
from locus.core.messages import Message, ToolCall
from locus.core.toolspec import ToolSpec
from locus.testing import FunctionModel, ScriptedModel
from locus.tools import Tool, tool


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


async def test_run_sync_inside_a_running_loop_works_like_a_notebook_cell() -> None:
    # the calling thread's loop is blocked for the call, as any sync call blocks it
    asyncio.get_running_loop()
    assert Agent(ScriptedModel(["from a cell"])).run_sync("q").message == "from a cell"


def test_run_sync_on_its_own_loop_is_a_clear_error() -> None:
    inner = Agent(ScriptedModel(["never"]))

    @tool
    async def delegate() -> str:
        """Ask the inner agent, wrongly, through its sync entry point."""
        return inner.run_sync("q").message

    outer = Agent(ScriptedModel([ToolCall("c1", "delegate", {}), "done"]), tools=[delegate])
    result = outer.run_sync("go")
    errors = [m.content or "" for m in result.messages if m.role == "tool"]
    assert len(errors) == 1 and "await agent.arun" in errors[0]
    assert "own sync loop" in errors[0]


@pytest.mark.parametrize("escape", [KeyboardInterrupt, SystemExit])
@pytest.mark.parametrize("is_async", [False, True])
def test_a_tool_raising_an_escape_reaches_the_caller_and_the_loop_lives_on(
    escape: type[BaseException], is_async: bool
) -> None:
    def stop() -> str:
        """Stop everything."""
        raise escape()

    async def astop() -> str:
        """Stop everything."""
        raise escape()

    chosen: Tool[[], Any] = Tool(astop, name="stop") if is_async else Tool(stop, name="stop")
    agent = Agent(ScriptedModel([ToolCall("c1", "stop", {}), "unreached"]), tools=[chosen])
    with pytest.raises(escape):
        agent.run_sync("go")
    # the shared loop still serves every later call, from any thread
    assert Agent(ScriptedModel(["alive"])).run_sync("q").message == "alive"
    results: list[AgentResult] = []
    worker = threading.Thread(
        target=lambda: results.append(Agent(ScriptedModel(["also"])).run_sync("q"))
    )
    worker.start()
    worker.join(timeout=10)
    assert [r.message for r in results] == ["also"]


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
