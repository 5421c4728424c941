"""Where a sync tool runs: in a worker thread, or on the event loop once it proved quick.

A worker thread keeps a blocking tool (a sync HTTP call, a file read) from stalling
every other run on the loop, but the hop there and back costs about 0.1 ms, often more
than a small tool itself. So by default (``run_in_thread=None``) a sync tool's first
calls run in a thread and are timed there; once ``TRIALS`` of them took under ``QUICK``
seconds each it runs inline (slower calls do not count: under load a thread also waits
for the GIL, so one slow call proves nothing, while a tool that waits on I/O is never
quick). An inline call that takes longer than
``STALL`` seconds sends the tool back to threads for good, with one warning. A pure
Python tool holds the GIL in a thread too, so inline costs the loop nothing more for
it; only a tool that waits on I/O gains from the thread, and such a tool is not quick.

``run_in_thread=True`` always uses a thread (no inline trial); ``False`` always runs
inline (for tools known to be cheap).
"""

from __future__ import annotations

import logging

__all__ = ["Placement"]

logger = logging.getLogger("locus.tools")

TRIALS = 3
"""Quick calls, in a thread, before a tool runs inline."""
QUICK = 0.001
"""Seconds: a call shorter than this costs less inline than the thread hop."""
STALL = 0.005
"""Seconds: an inline call longer than this stalled the loop; back to threads."""


class Placement:
    """The thread-or-inline decision for one sync tool (updated on the loop's thread)."""

    __slots__ = ("_quick_calls", "inline", "name", "pinned")

    def __init__(self, name: str, run_in_thread: bool | None) -> None:
        self.name = name
        self.pinned = run_in_thread is not None
        self.inline = run_in_thread is False
        self._quick_calls = 0

    def after_thread_call(self, seconds: float) -> None:
        """Count a call timed in a worker thread; promote after enough quick ones."""
        if self.pinned or seconds >= QUICK:
            return
        self._quick_calls += 1
        if self._quick_calls >= TRIALS:
            self.inline = True

    def after_inline_call(self, seconds: float) -> None:
        """Check an inline call; one that stalled the loop sends the tool back to threads."""
        if self.pinned or seconds <= STALL:
            return
        self.inline = False
        self.pinned = True
        logger.warning(
            "tool %r blocked the event loop for %.1f ms; it runs in a worker thread from "
            "now on (declare it with @tool(run_in_thread=True) to skip the inline trial)",
            self.name,
            seconds * 1000,
        )
