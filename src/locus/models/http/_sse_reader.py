"""A streaming answer's body as JSON events: SSE framing, ``[DONE]``, broken connections.

Waits are bounded by the model's ``AnswerLimits`` (``locus.models.http._limits``): the
first event by the attempt's deadline, each next one within the attempt's seconds, the
whole stream by ``max_stream_seconds`` and ``max_stream_bytes``.

After the event that finishes the answer, at most ``grace`` seconds are spent waiting
for a trailing usage event: some servers hold the connection open after the finish
(wire-spec §4.6), so end of body is never relied upon.

Both waits are anyio cancel scopes, not ``asyncio.timeout``: httpcore shields the
closing of a connection with an anyio scope, which an anyio timeout respects and a
native asyncio cancellation does not. A native timeout landing in that close left a
connection busy and its request queued in the pool (seen in the soak test).

Each wait for an event is a scope without a deadline, cancelled by the stream's one timer
(``WaitWatch``) when overdue: a scope with a deadline costs a timer per event; the wait for
a trailing usage event is bounded by the earlier of the grace and its own deadline. A body
that has all arrived (``Answer.received_all``) is read with no scope at all: no read
of it can wait. The reader takes an ``Answer`` (``locus.models.http._answer``); an
``httpx.Response`` given instead is wrapped in an ``HttpxAnswer``.
"""

from __future__ import annotations

import asyncio
import enum
import math
from collections.abc import Callable
from typing import Any

import anyio
import httpx

from locus.core.errors import StreamError
from locus.models._wire.sse import DONE_SENTINEL, SSEDecoder, json_data
from locus.models.http._answer import Answer, HttpxAnswer
from locus.models.http._errors import stream_error
from locus.models.http._limits import AnswerLimits
from locus.models.http._send import close_response
from locus.models.http._wait_watch import WaitWatch

__all__ = ["JsonEventReader"]


class _More(enum.Enum):
    MORE = "more"


_MORE = _More.MORE

DRAIN_SECONDS = 0.05
"""How long ``release()`` reads past the last event, so the connection can be reused."""


