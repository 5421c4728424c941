"""Bounded waits for tests: a wait that does not end fails its test, saying what did not
happen, instead of hanging the suite.

pytest-timeout is not enough on its own: its alarm raises in whatever code runs at that
moment, and when that is a callback of the event loop, asyncio logs the exception and the
loop goes on waiting (a whole CI run hung that way). So each wait carries its own deadline,
well under the suite's 120 s per test, and generous enough for a loaded CI machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import queue
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import IO, Any, AnyStr, TypeVar, overload

T = TypeVar("T")

SECONDS = 60.0
"""The default deadline: far above what any of these waits takes on a slow machine."""


def _late(what: str, seconds: float) -> AssertionError:
    return AssertionError(f"{what}: not within {seconds:g} s")


@contextlib.asynccontextmanager
async def deadline(what: str, seconds: float = SECONDS) -> AsyncIterator[None]:
    """A block that must end within ``seconds``, or the test fails saying ``what`` did not
    happen (a ``TimeoutError`` the block raises itself passes through as it is)."""
    scope = asyncio.timeout(seconds)
    try:
        async with scope:
            yield
    except TimeoutError:
        if scope.expired():
            raise _late(what, seconds) from None
        raise


async def within(awaitable: Awaitable[T], what: str, seconds: float = SECONDS) -> T:
    """The value of ``awaitable``; the test fails if it is not there within ``seconds``."""
    async with deadline(what, seconds):
        return await awaitable


@overload
async def wait_until(
    check: Callable[[], Awaitable[T]], what: str, seconds: float = ..., every: float = ...
) -> T: ...


@overload
async def wait_until(
    check: Callable[[], T], what: str, seconds: float = ..., every: float = ...
) -> T: ...


async def wait_until(
    check: Callable[[], Any], what: str, seconds: float = SECONDS, every: float = 0.05
) -> Any:
    """Ask ``check()`` (a function or a coroutine function) every ``every`` seconds until
    it answers something true, and return that answer; the test fails after ``seconds``."""

    async def poll() -> Any:
        while True:
            answer = check()
            if inspect.isawaitable(answer):
                answer = await answer
            if answer:
                return answer
            await asyncio.sleep(every)

    return await within(poll(), what, seconds)


def wait_until_sync(
    check: Callable[[], T], what: str, seconds: float = SECONDS, every: float = 0.01
) -> T:
    """``wait_until`` for a test that is not a coroutine (the check runs in this thread)."""
    deadline = time.monotonic() + seconds
    while not (answer := check()):
        if time.monotonic() > deadline:
            raise _late(what, seconds)
        time.sleep(every)
    return answer


def read_line(stream: IO[AnyStr], what: str, seconds: float = SECONDS) -> AnyStr:
    """The next line of a child process's pipe; the test fails if none comes within
    ``seconds`` (the line is read in a thread, which ends when the process closes the pipe:
    the caller stops the process)."""
    lines: queue.Queue[AnyStr] = queue.Queue()
    threading.Thread(target=lambda: lines.put(stream.readline()), daemon=True).start()
    try:
        return lines.get(timeout=seconds)
    except queue.Empty:
        raise _late(what, seconds) from None
