"""A model call of a run whose events no caller reads: ``arun``, ``run_sync``, ``resume``.

Such a run (``RunRequest.watched`` false) needs only the final event of the model's
stream, which holds the whole answer (text, reasoning, tool calls, usage): its deltas
are not made into events that nothing would read. Nothing is shown, so a stream that
breaks after some deltas can be sent again as ``complete()`` sends a whole answer again:
while the answer is read, ``unwatched`` (read by the HTTP models when a stream breaks)
says so, and the model retries within the same call's retry budget, with its backoff
and, once the budget is spent, the same ``StreamError``. The retry is inside the one
model call: ``before_model_call``/``after_model_call`` hooks (and the telemetry made of
them) run once, ``metrics.model_calls`` counts one call, and the usage and the message
come from the final event of the attempt that finished, as for ``complete()``.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextvars import ContextVar
from typing import Any

from locus.core.errors import StreamError
from locus.core.response import StreamEvent

__all__ = ["final_event", "no_final_event"]

_STREAMING = "locus.models.http._streaming"


def no_final_event() -> StreamError:
    return StreamError("the model's stream ended without a final (done) event")


async def final_event(
    stream: AsyncIterator[StreamEvent], wait: Callable[[Awaitable[Any]], Awaitable[Any]] | None
) -> StreamEvent:
    """The final event of ``stream`` (each step awaited through ``wait``: the run's
    deadline), its deltas passed over, with the stream marked unwatched meanwhile."""
    flag = _unwatched_flag()
    token = flag.set(True) if flag is not None else None  # (no yield before the reset)
    try:
        while True:
            step = stream.__anext__()
            try:
                event: StreamEvent = await (step if wait is None else wait(step))
            except StopAsyncIteration:
                raise no_final_event() from None
            if event.done:
                return event
    finally:
        if flag is not None and token is not None:
            flag.reset(token)


def _unwatched_flag() -> ContextVar[bool] | None:
    """The flag the HTTP models' streams read, or ``None`` when no HTTP model was loaded
    (then no stream reads it, and the agent does not import the HTTP machinery)."""
    if _STREAMING not in sys.modules:
        return None
    from locus.models.http._streaming import unwatched

    return unwatched
