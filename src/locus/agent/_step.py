"""``Step``: one state of a run (``_run``), an async generator of its events or, for a
step that has none, a coroutine (no generator to create, register and close)."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Coroutine
from typing import Any

from locus.agent import _events as ev

__all__ = ["Step", "close_events"]

Step = Callable[[], AsyncGenerator[ev.RunEvent, None] | Coroutine[Any, Any, None]]


async def close_events(events: AsyncGenerator[Any, None]) -> None:
    """Close a generator of events once its reader is done with it, as
    ``contextlib.aclosing`` does, except while it is still running: that happens only
    when the coroutine reading it was closed instead of cancelled (a Temporal worker
    evicting a workflow, a task dropped with its loop). Python then closes each awaiting
    object, not the generators below it, and leaves them marked as running, so
    ``aclose()`` would raise ``RuntimeError: aclose(): asynchronous generator is already
    running`` at every level (printed as "Exception ignored in ..." when collected)."""
    if not getattr(events, "ag_running", False):  # (a native generator's flag)
        await events.aclose()
