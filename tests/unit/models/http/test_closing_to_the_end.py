"""``_run_to_end``: a closing run in the calling task goes on to its end when the task is
cancelled meanwhile (the future it waits for is left alone), then the cancellation is
raised; an error of the closing after a cancellation does not swallow the cancellation."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

import pytest

from locus.models.http._httpcore_transport import _run_to_end


async def _drive(closing: Coroutine[Any, Any, None]) -> None:
    await _run_to_end(closing)


async def test_a_cancel_at_a_bare_yield_lets_the_closing_finish_first() -> None:
    steps: list[str] = []

    async def closing() -> None:
        steps.append("start")
        await asyncio.sleep(0)
        steps.append("done")

    task = asyncio.create_task(_drive(closing()))
    asyncio.get_running_loop().call_soon(task.cancel)  # lands at the closing's sleep(0)
    with pytest.raises(asyncio.CancelledError):
        await task
    assert steps == ["start", "done"]


async def test_a_cancel_while_the_closing_waits_leaves_its_future_alone() -> None:
    needed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    steps: list[str] = []

    async def closing() -> None:
        steps.append("start")
        await needed
        steps.append("after the future")
        await asyncio.sleep(0)
        steps.append("done")

    task = asyncio.create_task(_drive(closing()))
    await asyncio.sleep(0)  # (the task runs up to the future)
    assert steps == ["start"]
    task.cancel()
    await asyncio.sleep(0)
    task.cancel()  # a second one changes nothing either
    await asyncio.sleep(0)
    assert not needed.cancelled()
    assert not task.done()
    needed.set_result(None)
    with pytest.raises(asyncio.CancelledError):
        await task
    assert steps == ["start", "after the future", "done"]


async def test_without_a_cancel_the_closing_just_runs() -> None:
    steps: list[str] = []

    async def closing() -> None:
        await asyncio.sleep(0)
        steps.append("done")

    await _drive(closing())
    assert steps == ["done"]


async def test_an_error_after_a_cancel_still_raises_the_cancellation() -> None:
    async def closing() -> None:
        await asyncio.sleep(0)
        raise OSError("close failed")

    task = asyncio.create_task(_drive(closing()))
    asyncio.get_running_loop().call_soon(task.cancel)
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_an_error_without_a_cancel_is_raised() -> None:
    async def closing() -> None:
        await asyncio.sleep(0)
        raise OSError("close failed")

    with pytest.raises(OSError, match="close failed"):
        await _drive(closing())
