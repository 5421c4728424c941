"""A ``text/event-stream`` answer: a pure plan of pieces, then a small loop that sends them.

Streams are one ``data: <json>`` line per event. :func:`plan_stream` decides everything
(what is sent, in order, the pauses, and what a fault changes: a reset halfway, a
malformed event, or an error event in place of the rest); :class:`EventStream` only
walks the plan.
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

__all__ = ["EventStream", "Pacing", "Piece", "plan_stream"]

MALFORMED = b'data: {"index":0,"message":{"role":"ASSISTANT","content":[\n\n'
DONE = b"data: [DONE]\n\n"


@dataclass(frozen=True, slots=True)
class Pacing:
    """Pauses between events, how long to hold the stream open, and the ``[DONE]`` line."""

    chunk_delay: float = 0.0
    hold_open: float = 0.0
    done_marker: bool = False


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


class EventStream(Response):
    """A ``text/event-stream`` answer that sends the pieces :func:`plan_stream` planned."""

    def __init__(
        self,
        events: Iterable[Mapping[str, Any]],
        request_id: str,
        pacing: Pacing,
        hooks: FaultHooks,
        fault: Fault | None = None,
        error_event: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(
            None, 200, {"content-type": "text/event-stream", "opc-request-id": request_id}
        )
        self.raw_headers = [h for h in self.raw_headers if h[0] != b"content-length"]
        self.plan = plan_stream(list(events), pacing, fault, error_event)
        self._hooks = hooks

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Send the headers, then each piece in turn (a reset piece ends the stream)."""
        await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
        for piece in self.plan:
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
