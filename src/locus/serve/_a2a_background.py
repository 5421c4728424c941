"""A2A runs in the background: a ``SendMessage`` with ``configuration.returnImmediately``
is answered at once while its run goes on in this process, tied to no request (its client
may go away; ``CancelTask`` stops it).

A process runs at most ``MAX_BACKGROUND_RUNS`` of them at once. A server that stops lets
them finish within its shutdown timeout, as it does running streams (they are counted runs,
so the app's shutdown waits for them), then cancels what is left: each then ends its task
``canceled`` and records it. The app's shutdown waits for the records being written in the
background (``TaskTable.later``); the watch that cancels the runs left is one of them, so
it is waited for too, and it waits in turn for those runs' records and for this app's
presences in its stores to be let go of (``_a2a_presence``): the event loop's end would
cancel a lock being let go of midway, breaking its connection (a PostgreSQL pool then
repairing it kept the process from exiting). The app's ``draining`` flag is set by its
stop (a signal, or the lifespan's end) and is a plain attribute: the watch looks at it
every ``DRAIN_POLL`` seconds while background runs exist.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from locus.serve._a2a_presence import Presences
from locus.serve._a2a_wire import RPCError
from locus.serve._state import ServeState

__all__ = ["DRAIN_POLL", "MAX_BACKGROUND_RUNS", "STOPPING", "Background", "Stop"]

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

    def add(self, driver: asyncio.Task[None], stop: Stop) -> None:
        """Keep ``driver`` (a run's task) going until it ends, or the app stops and its
        timeout passes (``stop``: the watch for that is kept in ``stop.later``)."""
        self.runs.add(driver)
        driver.add_done_callback(self.runs.discard)
        watch = self.watch
        if watch is None or watch.done() or watch.get_loop() is not driver.get_loop():
            watch = self.watch = driver.get_loop().create_task(self._watch(stop))
            stop.later.add(watch)
            watch.add_done_callback(stop.later.discard)

    async def _watch(self, stop: Stop) -> None:
        while self.runs and not stop.state.draining:
            await asyncio.sleep(DRAIN_POLL)
        if not self.runs:
            return
        _, left = await asyncio.wait(set(self.runs), timeout=stop.timeout)
        for driver in left:
            driver.cancel(STOPPING)
        if left:
            await asyncio.wait(left)  # (each records its task canceled)
        await _settle(stop)


@dataclass(slots=True)
class Stop:
    """What a stopping app does with its background runs: ``state.draining`` says it
    stops; ``timeout`` (its shutdown timeout) is how long the runs get; ``later``, the
    app's background record writers, which it waits for; ``presences``, this app's."""

    state: ServeState
    timeout: float
    later: set[asyncio.Task[None]]
    presences: Presences


async def _settle(stop: Stop) -> None:
    """Wait for the records of canceled runs written in the background (their context's
    lock was held), then for this app's presences being let go of (each after its last
    record), ``stop.timeout`` seconds at most each."""
    writing = {task for task in stop.later if task is not asyncio.current_task()}
    if writing:
        await asyncio.wait(writing, timeout=stop.timeout)
    letting_go = stop.presences.letting_go()
    if letting_go:
        await asyncio.wait(letting_go, timeout=stop.timeout)
