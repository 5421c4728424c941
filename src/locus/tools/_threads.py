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
in ``abandoned()``, and its result is dropped when it finally returns. A call given up
on before a thread started it is never run (its run has ended and said it did not
finish: running it later would be a side effect nobody is told about).

Batches: the sync calls an event loop submits in one of its iterations (the parallel
calls of one model turn) go to one worker as a batch, and their results come back
with one wake-up of the loop, when the batch is done: each hop between threads costs
far more than a quick tool. The batch's calls still run concurrently as far as anyone
can tell: once a call of a batch has run for ``STEAL_AFTER`` seconds, the calls not yet
started each go to a thread of their own, and the results already there are handed
over (see ``_Port``).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import itertools
import logging
import queue
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from locus.core.messages import ToolCall

__all__ = [
    "IDLE_SECONDS",
    "STEAL_AFTER",
    "Started",
    "ToolJob",
    "abandon",
    "abandoned",
    "run_in_tool_thread",
    "start_in_tool_thread",
]

logger = logging.getLogger("locus.tools")

IDLE_SECONDS = 30.0
"""An idle worker thread ends after this many seconds without work."""

STEAL_AFTER = 0.001
"""Seconds a call of a batch may run before the batch's unstarted calls get threads of
their own (and the results already finished are handed to the loop)."""


@dataclass(slots=True, eq=False)
class ToolJob:
    """One call of a sync tool; ``future`` gets ``(value, error)`` on the caller's loop."""

    func: Callable[..., Any]
    kwargs: dict[str, Any]
    name: str
    future: asyncio.Future[Any]
    context: contextvars.Context
    abandoned: bool = False
    finished: bool = False
    thread: str = field(default="")


@dataclass(slots=True)
class Started:
    """A call handed to a tool thread by ``ToolExecutor.start`` (``locus.tools._executor``)."""

    call: ToolCall
    job: ToolJob
    began: float

    @property
    def future(self) -> asyncio.Future[Any]:
        return self.job.future


@dataclass(slots=True, eq=False)
class _Batch:
    """Jobs one worker runs in order; ``started`` is when its current job began (0: none)."""

    port: _Port
    queue: deque[ToolJob]
    started: float = 0.0
    timer: asyncio.TimerHandle | None = None


class _Port:
    """One event loop's door to the tool threads.

    Jobs submitted during one loop iteration leave together as a batch at the next; a
    worker's finished jobs are held until its batch is done (or the loop's check of a
    long batch takes them), and then settled with one ``call_soon_threadsafe``.
    ``lock`` guards the batches' queues, ``done`` and ``waking`` (worker and loop).
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = weakref.ref(loop)  # the port is a value of a weak dict keyed by loop
        self.lock = threading.Lock()
        self.pending: list[ToolJob] = []
        self.done: list[tuple[ToolJob, Any, BaseException | None]] = []
        self.ended: list[_Batch] = []  # batches done whose check timer is still set
        self.waking = False

    def submit(self, job: ToolJob, loop: asyncio.AbstractEventLoop) -> None:
        """Queue ``job`` (loop thread); the iteration's jobs leave together."""
        self.pending.append(job)
        if len(self.pending) == 1:
            loop.call_soon(self._flush, loop)

    def _flush(self, loop: asyncio.AbstractEventLoop) -> None:
        jobs, self.pending = self.pending, []
        batch = _Batch(self, deque(jobs))
        if len(jobs) > 1:  # set before the worker can end the batch (it cancels the timer)
            batch.timer = loop.call_later(STEAL_AFTER, self._check, batch, loop)
        _POOL.submit(batch)

    def take(self, batch: _Batch) -> ToolJob | None:
        """The batch's next job, or ``None`` when it has none left (worker thread)."""
        with self.lock:
            if not batch.queue:
                batch.started = 0.0
                return None
            batch.started = time.monotonic()
            return batch.queue.popleft()

    def finished(
        self, batch: _Batch, job: ToolJob, value: Any, error: BaseException | None
    ) -> None:
        """Hold ``job``'s outcome; wake the loop once the batch has nothing left to start."""
        with self.lock:
            self.done.append((job, value, error))
            if batch.queue:
                return
            if batch.timer is not None:
                self.ended.append(batch)
            if self.waking:
                return
            self.waking = True
        loop = self._loop()
        if loop is not None:
            with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits for it
                loop.call_soon_threadsafe(self._settle)

    def _settle(self) -> None:
        with self.lock:
            done, self.done = self.done, []
            ended, self.ended = self.ended, []
            self.waking = False
        for batch in ended:  # no check needed any more: no wake-up of the loop for it
            if batch.timer is not None:
                batch.timer.cancel()
        for job, value, error in done:
            # the outcome travels as a result and is raised in the awaiting coroutine's own
            # frame: a GeneratorExit thrown into a task closes its awaits instead of raising
            if not job.future.done():
                job.future.set_result((value, error))

    def _check(self, batch: _Batch, loop: asyncio.AbstractEventLoop) -> None:
        """While a batch has unstarted jobs: hand over what is done; once its current job
        has run ``STEAL_AFTER``, give each unstarted job a thread of its own."""
        with self.lock:
            stolen: list[ToolJob] | None = None
            if not batch.queue:
                stolen = []
            elif batch.started and time.monotonic() - batch.started >= STEAL_AFTER:
                stolen = list(batch.queue)
                batch.queue.clear()
        self._settle()
        if stolen is None:
            batch.timer = loop.call_later(STEAL_AFTER, self._check, batch, loop)
            return
        for job in stolen:
            _POOL.submit(_Batch(self, deque((job,))))


