"""An event-stream response that ends its producer when the client goes away.

Starlette's ``StreamingResponse`` notices a gone client only when a write fails, and a
run waiting a second for its model writes nothing meanwhile. ``EventStream`` listens
for ``http.disconnect`` while it streams and cancels the producer at once, so the run
(and its model call) ends and the connection is freed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import anyio
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from locus.serve._state import ServeState

__all__ = ["EventStream", "sse"]

_HEADERS = [
    (b"content-type", b"text/event-stream; charset=utf-8"),
    (b"cache-control", b"no-cache"),
    (b"x-accel-buffering", b"no"),  # nginx and OCI load balancers: do not buffer
]


def sse(data: str) -> bytes:
    """One server-sent event carrying ``data`` (a JSON text on one line)."""
    return f"data: {data}\n\n".encode()


class EventStream(Response):
    """An ASGI response streaming ``chunks`` (ready SSE bytes) until they end or the
    client disconnects; either way ``chunks`` is closed."""

    def __init__(self, chunks: AsyncIterator[bytes], state: ServeState) -> None:
        super().__init__(status_code=200, media_type="text/event-stream")
        self.chunks = chunks
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        with self.state.stream():
            try:
                async with anyio.create_task_group() as group:
                    group.start_soon(self._watch, receive, group.cancel_scope)
                    await self._send_all(send)
                    group.cancel_scope.cancel()
            finally:
                with anyio.CancelScope(shield=True):
                    aclose = getattr(self.chunks, "aclose", None)
                    if aclose is not None:
                        await aclose()

    async def _send_all(self, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": _HEADERS})
        try:
            async for chunk in self.chunks:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        except OSError:  # the client went away while we wrote (uvicorn's ClientDisconnected)
            return

    @staticmethod
    async def _watch(receive: Receive, scope: anyio.CancelScope) -> None:
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                scope.cancel()
                return
