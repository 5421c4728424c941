"""A ``text/event-stream`` answer: a pure plan of pieces, then a small loop that sends them.

Streams are one ``data: <json>`` line per event. :func:`plan_stream` decides everything
(what is sent, in order, the pauses, and what a fault changes: a reset halfway, a
malformed event, or an error event in place of the rest); :func:`coalesce` joins the
pieces that go out at the same instant (no pause between them) into one write, and
:class:`EventStream` only walks the result. Paced events (``chunk_delay``) are still
written one by one, as a token-paced model sends them; an unpaced stream is one write
instead of one per event (one system call, not ten).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from locus.emulator._faults import Fault
from locus.emulator.wire._responses import FaultHooks, dumps

__all__ = ["EventStream", "Pacing", "Piece", "coalesce", "plan_stream", "stream_writes"]

MALFORMED = b'data: {"index":0,"message":{"role":"ASSISTANT","content":[\n\n'
DONE = b"data: [DONE]\n\n"


@dataclass(frozen=True, slots=True)
class Pacing:
    """Pauses between events, how long to hold the stream open, and the ``[DONE]`` line."""

    chunk_delay: float = 0.0
    hold_open: float = 0.0
    done_marker: bool = False
    coalesce: bool = False
    """Events sent at the same instant share one write (``Knobs.coalesce_writes``)."""


@dataclass(frozen=True, slots=True)
class Piece:
    """One step of a stream: wait ``delay``, then send ``data`` or reset the connection.

    ``last`` ends the body; ``fault`` is the fault this step carries out, if any.
    """

    data: bytes = b""
    delay: float = 0.0
    last: bool = False
    reset: bool = False
    fault: Fault | None = None


def plan_stream(
    events: Sequence[Mapping[str, Any]],
    pacing: Pacing,
    fault: Fault | None = None,
    error_event: Mapping[str, Any] | None = None,
) -> list[Piece]:
    """The pieces that stream ``events``, paced, with ``fault``'s effect halfway.

    The last piece carries the end of the body with it (one write, as a server that
    knows the stream is over sends it), unless the stream is held open after it.
    """
    cut = len(events) // 2
    lines = [_line(event) for event in events]
    if fault is Fault.ERROR_EVENT and error_event is not None:
        return _fail(lines, cut, error_event, pacing)
    if pacing.done_marker:
        lines.append(DONE)
    pieces = _break(_paced(lines, len(events), pacing), cut, fault)
    if pieces and pieces[-1].reset:
        return pieces
    return _end(pieces, pacing.hold_open)


def _fail(
    lines: list[bytes], cut: int, error_event: Mapping[str, Any], pacing: Pacing
) -> list[Piece]:
    """The model fails halfway: what it said so far, the error event, the end (no hold)."""
    pieces = _paced([*lines[:cut], _line(error_event)], len(lines), pacing)
    pieces[cut] = replace(pieces[cut], fault=Fault.ERROR_EVENT)
    return _end(pieces, 0.0)


def _line(event: Mapping[str, Any]) -> bytes:
    return b"data: " + dumps(event) + b"\n\n"


def _paced(lines: list[bytes], events: int, pacing: Pacing) -> list[Piece]:
    """Events are ``chunk_delay`` apart; nothing waits before the first or before ``[DONE]``."""
    delay = pacing.chunk_delay
    return [Piece(line, delay if 0 < i < events else 0.0) for i, line in enumerate(lines)]


def _break(pieces: list[Piece], cut: int, fault: Fault | None) -> list[Piece]:
    """``pieces`` with a reset or a malformed event at index ``cut``."""
    if cut >= len(pieces):
        return pieces
    at = pieces[cut]
    if fault is Fault.RESET_DURING:
        return [*pieces[:cut], Piece(delay=at.delay, reset=True, fault=fault)]
    if fault is Fault.MALFORMED_EVENT:
        broken = Piece(MALFORMED, at.delay, fault=fault)
        return [*pieces[:cut], broken, replace(at, delay=0.0), *pieces[cut + 1 :]]
    return pieces


def _end(pieces: list[Piece], hold: float) -> list[Piece]:
    if pieces and not hold:
        return [*pieces[:-1], replace(pieces[-1], last=True)]
    return [*pieces, Piece(delay=hold, last=True)]


def coalesce(pieces: Sequence[Piece]) -> list[Piece]:
    """``pieces`` with each piece that follows without a pause joined to the one before it.

    A reset is never joined (what precedes it is sent first), two faults never share a
    piece, and nothing follows the piece that ends the body.
    """
    merged: list[Piece] = []
    for piece in pieces:
        last = merged[-1] if merged else None
        if last is None or not _joins(last, piece):
            merged.append(piece)
            continue
        merged[-1] = Piece(
            last.data + piece.data, last.delay, piece.last, False, last.fault or piece.fault
        )
    return merged


def _joins(first: Piece, then: Piece) -> bool:
    if then.delay or first.reset or then.reset or first.last:
        return False
    return first.fault is None or then.fault is None


def stream_writes(
    events: Sequence[Mapping[str, Any]],
    pacing: Pacing,
    fault: Fault | None = None,
    error_event: Mapping[str, Any] | None = None,
) -> list[Piece]:
    """The writes that send ``events``: ``coalesce(plan_stream(...))``, computed directly
    for the common stream (no pauses, no fault that changes the stream)."""
    if pacing.chunk_delay or pacing.hold_open or fault in _STREAM_FAULTS:
        return coalesce(plan_stream(events, pacing, fault, error_event))
    lines = [_line(event) for event in events]
    if pacing.done_marker:
        lines.append(DONE)
    return [Piece(b"".join(lines), last=True)]


_STREAM_FAULTS = frozenset({Fault.RESET_DURING, Fault.MALFORMED_EVENT, Fault.ERROR_EVENT})


class EventStream(Response):
    """A ``text/event-stream`` answer that sends what :func:`plan_stream` planned, in the
    writes :func:`stream_writes` makes of it."""

    def __init__(
        self,
        events: Iterable[Mapping[str, Any]],
        request_id: str,
        pacing: Pacing,
        hooks: FaultHooks,
        fault: Fault | None = None,
        error_event: Mapping[str, Any] | None = None,
    ) -> None:
        # no Response.__init__: there is no body to render or measure
        self.status_code = 200
        self.background = None
        self.body = b""
        self.raw_headers = [
            (b"content-type", b"text/event-stream"),
            (b"opc-request-id", request_id.encode("latin-1")),
        ]
        events = list(events)
        if pacing.coalesce:
            self.pieces = stream_writes(events, pacing, fault, error_event)
        else:  # one write per event, as a token-paced model's stream arrives
            self.pieces = plan_stream(events, pacing, fault, error_event)
        self._hooks = hooks

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Send the headers, then each piece in turn (a reset piece ends the stream)."""
        await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
        for piece in self.pieces:
            if piece.delay:
                await asyncio.sleep(piece.delay)
            if piece.fault is not None:
                self._hooks.fired(piece.fault)
            if piece.reset:
                await self._hooks.reset(scope)
                return
            await send(
                {"type": "http.response.body", "body": piece.data, "more_body": not piece.last}
            )
