"""Sync tools: worker thread until proved quick, then inline; a stall sends them back."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from locus.core.errors import ConfigurationError
from locus.tools import tool
from locus.tools.placement import STALL, TRIALS


def _thread_probe(run_in_thread: bool | None = None) -> tuple[object, list[bool]]:
    """A sync tool that records, per call, whether it ran on the calling (loop) thread."""
    loop_thread = threading.get_ident()
    on_loop: list[bool] = []

    @tool(run_in_thread=run_in_thread)
    def where(pause: float = 0.0) -> str:
        """Record where this call ran."""
        on_loop.append(threading.get_ident() == loop_thread)
        if pause:
            time.sleep(pause)  # the blocking work under test
        return "ok"

    return where, on_loop


async def test_a_quick_sync_tool_runs_inline_after_its_trials() -> None:
    where, on_loop = _thread_probe()
    for _ in range(TRIALS + 2):
        assert await where.invoke({}) == "ok"  # type: ignore[attr-defined]
    assert on_loop == [False] * TRIALS + [True, True]


async def test_a_slow_sync_tool_stays_in_threads() -> None:
    where, on_loop = _thread_probe()
    for _ in range(TRIALS + 2):
        await where.invoke({"pause": 0.002})  # type: ignore[attr-defined]
    assert on_loop == [False] * (TRIALS + 2)


async def test_slow_trials_do_not_count() -> None:
    where, on_loop = _thread_probe()
    await where.invoke({})  # type: ignore[attr-defined]
    await where.invoke({"pause": 0.002})  # type: ignore[attr-defined]
    for _ in range(TRIALS - 1):
        await where.invoke({})  # type: ignore[attr-defined]
    await where.invoke({})  # type: ignore[attr-defined]
    assert on_loop == [False] * (TRIALS + 1) + [True]


async def test_an_inline_call_that_stalls_the_loop_goes_back_to_threads(
    caplog: pytest.LogCaptureFixture,
) -> None:
    where, on_loop = _thread_probe()
    for _ in range(TRIALS):
        await where.invoke({})  # type: ignore[attr-defined]
    with caplog.at_level(logging.WARNING, logger="locus.tools"):
        await where.invoke({"pause": STALL * 2})  # type: ignore[attr-defined]
    for _ in range(TRIALS + 1):
        await where.invoke({})  # type: ignore[attr-defined]
    assert on_loop == [False] * TRIALS + [True] + [False] * (TRIALS + 1)
    assert "blocked the event loop" in caplog.text
    assert "run_in_thread=True" in caplog.text


async def test_run_in_thread_true_always_uses_a_thread() -> None:
    where, on_loop = _thread_probe(run_in_thread=True)
    for _ in range(TRIALS + 2):
        await where.invoke({})  # type: ignore[attr-defined]
    assert not any(on_loop)


async def test_run_in_thread_false_runs_inline_from_the_first_call() -> None:
    where, on_loop = _thread_probe(run_in_thread=False)
    await where.invoke({"pause": STALL * 2})  # type: ignore[attr-defined]
    await where.invoke({})  # type: ignore[attr-defined]
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
