"""HTTP answers with the exact headers the SDKs need, paced and broken on demand.

Content types are bare (``application/json``, ``text/event-stream``): the oci SDK
compares them exactly (wire-spec §3.1, §4.2). Streams are one ``data: <json>`` line per
event. A fault may reset the connection, corrupt an event, end a stream with an error
event or delay the first byte.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from locus.emulator.errors import ApiError
from locus.emulator.knobs import Knobs

__all__ = [
    "Aborter",
    "EventStream",
    "PartialBody",
    "Reset",
    "dumps",
    "error_response",
    "json_response",
]

Aborter = Callable[[Scope], bool]
_JSON = "application/json"


def dumps(body: Any) -> bytes:
    """Compact JSON bytes."""
    return json.dumps(body, separators=(",", ":")).encode()


def json_response(body: Any, request_id: str, status: int = 200) -> Response:
    """A JSON answer with an ``opc-request-id``."""
    return Response(dumps(body), status, {"content-type": _JSON, "opc-request-id": request_id})


def error_response(error: ApiError, request_id: str, openai: bool = False) -> Response:
    """The OCI error body for ``error`` (plus an OpenAI ``error`` object on /openai/v1)."""
    body: dict[str, Any] = {"code": error.code, "message": error.message}
    if openai:
        body["error"] = {"message": error.message, "type": error.code, "code": error.code}
    headers = {"content-type": _JSON, "opc-request-id": request_id, **error.headers}
    return Response(dumps(body), error.status, headers)


class PartialBody(Response):
    """A JSON answer whose connection is reset halfway through the body."""

    def __init__(self, body: Any, request_id: str, abort: Aborter) -> None:
        super().__init__(dumps(body), 200, {"content-type": _JSON, "opc-request-id": request_id})
        self._abort = abort

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Send the headers and half the body, then reset the connection."""
        await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
        half = self.body[: len(self.body) // 2]
        await send({"type": "http.response.body", "body": half, "more_body": True})
        await _abort(self._abort, scope)


class Reset(Response):
    """No answer at all: the connection is reset before the first byte."""

    def __init__(self, abort: Aborter) -> None:
        super().__init__(b"", 200)
        self._abort = abort

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Reset the connection."""
        await _abort(self._abort, scope)


class EventStream(Response):
    """A ``text/event-stream`` answer paced by :class:`Knobs`, with optional faults."""

    def __init__(
        self,
        events: Iterable[Mapping[str, Any]],
        request_id: str,
        knobs: Knobs,
        fault: str | None = None,
        abort: Aborter | None = None,
        done_marker: bool | None = None,
        error_event: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(
            None, 200, {"content-type": "text/event-stream", "opc-request-id": request_id}
        )
        self._error_event = error_event
        self.raw_headers = [h for h in self.raw_headers if h[0] != b"content-length"]
        self._events = list(events)
        self._knobs = knobs
        self._fault = fault
        self._abort = abort
        self._done = knobs.done_marker if done_marker is None else done_marker

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Send each event as ``data: <json>``; then ``[DONE]``, the hold, and the end.

        The last piece carries the end of the body with it (one write, as a server that
        knows the stream is over sends it), unless the stream is held open after it.
        """
        await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
        broken = ("reset_during", "malformed_event", "error_event")
        cut = len(self._events) // 2 if self._fault in broken else -1
        pieces = [b"data: " + dumps(event) + b"\n\n" for event in self._events]
        failed = self._fault == "error_event" and self._error_event is not None
        if failed:  # the model fails halfway: what it said so far, the error, the end
            pieces[cut:] = [b"data: " + dumps(self._error_event) + b"\n\n"]
        elif self._done:
            pieces.append(b"data: [DONE]\n\n")
        held = 0.0 if failed else self._knobs.hold_open
        for index, piece in enumerate(pieces):
            if index and index < len(self._events) and self._knobs.chunk_delay:
                await asyncio.sleep(self._knobs.chunk_delay)
            if index == cut and self._fault == "reset_during" and self._abort is not None:
                await _abort(self._abort, scope)
                return
            if index == cut and self._fault == "malformed_event":
                await _body(send, b'data: {"index":0,"message":{"role":"ASSISTANT","content":[\n\n')
            last = index == len(pieces) - 1 and not held
            await send({"type": "http.response.body", "body": piece, "more_body": not last})
        if held or not pieces:
            if held:
                await asyncio.sleep(held)
            await send({"type": "http.response.body", "body": b"", "more_body": False})


async def _body(send: Send, data: bytes) -> None:
    await send({"type": "http.response.body", "body": data, "more_body": True})


async def _abort(abort: Aborter, scope: Scope) -> None:
    """Reset the connection and let the server notice before the handler returns."""
    if not abort(scope):
        raise ConnectionResetError("fault injection: connection reset")
    for _ in range(3):
        await asyncio.sleep(0)
