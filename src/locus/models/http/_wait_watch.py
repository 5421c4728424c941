"""One timer per stream for the deadline of its current wait.

An anyio cancel scope with a deadline schedules a loop timer when it is entered and
cancels it when it exits: about 10 µs of CPU for every event of a stream, most of which
arrive long before their deadline. Here each wait enters a scope without a deadline,
and the stream's one timer cancels that scope only when the wait it finds on firing is
overdue; a timer that fires early (its wait has ended, or a later wait has a later
deadline) is set again for the deadline of the wait in progress, if any. Deadlines only
move later from wait to wait, so the timer is set about once per stream.

The cancellation is the scope's own (``CancelScope.cancel``), so it is delivered as
anyio delivers a deadline: never into a shielded scope such as httpcore's closing.
"""

from __future__ import annotations

import asyncio
import math

import anyio

__all__ = ["WaitWatch"]


class WaitWatch:
    """Cancels the current wait's scope once the loop's clock passes its deadline."""

    __slots__ = ("_due", "_handle", "_scope")

    def __init__(self) -> None:
        self._due = math.inf
        self._handle: asyncio.TimerHandle | None = None
        self._scope: anyio.CancelScope | None = None

    def watch(self, scope: anyio.CancelScope, due: float) -> None:
        """Bound the wait running in ``scope`` by ``due`` (loop time; ``inf``: unbounded)."""
        self._scope, self._due = scope, due
        handle = self._handle
        if due == math.inf or (handle is not None and handle.when() <= due):
            return  # unbounded, or the timer fires first and will look again
        if handle is not None:
            handle.cancel()
        self._handle = asyncio.get_running_loop().call_at(due, self._fire)

    def done(self) -> None:
        """The wait in progress has ended."""
        self._scope = None

    def close(self) -> None:
        """No more waits: drop the timer."""
        self._scope = None
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _fire(self) -> None:
        self._handle = None
        scope = self._scope
        if scope is None:
            return  # no wait in progress: the next one sets the timer again
        loop = asyncio.get_running_loop()
        if loop.time() >= self._due:
            scope.cancel()
        else:
            self._handle = loop.call_at(self._due, self._fire)