class JsonEventReader:
    """Reads ``data:`` JSON objects from one streaming response, in order."""

    def __init__(
        self,
        response: Answer | httpx.Response,
        *,
        endpoint: str,
        grace: float = 1.0,
        limits: AnswerLimits | None = None,
    ) -> None:
        if isinstance(response, httpx.Response):
            response = HttpxAnswer(response)
        self._response = response
        self._limits = limits = limits or AnswerLimits()
        self._first = True
        self._first_deadline = response.deadline
        self._ends_at = asyncio.get_running_loop().time() + limits.stream_seconds
        self._received = 0
        self._endpoint = endpoint
        self._grace = grace
        # the next chunk of the body, b"" at its end (no reference back to this reader)
        self._next_chunk = response.read_chunk
        self._ready_chunk: Callable[[], bytes | None] | None = getattr(
            response, "ready_chunk", None
        )
        """The answer's ``ready_chunk()``, if it offers one (see ``_take_ready``)."""
        self._decoder = SSEDecoder()
        self._watch = WaitWatch()
        self._pending: list[str] = []
        """The data of the events received and not yet taken, the next one last."""
        """The data of events received and not yet taken, in order."""
        self._ended = False
        self._eof = False

    async def next(self) -> dict[str, Any] | None:
        """The next JSON event, or ``None`` at ``[DONE]`` or the end of the body.

        The first event must come by the attempt's deadline, each next one within the
        attempt's seconds of the wait's start, and all of them by the stream's end
        (``AnswerLimits``); an event already received is returned at once.
        """
        found = self._take_ready()
        if found is not _MORE:
            return found
        if self._response.received_all():
            return await self._next_unbounded()  # the body is here: no read can wait
        deadline = self._next_deadline()
        found = await self._next_by(deadline)
        if found is _MORE:
            raise self._overdue(deadline)
        return found

    async def _next_by(self, due: float) -> dict[str, Any] | _More | None:
        """The next event read by loop time ``due``; ``_MORE`` when ``due`` came first."""
        found: dict[str, Any] | _More | None = _MORE
        with _cancel_scope() as scope:
            self._watch.watch(scope, due)
            try:
                while found is _MORE:
                    await self._fill()
                    found = self._take()
            finally:
                self._watch.done()
        if scope.cancelled_caught:
            return _MORE
        self._first = False
        return None if found is _MORE else found

    async def _next_unbounded(self) -> dict[str, Any] | None:
        found: dict[str, Any] | _More | None = _MORE
        while found is _MORE:
            await self._fill()
            found = self._take()
        self._first = False
        return found

    def _next_deadline(self) -> float:
        if self._first:
            wait_until = self._first_deadline
        else:
            gap = self._limits.attempt
            # (the loop's clock is anyio's on asyncio, without its backend lookup)
            wait_until = math.inf if gap is None else asyncio.get_running_loop().time() + gap
        return min(wait_until, self._ends_at)

    def _overdue(self, deadline: float) -> StreamError:
        self._ended = True
        limits, endpoint = self._limits, self._endpoint
        if deadline >= self._ends_at:
            text = (
                f"the stream from {endpoint} ran longer than max_stream_seconds="
                f"{limits.stream_seconds:g}; pass a larger max_stream_seconds= to the model "
                "if it is expected"
            )
        elif self._first:
            text = f"no event from {endpoint} within the attempt's {limits.attempt:g} s (timeout=)"
        else:
            text = f"the stream from {endpoint} sent no event for {limits.attempt:g} s (timeout=)"
        return StreamError(text, endpoint=endpoint)

    async def next_within_grace(self) -> dict[str, Any] | None:
        """Like ``next()``, but gives up (``None``) after the grace period.

        An event already received, or a body that has all arrived, is read without
        setting up a timeout. The grace and the wait's own bound (``next()``) share one
        deadline: the earlier of the two decides whether the wait ends in ``None`` or an
        error.
        """
        found = self._take_ready()
        if found is not _MORE:
            return found
        if self._response.received_all():
            return await self._next_unbounded()  # the body is here: no read can wait
        grace_due = asyncio.get_running_loop().time() + self._grace
        deadline = self._next_deadline()
        found = await self._next_by(min(deadline, grace_due))
        if found is not _MORE:
            return found
        if grace_due <= deadline:
            self._ended = True
            return None
        raise self._overdue(deadline)

    def _take_ready(self) -> dict[str, Any] | _More | None:
        """``_take``, reading on while the answer has data that needs no wait.

        An answer may offer ``ready_chunk()``: the bytes that have arrived and need no
        wait (``b""`` at the end of the body, ``None`` when a read would wait), raising
        as ``read_chunk`` does. A read that cannot wait needs no bound, so an event made
        of such data costs no cancel scope.
        """
        found = self._take()
        ready = self._ready_chunk
        if ready is None or found is not _MORE:
            return found
        while found is _MORE:
            try:
                chunk = ready()
            except httpx.HTTPError as exc:
                self._ended = True
                raise stream_error(exc, self._endpoint) from exc
            if chunk is None:
                return _MORE
            self._take_chunk(chunk)
            found = self._take()
        self._first = False
        return found

    def _take(self) -> dict[str, Any] | _More | None:
        """The next event already received, ``None`` at the end, or ``_MORE`` (read on)."""
        pending = self._pending  # (the next event last: taken from the end)
        while pending:
            data = pending.pop()
            if data[:1] != "{" and (data == DONE_SENTINEL or data.strip() == DONE_SENTINEL):
                pending.clear()
                self._ended = True
                return None
            payload = json_data(data, endpoint=self._endpoint)
            if payload is not None:
                return payload
        return None if self._ended else _MORE

    async def release(self) -> None:
        """Close after a normal finish: read what is left of the body for a moment first.

        A response closed before the end of its body takes its connection down with it;
        one read to the end goes back to the pool, which saves a new TCP (and TLS)
        handshake on the next call. A server that holds the stream open costs at most
        ``DRAIN_SECONDS``.
        """
        try:
            if self._response.received_all():
                self._eof = True  # nothing left to wait for: the connection can go back
            if not self._eof and not self._response.is_closed:
                self._drain_ready()
            if not self._eof and not self._response.is_closed:
                with anyio.move_on_after(DRAIN_SECONDS):
                    while await self._next_chunk():
                        pass
                    self._eof = True
        except httpx.HTTPError:
            pass
        finally:
            await self.aclose()

    def _drain_ready(self) -> None:
        """Read past the last event what needs no wait (``ready_chunk``), to the end if
        it is there."""
        ready = self._ready_chunk
        while ready is not None:
            chunk = ready()
            if chunk is None:
                return
            if not chunk:
                self._eof = True
                return

    async def aclose(self) -> None:
        """Close the HTTP response (also when the consumer stopped early)."""
        self._ended = True
        self._watch.close()
        await close_response(self._response)

    async def _fill(self) -> None:
        try:
            chunk = await self._next_chunk()
        except httpx.HTTPError as exc:
            self._ended = True
            raise stream_error(exc, self._endpoint) from exc
        self._take_chunk(chunk)

    def _take_chunk(self, chunk: bytes) -> None:
        """Decode one chunk of the body (``b""``: its end) into the pending events' data."""
        if not chunk:
            self._pending[:0] = reversed([event.data for event in self._decoder.close()])
            self._ended = self._eof = True
            return
        self._received += len(chunk)
        if self._received > self._limits.stream_bytes:
            self._ended = True
            raise StreamError(
                f"the stream from {self._endpoint} is longer than max_stream_bytes="
                f"{self._limits.stream_bytes}; pass a larger max_stream_bytes= to the model "
                "if it is expected",
                endpoint=self._endpoint,
            )
        # kept in reverse, so each event is taken from the end of the list (taking from
        # the front moved every other one: quadratic in a body that came as one chunk)
        if self._pending:
            self._pending[:0] = reversed(self._decoder.feed_data(chunk))
        else:
            self._pending = self._decoder.feed_data(chunk)[::-1]


_scope_class: type[anyio.CancelScope] | None = None


def _cancel_scope() -> anyio.CancelScope:
    """A new ``anyio.CancelScope`` of the running backend (asyncio: the reader's loop).

    ``anyio.CancelScope()`` looks the backend up on every call, about a third of a
    scope's cost; the class it makes is looked up once.
    """
    global _scope_class
    if _scope_class is None:
        _scope_class = type(anyio.CancelScope())
    return _scope_class()
