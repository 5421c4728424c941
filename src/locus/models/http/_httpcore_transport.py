"""httpx's own (httpcore) transport, with responses whose closing a cancellation cannot cut.

httpcore frees a pool slot at the *end* of closing a response (``PoolByteStream.aclose``)
but marks the response closed at its *start*; the awaits in between are shielded with an
anyio scope, which stops an anyio cancellation and not a native ``task.cancel()``. A task
cancelled while it closes a response (``agent.cancel()``, a cancelled task, a timeout of
the caller's) therefore left its slot busy forever: after a few thousand such cancels
every slot was held and every new call waited for the pool timeout (encode/httpcore#1093,
#830). Here the closing runs in a task of its own that the caller awaits through
``asyncio.shield``: a cancellation still reaches the caller at once, and the closing goes
on to its end. Every close goes through it (httpx's own after ``aread()``, Locus's, and
httpx's error paths), since it is the response stream's ``aclose``.

The stream is also the response's ``BodySource`` (``locus.models.http._body``) when the
body is not content-encoded: the event reader takes each chunk from httpx's transport
stream (which still maps httpcore's errors to httpx's) instead of through the client's
three more iterators per chunk.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx

from locus.models.http._body import BODY_SOURCE

__all__ = ["HttpcoreTransport"]

_CLOSING: set[asyncio.Task[None]] = set()
"""Closings whose caller was cancelled, kept alive until they end (the loop holds tasks
only weakly)."""


class HttpcoreTransport(httpx.AsyncHTTPTransport):
    """``httpx.AsyncHTTPTransport`` whose responses always give their pool slot back."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request``; the answer's stream closes to the end even when cancelled."""
        response = await super().handle_async_request(request)
        assert isinstance(response.stream, httpx.AsyncByteStream)
        response.stream = stream = _ShieldedClose(response.stream)
        encoding = response.headers.get("content-encoding", "identity")
        if encoding.strip().lower() in ("", "identity"):
            response.extensions[BODY_SOURCE] = stream
        return response


class _ShieldedClose(httpx.AsyncByteStream):
    """A response stream whose ``aclose`` runs to its end in its own task."""

    __slots__ = ("_chunks", "_inner")

    def __init__(self, inner: httpx.AsyncByteStream) -> None:
        self._inner = inner
        self._chunks: AsyncIterator[bytes] | None = None

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._inner.__aiter__()

    async def read_chunk(self) -> bytes:
        """The next bytes of the body as they arrive; ``b""`` at its end."""
        chunks = self._chunks
        if chunks is None:
            chunks = self._chunks = self._inner.__aiter__()
        return await anext(chunks, b"")

    def received_all(self) -> bool:
        """Never known in advance here: every read may wait for the network."""
        return False

    async def aclose(self) -> None:
        """Close the inner stream; a cancellation of the caller does not stop the closing."""
        closing = asyncio.ensure_future(self._inner.aclose())
        try:
            await asyncio.shield(closing)
        except asyncio.CancelledError:
            if not closing.done():
                _CLOSING.add(closing)
                closing.add_done_callback(_forget)
            raise


def _forget(task: asyncio.Task[None]) -> None:
    _CLOSING.discard(task)
    if not task.cancelled():
        task.exception()  # retrieved: a failed close of an abandoned answer is not news
