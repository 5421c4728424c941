"""Where sync tools run: daemon worker threads of their own, never the loop's executor.

A thread cannot be interrupted, so a sync tool that hangs past its timeout (or
whose run is cancelled) keeps its thread until it returns. With a fixed pool that
would quietly eat capacity: after a few hung tools every other sync tool (and any
``asyncio.to_thread`` work, such as a model's first config read) would wait behind
them, and an agent used as a tool would deadlock waiting for a thread its own
caller holds. So the pool is elastic: an idle thread is reused, and when none is
idle a new one starts; idle threads end after ``IDLE_SECONDS``. Threads are daemons,
so a hung tool never holds the process at exit. A tool still running after its
caller gave up is *abandoned*: it is logged once with its name and thread, counted
in ``abandoned()``, and its result is dropped when it finally returns.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import itertools
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["IDLE_SECONDS", "abandoned", "run_in_tool_thread"]

logger = logging.getLogger("locus.tools")

IDLE_SECONDS = 30.0
"""An idle worker thread ends after this many seconds without work."""


@dataclass(slots=True, eq=False)
class _Job:
    func: Callable[..., Any]
    kwargs: dict[str, Any]
    name: str
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Any]
    context: contextvars.Context
    abandoned: bool = False
    finished: bool = False
    thread: str = field(default="")


class _Pool:
    """Idle workers (most recent first) and the count of abandoned jobs still running."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: list[queue.SimpleQueue[_Job | None]] = []
        self._numbers = itertools.count(1)
        self.abandoned = 0

    def submit(self, job: _Job) -> None:
        with self._lock:
            inbox = self._idle.pop() if self._idle else None
        if inbox is None:
            inbox = queue.SimpleQueue()
            name = f"locus-tool-{next(self._numbers)}"
            threading.Thread(target=self._work, args=(inbox,), name=name, daemon=True).start()
        inbox.put(job)

    def abandon(self, job: _Job) -> None:
        """The caller gave up on ``job``: count and report it if its thread still runs it."""
        with self._lock:
            if job.finished:
                return
            job.abandoned = True
            self.abandoned += 1
        logger.warning(
            "sync tool %r is still running in thread %s after its caller gave up (timeout "
            "or cancel); the thread is kept until the tool returns and its result is dropped",
            job.name,
            job.thread or "(starting)",
        )

    def _work(self, inbox: queue.SimpleQueue[_Job | None]) -> None:
        while (job := self._next(inbox)) is not None:
            job.thread = threading.current_thread().name
            value, error = _call(job)
            with self._lock:
                job.finished = True
            _settle(job, value, error)
            with self._lock:
                if job.abandoned:
                    self.abandoned -= 1
                self._idle.append(inbox)

    def _next(self, inbox: queue.SimpleQueue[_Job | None]) -> _Job | None:
        """The next job, or ``None`` once idle too long (leaving the idle list atomically)."""
        while True:
            try:
                return inbox.get(timeout=IDLE_SECONDS)
            except queue.Empty:
                with self._lock:
                    if inbox.empty():
                        if inbox in self._idle:
                            self._idle.remove(inbox)
                        return None


def _call(job: _Job) -> tuple[Any, BaseException | None]:
    try:
        return job.context.run(job.func, **job.kwargs), None
    except BaseException as exc:  # handed to the awaiting task, KeyboardInterrupt included
        return None, exc


def _settle(job: _Job, value: Any, error: BaseException | None) -> None:
    def settle() -> None:
        # the outcome travels as a result and is raised in the awaiting coroutine's own
        # frame: a GeneratorExit thrown into a task closes its awaits instead of raising
        if not job.future.done():
            job.future.set_result((value, error))

    with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits for the result
        job.loop.call_soon_threadsafe(settle)


_POOL = _Pool()


async def run_in_tool_thread(name: str, func: Callable[..., Any], kwargs: dict[str, Any]) -> Any:
    """Run ``func(**kwargs)`` in a tool thread and wait for it (cancellable)."""
    loop = asyncio.get_running_loop()
    job = _Job(func, kwargs, name, loop, loop.create_future(), contextvars.copy_context())
    _POOL.submit(job)
    try:
        value, error = await job.future
    except asyncio.CancelledError:
        _POOL.abandon(job)
        raise
    if error is not None:
        raise error
    return value


def abandoned() -> int:
    """How many sync tool calls are still running after their caller gave up."""
    return _POOL.abandoned
