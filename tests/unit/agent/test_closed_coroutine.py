"""A run whose coroutine is closed instead of cancelled (what a Temporal worker does to a
workflow it evicts, and what happens to a task dropped with its loop).

Python closes the objects the coroutine awaits, not the async generators of the agent
loop below it, and leaves each generator marked as running: the loop's ``finally``
blocks then raised ``RuntimeError: aclose(): asynchronous generator is already
running`` at every level (``arun``, the run, the tool step, the tool calls), printed as
"Exception ignored in ..." when collected (under pytest: a failure of whatever test was
running). They are now left to their own finalization.
"""

from __future__ import annotations

import asyncio
import gc
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from locus.agent import Agent
from locus.core.messages import ToolCall
from locus.testing import ScriptedModel
from locus.tools import tool


@tool
async def wait_for_ever() -> str:
    """Wait until cancelled."""
    await asyncio.Event().wait()
    return "never"


@pytest.fixture
def unraisable() -> Iterator[list[Any]]:
    seen: list[Any] = []
    previous = sys.unraisablehook
    sys.unraisablehook = seen.append
    try:
        yield seen
    finally:
        sys.unraisablehook = previous


def test_a_run_whose_coroutine_is_closed_raises_nothing_from_its_generators(
    unraisable: list[Any],
) -> None:
    agent = Agent(
        ScriptedModel([ToolCall("c1", "wait_for_ever", {}), "done"]), tools=[wait_for_ever]
    )
    loop = asyncio.new_event_loop()
    loop.set_exception_handler(lambda _loop, _context: None)
    try:
        run = agent.arun("go")
        driver = loop.create_task(_step_until_waiting(run))
        waiting = loop.run_until_complete(driver)
        assert waiting  # the run is inside its tool call
        run.close()  # closed, not cancelled: GeneratorExit where arun awaits the run
        del run
        gc.collect()
        loop.run_until_complete(asyncio.sleep(0))
    finally:
        loop.close()
    gc.collect()
    # (asyncio's own finalizer may still log, as "Task exception was never retrieved",
    # the aclose() it tries on the innermost generator: that one is Python's, not ours)
    assert [(u.exc_value, u.object) for u in unraisable] == []


async def _step_until_waiting(run: Any) -> bool:
    """Drive ``run`` by hand (as a workflow's own loop does) until it waits on its tool."""
    awaited = run.send(None)
    for _ in range(50):
        if awaited is not None and not awaited.done():
            await asyncio.sleep(0.01)
            if not awaited.done():
                return True
        awaited = run.send(None)
    return False
