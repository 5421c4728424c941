"""The tests' bounded waits (tests/deadlines.py): a wait that does not end fails its test
with what did not happen; one that ends gives its value; a TimeoutError of the awaited
code itself is not taken for the deadline."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest

from tests.deadlines import deadline, read_line, wait_until, wait_until_sync, within


async def test_a_wait_that_does_not_end_fails_saying_what_did_not_happen() -> None:
    with pytest.raises(AssertionError, match=r"^the gate opened: not within 0.05 s$"):
        await within(asyncio.Event().wait(), "the gate opened", 0.05)
    with pytest.raises(AssertionError, match=r"^the block ended: not within 0.05 s$"):
        async with deadline("the block ended", 0.05):
            await asyncio.Event().wait()
    with pytest.raises(AssertionError, match=r"^never: not within 0.05 s$"):
        await wait_until(lambda: False, "never", 0.05)
    with pytest.raises(AssertionError, match=r"^never: not within 0.05 s$"):
        wait_until_sync(lambda: False, "never", 0.05)


async def test_a_wait_that_ends_gives_its_value() -> None:
    assert await within(asyncio.sleep(0, "done"), "a sleep") == "done"
    asked: list[int] = []

    async def third_time() -> list[int]:
        asked.append(1)
        return asked if len(asked) == 3 else []

    assert await wait_until(third_time, "the third answer", every=0) == [1, 1, 1]
    assert wait_until_sync(lambda: "yes", "an answer") == "yes"


async def test_a_timeout_of_the_awaited_code_is_its_own() -> None:
    async def times_out() -> None:
        raise TimeoutError("the code's own")

    with pytest.raises(TimeoutError, match="the code's own"):
        await within(times_out(), "the call", 5)


def test_a_child_that_says_nothing_fails_the_read_in_bounded_time() -> None:
    code = "import sys, time; print('ready', flush=True); time.sleep(60)"
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    try:
        assert read_line(child.stdout, "the child says it is ready") == "ready\n"
        with pytest.raises(AssertionError, match=r"^a second line: not within 0.2 s$"):
            read_line(child.stdout, "a second line", 0.2)
    finally:
        child.kill()
        child.communicate(timeout=30)
