"""A tool that swallows its cancellation (catches ``CancelledError`` and goes on) still
ends at its timeout for the model: the call is answered with an error that says the tool
did not stop, and the task left running is reported (a warning naming the tool, once),
kept until it ends, and its outcome dropped."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import TypeVar

import pytest

from locus.agent import Agent
from locus.core.errors import RunCancelledError, ToolTimeoutError
from locus.core.messages import ToolCall
from locus.testing import ScriptedModel
from locus.tools import ToolExecutor, tool
from tests import deadlines

T = TypeVar("T")


async def within(seconds: float, awaitable: Awaitable[T], release: asyncio.Event) -> T:
    """``awaitable``'s value, or a failure once ``seconds`` have passed (the stubborn tool
    is then released, so that a call that outlives its timeout fails the test instead of
    hanging it: the tool would swallow a cancel of the test's own too)."""
    task = asyncio.ensure_future(awaitable)
    done, _ = await asyncio.wait({task}, timeout=seconds)
    if not done:
        release.set()
        await asyncio.wait({task})  # (whatever it ends with, the test has failed)
        if not task.cancelled():
            task.exception()
        pytest.fail(f"the call outlived its timeout by more than {seconds} s")
    return task.result()


def stubborn_tool(name: str, release: asyncio.Event, ended: asyncio.Event) -> object:
    async def stubborn() -> str:
        """Waits for its release, whatever it is told."""
        try:
            while not release.is_set():
                try:
                    await release.wait()
                except asyncio.CancelledError:
                    continue  # swallowed: it goes on waiting
            return "late"
        finally:
            ended.set()

    stubborn.__name__ = name
    return tool(timeout=0.05)(stubborn)


async def test_a_tool_that_swallows_its_cancel_ends_at_its_timeout(
    caplog: pytest.LogCaptureFixture,
) -> None:
    release, ended = asyncio.Event(), asyncio.Event()
    stubborn = stubborn_tool("stubborn", release, ended)
    executor = ToolExecutor([stubborn])  # type: ignore[list-item]
    caplog.set_level(logging.WARNING, logger="locus.tools")
    # (before: the call waited for the release, forever)
    first = await within(5, executor.run_one(ToolCall("c1", "stubborn", {})), release)
    second = await within(5, executor.run_one(ToolCall("c2", "stubborn", {})), release)
    for outcome in (first, second):
        assert isinstance(outcome.error, ToolTimeoutError) and outcome.message.is_error
        assert "did not finish within 0.05 s" in outcome.message.text
        assert "did not stop when cancelled" in outcome.message.text
    warnings = [r for r in caplog.records if "stubborn" in r.getMessage()]
    assert len(warnings) == 1 and warnings[0].levelno == logging.WARNING  # once per tool
    assert not ended.is_set()  # still running, not dropped on the floor
    release.set()
    async with asyncio.timeout(10):
        await ended.wait()  # it ends when it will; its "late" result is dropped


async def test_a_tool_that_cleans_up_and_stops_is_an_ordinary_timeout(
    caplog: pytest.LogCaptureFixture,
) -> None:
    cleaned: list[str] = []

    @tool(timeout=0.05)
    async def tidy() -> str:
        """Never returns, but stops when cancelled (after a cleanup that awaits)."""
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            await asyncio.sleep(0)  # its own cleanup, awaited
            cleaned.append("tidy")
            raise
        return "never"

    caplog.set_level(logging.WARNING, logger="locus.tools")
    outcome = await ToolExecutor([tidy]).run_one(ToolCall("c", "tidy", {}))
    assert isinstance(outcome.error, ToolTimeoutError)
    assert outcome.message.text == "Error: tool 'tidy' did not finish within 0.05 s"
    assert cleaned == ["tidy"] and not caplog.records


async def test_a_run_goes_on_after_a_tool_that_would_not_stop() -> None:
    release, ended = asyncio.Event(), asyncio.Event()
    stubborn = stubborn_tool("obstinate", release, ended)
    model = ScriptedModel([ToolCall("c", "obstinate", {}), "gave up on it"])
    result = await within(5, Agent(model, [stubborn]).arun("go"), release)
    assert result.text == "gave up on it"
    answer = model.requests[1].messages[-1]
    assert answer.is_error and "did not stop when cancelled" in answer.text
    release.set()
    async with asyncio.timeout(10):
        await ended.wait()


async def test_a_cancelled_run_cancels_a_timed_tool() -> None:
    started, stopped = asyncio.Event(), asyncio.Event()

    @tool(timeout=30)
    async def slow() -> str:
        """Waits long."""
        started.set()
        try:
            await asyncio.Event().wait()
        finally:
            stopped.set()
        return "never"

    executor = ToolExecutor([slow])
    call = asyncio.ensure_future(executor.run_one(ToolCall("c", "slow", {})))
    await deadlines.within(started.wait(), "the tool started")
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call
    assert stopped.is_set()  # the tool was stopped before the cancel went on


async def test_a_cancelled_run_ends_although_its_timed_tool_swallows_the_cancel() -> None:
    release, ended = asyncio.Event(), asyncio.Event()
    started = asyncio.Event()

    @tool(timeout=30)
    async def deaf() -> str:
        """Waits for its release, whatever it is told."""
        started.set()
        try:
            while not release.is_set():
                try:
                    await release.wait()
                except asyncio.CancelledError:
                    continue
            return "late"
        finally:
            ended.set()

    agent = Agent(ScriptedModel([ToolCall("c", "deaf", {}), "never"]), [deaf])

    async def cancel_once_started() -> None:
        await started.wait()
        agent.cancel()

    canceller = asyncio.ensure_future(cancel_once_started())
    with pytest.raises(RunCancelledError):
        await within(5, agent.arun("go"), release)  # (at most 1 s given it to stop)
    await canceller
    release.set()
    async with asyncio.timeout(10):
        await ended.wait()
