"""Sync tools run in tool threads of their own: never inline unless asked, never starved
by hung tools, never holding the process at exit, and agents used as tools never
deadlock waiting for a thread."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator

import pytest

from locus.agent import Agent
from locus.core.errors import ConfigurationError
from locus.core.messages import ToolCall
from locus.testing import ScriptedModel, Turn
from locus.tools import Tool, ToolExecutor, tool
from locus.tools import abandoned_tool_calls as abandoned


def _thread_probe(run_in_thread: bool | None = None) -> tuple[Tool[[], str], list[bool]]:
    """A sync tool that records, per call, whether it ran on the calling (loop) thread."""
    loop_thread = threading.get_ident()
    on_loop: list[bool] = []

    @tool(run_in_thread=run_in_thread)
    def where() -> str:
        """Record where this call ran."""
        on_loop.append(threading.get_ident() == loop_thread)
        return "ok"

    return where, on_loop


@pytest.fixture
def gate() -> Iterator[threading.Event]:
    """An event hung tools wait on; always released at the end of the test."""
    event = threading.Event()
    yield event
    event.set()


async def _wait_until(condition: object, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "condition not reached"
        await asyncio.sleep(0.01)


async def test_a_quick_sync_tool_never_runs_inline_by_default() -> None:
    where, on_loop = _thread_probe()
    for _ in range(10):
        assert await where.invoke({}) == "ok"
    assert on_loop == [False] * 10


async def test_run_in_thread_false_runs_inline() -> None:
    where, on_loop = _thread_probe(run_in_thread=False)
    await where.invoke({})
    await where.invoke({})
    assert on_loop == [True, True]


async def test_a_tool_error_inline_is_still_the_tools_error() -> None:
    @tool(run_in_thread=False)
    def fails() -> str:
        """Always fails."""
        raise ValueError("nope")

    with pytest.raises(ValueError, match="nope"):
        await fails.invoke({})


def test_run_in_thread_is_refused_for_async_tools() -> None:
    async def fetch() -> str:
        """Fetch something."""
        return "x"

    with pytest.raises(ConfigurationError, match="run_in_thread"):
        tool(run_in_thread=True)(fetch)


async def test_hung_tools_past_their_timeout_do_not_starve_anything(
    gate: threading.Event, caplog: pytest.LogCaptureFixture
) -> None:
    # (0.5 s, not less: a call no thread has started by its timeout is never run, and on a
    # loaded machine twelve threads took longer than 0.05 s to start: 11 of 12 were hung)
    @tool(timeout=0.5)
    def hang() -> str:
        """Wait on the gate."""
        gate.wait()
        return "late"

    quick, _ = _thread_probe()
    executor = ToolExecutor([hang, quick])
    with caplog.at_level(logging.WARNING, logger="locus.tools"):
        outcomes = await executor.run_all([ToolCall(f"c{i}", "hang", {}) for i in range(12)])
    assert all("did not finish within 0.5 s" in (o.message.content or "") for o in outcomes)
    assert abandoned() >= 12
    assert caplog.text.count("'hang' is still running in thread locus-tool-") == 12
    # more hung tools than the loop's default executor has threads: both still serve at once
    assert (await executor.run_one(ToolCall("q", "where", {}))).message.content == "ok"
    assert await asyncio.wait_for(asyncio.to_thread(lambda: "free"), 5) == "free"
    gate.set()
    await _wait_until(lambda: abandoned() == 0)


def test_agents_as_sync_tools_do_not_deadlock_at_depth_or_in_parallel() -> None:
    def leaf_agent() -> Agent:
        @tool
        def add(a: int, b: int) -> int:
            """Add two numbers."""
            return a + b

        script: list[Turn] = [ToolCall("a", "add", {"a": 1, "b": 2}), "three"]
        return Agent(ScriptedModel(script), tools=[add])

    @tool
    def delegate() -> str:
        """Ask a sub-agent, through its sync entry point, as a sync tool does."""
        return leaf_agent().run_sync("add 1 and 2").message

    calls = [ToolCall(f"d{i}", "delegate", {}) for i in range(10)]
    turns: list[Turn] = [calls, "all done"]
    outer = Agent(ScriptedModel(turns), tools=[delegate], tool_timeout=20)
    result = outer.run_sync("delegate ten times at once")
    answers = [m.content for m in result.messages if m.role == "tool"]
    assert result.message == "all done" and answers == ["three"] * 10


def test_a_hung_sync_tool_does_not_hold_process_exit() -> None:
    script = textwrap.dedent(
        """
        import threading
        from locus.agent import Agent
        from locus.core.messages import ToolCall
        from locus.testing import ScriptedModel
        from locus.tools import tool

        @tool(timeout=0.1)
        def hang() -> str:
            '''Never returns.'''
            threading.Event().wait()
            return "never"

        agent = Agent(ScriptedModel([ToolCall("c", "hang", {}), "gave up"]), tools=[hang])
        print(agent.run_sync("go").message, flush=True)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "gave up\n"
