"""A2A runs in the background: a ``SendMessage`` with ``configuration.returnImmediately``
is answered at once while its run goes on in this process, tied to no request (its client
may go away; ``CancelTask`` stops it).

A process runs at most ``MAX_BACKGROUND_RUNS`` of them at once. A server that stops lets
them finish within its shutdown timeout, as it does running streams (they are counted runs,
so the app's shutdown waits for them), then cancels what is left: each then ends its task
``canceled`` and records it. The app's shutdown waits for the records being written in the
background (``TaskTable.later``); the watch that cancels the runs left is one of them, so
it is waited for too. The app's ``draining`` flag is set by its stop (a signal, or the
lifespan's end) and is a plain attribute: the watch looks at it every ``DRAIN_POLL``
seconds while background runs exist.
"""

from __future__ import annotations

import asyncio

from locus.serve._a2a_wire import RPCError
from locus.serve._state import ServeState

__all__ = ["DRAIN_POLL", "MAX_BACKGROUND_RUNS", "STOPPING", "Background"]

MAX_BACKGROUND_RUNS = 256
"""Runs a process keeps going in the background at once (``returnImmediately``)."""
DRAIN_POLL = 0.1
"""Seconds between looks at the app's ``draining`` flag while background runs exist."""
STOPPING = "the server stopped before the run ended: send the message again"
"""Why a background run still going when its server stopped was canceled."""


class Background:
    """The background runs of one app (``TaskTable.background``)."""

    def __init__(self, limit: int = MAX_BACKGROUND_RUNS) -> None:
        self.limit = limit
        self.runs: set[asyncio.Task[None]] = set()
        self.watch: asyncio.Task[None] | None = None

    def admit(self) -> None:
        """``RPCError`` when the process already runs its limit of background runs."""
        if len(self.runs) >= self.limit:
            raise RPCError(
                -32603,
                f"this server process already runs {len(self.runs)} tasks in the background "
                f"(returnImmediately), its limit (MAX_BACKGROUND_RUNS = {self.limit}): wait "
                "for one to end, or send the message without returnImmediately",
            )

    def add(
        self,
        driver: asyncio.Task[None],
        state: ServeState,
        timeout: float,
        later: set[asyncio.Task[None]],
    ) -> None:
        """Keep ``driver`` (a run's task) going until it ends, or the server stops and
        ``timeout`` seconds pass; the watch for that is kept in ``later``."""
        self.runs.add(driver)
        driver.add_done_callback(self.runs.discard)
        watch = self.watch
        if watch is None or watch.done() or watch.get_loop() is not driver.get_loop():
            watch = self.watch = driver.get_loop().create_task(self._watch(state, timeout, later))
            later.add(watch)
            watch.add_done_callback(later.discard)

    async def _watch(
        self, state: ServeState, timeout: float, later: set[asyncio.Task[None]]
    ) -> None:
        while self.runs and not state.draining:
            await asyncio.sleep(DRAIN_POLL)
        if not self.runs:
            return
        _, left = await asyncio.wait(set(self.runs), timeout=timeout)
        for driver in left:
            driver.cancel(STOPPING)
        if left:
            await asyncio.wait(left)  # (each records its task canceled)
        writing = {task for task in later if task is not asyncio.current_task()}
        if writing:  # the records of those runs deferred (their context's lock was held)
            await asyncio.wait(writing, timeout=timeout)