class _Pool:
    """Idle workers (most recent first) and the count of abandoned jobs still running."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: list[queue.SimpleQueue[_Batch | None]] = []
        self._numbers = itertools.count(1)
        self._ports: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Port]
        self._ports = weakref.WeakKeyDictionary()
        self.abandoned = 0

    def port(self, loop: asyncio.AbstractEventLoop) -> _Port:
        found = self._ports.get(loop)
        if found is None:
            with self._lock:
                found = self._ports.setdefault(loop, _Port(loop))
        return found

    def submit(self, batch: _Batch) -> None:
        with self._lock:
            inbox = self._idle.pop() if self._idle else None
        if inbox is None:
            inbox = queue.SimpleQueue()
            name = f"locus-tool-{next(self._numbers)}"
            threading.Thread(target=self._work, args=(inbox,), name=name, daemon=True).start()
        inbox.put(batch)

    def abandon(self, job: ToolJob) -> None:
        """The caller gave up on ``job``: count and report it if its thread still runs it."""
        with self._lock:
            if job.finished:
                return
            job.abandoned = True
            if not job.thread:  # no thread has started it: it never will (see _work)
                return
            self.abandoned += 1
        logger.warning(
            "sync tool %r is still running in thread %s after its caller gave up (timeout "
            "or cancel); the thread is kept until the tool returns and its result is dropped",
            job.name,
            job.thread or "(starting)",
        )

    def _work(self, inbox: queue.SimpleQueue[_Batch | None]) -> None:
        thread = threading.current_thread().name
        while (batch := self._next(inbox)) is not None:
            port = batch.port
            while (job := port.take(batch)) is not None:
                with self._lock:  # started, as abandon() sees it (or given up: not run)
                    dropped, job.thread = job.abandoned, thread
                value, error = (None, None) if dropped else _call(job)
                with self._lock:
                    job.finished = True
                    self.abandoned -= job.abandoned and not dropped
                port.finished(batch, job, value, error)
            with self._lock:
                self._idle.append(inbox)

    def _next(self, inbox: queue.SimpleQueue[_Batch | None]) -> _Batch | None:
        """The next batch, or ``None`` once idle too long (leaving the idle list atomically)."""
        while True:
            try:
                return inbox.get(timeout=IDLE_SECONDS)
            except queue.Empty:
                with self._lock:
                    if inbox.empty():
                        if inbox in self._idle:
                            self._idle.remove(inbox)
                        return None


def _call(job: ToolJob) -> tuple[Any, BaseException | None]:
    try:
        return job.context.run(job.func, **job.kwargs), None
    except BaseException as exc:  # handed to the awaiting task, KeyboardInterrupt included
        return None, exc


_POOL = _Pool()


def start_in_tool_thread(name: str, func: Callable[..., Any], kwargs: dict[str, Any]) -> ToolJob:
    """Hand ``func(**kwargs)`` to a tool thread; ``job.future`` gets ``(value, error)``.

    Whoever stops waiting for it before it is done calls ``abandon(job)``.
    """
    loop = asyncio.get_running_loop()
    job = ToolJob(func, kwargs, name, loop.create_future(), contextvars.copy_context())
    _POOL.port(loop).submit(job, loop)
    return job


def abandon(job: ToolJob) -> None:
    """Stop waiting for ``job`` (its result will be dropped; see ``_Pool.abandon``)."""
    job.future.cancel()
    _POOL.abandon(job)


async def run_in_tool_thread(name: str, func: Callable[..., Any], kwargs: dict[str, Any]) -> Any:
    """Run ``func(**kwargs)`` in a tool thread and wait for it (cancellable)."""
    job = start_in_tool_thread(name, func, kwargs)
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
