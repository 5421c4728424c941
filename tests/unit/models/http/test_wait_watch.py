"""WaitWatch: one timer per stream cancels a wait only once its own deadline has passed."""

from __future__ import annotations

import asyncio
import math

import anyio

from locus.models.http._wait_watch import WaitWatch


async def _wait(watch: WaitWatch, due: float, seconds: float) -> tuple[bool, float]:
    """Sleep ``seconds`` in a watched scope; (cancelled?, loop time at the end)."""
    with anyio.CancelScope() as scope:
        watch.watch(scope, due)
        try:
            await anyio.sleep(seconds)
        finally:
            watch.done()
    return scope.cancelled_caught, asyncio.get_running_loop().time()


def test_an_overdue_wait_is_cancelled_at_or_after_its_deadline() -> None:
    async def main() -> None:
        watch = WaitWatch()
        due = asyncio.get_running_loop().time() + 0.01
        cancelled, ended = await _wait(watch, due, 60)
        assert cancelled
        assert ended >= due

    asyncio.run(main())


def test_a_timer_that_fires_after_its_wait_ended_cancels_nothing_and_rearms() -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        watch = WaitWatch()
        first_due = loop.time() + 0.01
        cancelled, _ = await _wait(watch, first_due, 0)
        assert not cancelled
        # a later wait with a later deadline: the first timer fires during it, finds it
        # not yet due, and is set again for the wait's own deadline
        second_due = first_due + 0.05
        cancelled, ended = await _wait(watch, second_due, 60)
        assert cancelled
        assert ended >= second_due

    asyncio.run(main())


def test_a_timer_firing_between_waits_leaves_the_next_wait_alone() -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        watch = WaitWatch()
        await _wait(watch, loop.time() + 0.001, 0)
        await asyncio.sleep(0.01)  # the timer fires here, with no wait in progress
        cancelled, _ = await _wait(watch, math.inf, 0.01)
        assert not cancelled

    asyncio.run(main())


def test_an_earlier_deadline_replaces_the_timer() -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        watch = WaitWatch()
        await _wait(watch, loop.time() + 3600, 0)
        due = loop.time() + 0.01
        cancelled, ended = await _wait(watch, due, 60)
        assert cancelled
        assert ended >= due

    asyncio.run(main())


def test_closed_watch_cancels_its_timer() -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        watch = WaitWatch()
        with anyio.CancelScope() as scope:
            watch.watch(scope, loop.time() + 0.001)
            watch.close()
            await anyio.sleep(0.01)
        assert not scope.cancelled_caught
        assert watch._handle is None

    asyncio.run(main())
