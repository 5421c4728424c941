"""An event-stream response that ends its producer when the client goes away.

Starlette's ``StreamingResponse`` notices a gone client only when a write fails, and a
run waiting a second for its model writes nothing meanwhile. ``EventStream`` listens
for ``http.disconnect`` while it streams and cancels the producer at once, so the run
(and its model call) ends and the connection is freed.

Its own send loop, built for many streams at once: the producer (the run) fills an
outbox in a task of its own, and the response's task writes whatever the outbox holds
each time it wakes, so events that come out of one model read (several deltas, or the
last delta, the finish chunk and ``[DONE]``) go out in one write instead of one each.
No event waits for a later one: the writer wakes as soon as the producer yields to the
loop. The end of the body rides on the last write.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from locus.serve._convert import encode_text
from locus.serve._state import ServeState

__all__ = ["EventStream", "done_unless_gone", "sse"]

_HEADERS = [
    (b"content-type", b"text/event-stream; charset=utf-8"),
    (b"cache-control", b"no-cache"),
    (b"x-accel-buffering", b"no"),  # nginx and OCI load balancers: do not buffer
]
_START = {"type": "http.response.start", "status": 200, "headers": _HEADERS}


def sse(data: str) -> bytes:
    """One server-sent event carrying ``data`` (a JSON text on one line)."""
    return encode_text(f"data: {data}\n\n")


class _Outbox:
    """What the producer has made and the writer has not sent yet."""

    __slots__ = ("ended", "error", "gone", "parts", "wake")

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.ended = False
        self.gone = False
        self.error: BaseException | None = None
        self.wake: asyncio.Future[None] | None = None

    def _notify(self) -> None:
        wake = self.wake
        if wake is not None and not wake.done():
            wake.set_result(None)

    async def fill(self, chunks: AsyncIterator[bytes]) -> None:
        """Run the producer to its end (or until cancelled), posting each chunk."""
        try:
            async for chunk in chunks:
                self.parts.append(chunk)
                self._notify()
        except Exception as exc:  # handed to the writer, which ends the body and raises it
            self.error = exc
        finally:
            aclose = getattr(chunks, "aclose", None)
            if aclose is not None:
                await aclose()
            self.ended = True
            self._notify()

    def on_disconnect(self, watcher: asyncio.Task[None]) -> None:
        """The watcher ended: unless it was cancelled, the client has gone."""
        if not watcher.cancelled():
            self.gone = True
            self._notify()

    async def take(self) -> bytes:
        """Everything posted so far, once there is something (or the end, or the client left)."""
        while not self.parts and not self.ended and not self.gone:
            self.wake = asyncio.get_running_loop().create_future()
            await self.wake
            self.wake = None
        data = b"".join(self.parts)
        self.parts.clear()
        return data


class EventStream(Response):
    """An ASGI response streaming ``chunks`` (ready SSE bytes) until they end or the
    client disconnects; either way ``chunks`` is closed before the response returns."""

    def __init__(self, chunks: AsyncIterator[bytes], state: ServeState) -> None:
        # Response.__init__ renders headers for a body this response does not have
        self.status_code = 200
        self.media_type = "text/event-stream"
        self.background = None
        self.chunks = chunks
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        with self.state.stream():
            box = _Outbox()
            loop = asyncio.get_running_loop()
            producer = loop.create_task(box.fill(self.chunks))
            watcher = loop.create_task(_until_disconnect(receive))
            watcher.add_done_callback(box.on_disconnect)
            try:
                await _write_all(send, box)
            finally:
                watcher.remove_done_callback(box.on_disconnect)
                watcher.cancel()
                if not producer.done():
                    producer.cancel()
                await asyncio.wait((producer,))  # the run has ended before the response does
            if box.error is not None:
                raise box.error


async def _write_all(send: Send, box: _Outbox) -> None:
    try:
        await send(_START)
        while True:
            data = await box.take()
            if box.gone:
                return
            last = box.ended and not box.parts
            await send({"type": "http.response.body", "body": data, "more_body": not last})
            if last:
                return
    except OSError:  # the client went away while we wrote (some servers raise, uvicorn not)
        return


async def _until_disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def done_unless_gone(receive: Receive, work: asyncio.Task[Any]) -> bool:
    """Wait for ``work`` (a run answered whole, once its request body was read) unless the
    client goes away first: then ``work`` is cancelled (its run and model call end) and
    waited for, and the answer is ``False``. Cancelling this cancels ``work`` too."""
    watcher = asyncio.get_running_loop().create_task(_until_disconnect(receive))
    try:
        await asyncio.wait((work, watcher), return_when=asyncio.FIRST_COMPLETED)
    finally:
        watcher.cancel()
        if not work.done():
            work.cancel()
            await asyncio.wait((work,))
    return not work.cancelled()
