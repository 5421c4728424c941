"""httpx's own (httpcore) transport, with responses whose closing a cancellation cannot cut.

httpcore frees a pool slot at the *end* of closing a response (``PoolByteStream.aclose``)
but marks the response closed at its *start*; the awaits in between are shielded with an
anyio scope, which stops an anyio cancellation and not a native ``task.cancel()``. A task
cancelled while it closes a response (``agent.cancel()``, a cancelled task, a timeout of
the caller's) therefore left its slot busy forever: after a few thousand such cancels
every slot was held and every new call waited for the pool timeout (encode/httpcore#1093,
#830). Here the closing runs in a task of its own that the caller awaits through
``asyncio.shield``: a cancellation still reaches the caller at once, and the closing goes
on to its end. A response read to its end (the usual case) is closed in the caller's task
instead, a cancellation held back until the closing is done (``_run_to_end``; that closing
only hands the connection back to the pool, a loop turn). Every close goes through it
(httpx's own after ``aread()``, Locus's, and httpx's error paths), since it is the
response stream's ``aclose``.

The stream is also the response's ``BodySource`` (``locus.models.http._body``) when the
body is not content-encoded: the event reader takes each chunk from httpx's transport
stream (which still maps httpcore's errors to httpx's) instead of through the client's
three more iterators per chunk.

Its pool connects through ``JoinedWritesBackend`` (``locus.models.http._joined_writes``):
each request's head and body go out in one socket send, not two.
"""

from __future__ import annotations

import asyncio
import functools
import types
from collections.abc import AsyncIterable, AsyncIterator, Coroutine, Generator
from typing import Any

import httpcore
import httpx
from httpx._transports.default import AsyncResponseStream, map_httpcore_exceptions

from locus.models.http._body import BODY_SOURCE
from locus.models.http._joined_writes import JoinedWritesBackend

__all__ = ["HttpcoreTransport", "ShieldedClose"]

_CLOSING: set[asyncio.Task[None]] = set()
"""Closings whose caller was cancelled, kept alive until they end (the loop holds tasks
only weakly)."""


class HttpcoreTransport(httpx.AsyncHTTPTransport):
    """``httpx.AsyncHTTPTransport`` whose responses always give their pool slot back."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        pool = self._pool
        # httpx passes no network backend to the pool it builds: it is set here instead
        backend = getattr(pool, "_network_backend", None)
        if isinstance(backend, httpcore.AsyncNetworkBackend) and not options.get("http2"):
            pool._network_backend = JoinedWritesBackend(backend)

    async def open_core(
        self,
        url: httpx.URL,
        target: bytes,
        headers: list[tuple[bytes, bytes]],
        content: bytes,
        extensions: dict[str, Any],
    ) -> tuple[httpcore.Response, ShieldedClose]:
        """POST ``content`` to ``url`` (``target``: its path and query) through the pool as
        an httpcore request (no httpx ``Request`` and ``Response``:
        ``locus.models.http._httpcore_plain``, which imports no httpcore): the answer and
        its body as the stream ``handle_async_request`` would give it (httpx's errors,
        shielded close)."""
        request = httpcore.Request(
            b"POST",
            httpcore.URL(scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=target),
            headers=headers,
            content=content,
            extensions=extensions,
        )
        with map_httpcore_exceptions():
            response = await self._pool.handle_async_request(request)
        assert isinstance(response.stream, AsyncIterable)  # (an async pool's)
        return response, ShieldedClose(AsyncResponseStream(response.stream))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request``; the answer's stream closes to the end even when cancelled."""
        response = await super().handle_async_request(request)
        assert isinstance(response.stream, httpx.AsyncByteStream)
        response.stream = stream = ShieldedClose(response.stream)
        encoding = response.headers.get("content-encoding", "identity")
        if encoding.strip().lower() in ("", "identity"):
            response.extensions[BODY_SOURCE] = stream
        return response


class ShieldedClose(httpx.AsyncByteStream):
    """A response stream whose ``aclose`` always runs to its end."""

    __slots__ = ("_chunks", "_ended", "_inner")

    def __init__(self, inner: httpx.AsyncByteStream) -> None:
        self._inner = inner
        self._chunks: AsyncIterator[bytes] | None = None
        self._ended = False

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._inner.__aiter__()

    async def read_chunk(self) -> bytes:
        """The next bytes of the body as they arrive; ``b""`` at its end."""
        chunks = self._chunks
        if chunks is None:
            chunks = self._chunks = self._inner.__aiter__()
        chunk = await anext(chunks, b"")
        if not chunk:
            self._ended = True
        return chunk

    def received_all(self) -> bool:
        """Never known in advance here: every read may wait for the network."""
        return False

    async def aclose(self) -> None:
        """Close the inner stream; a cancellation of the caller does not stop the closing."""
        if self._ended:
            # read to its end: the connection only goes back to the pool (no network)
            await _run_to_end(self._inner.aclose())
            return
        closing = asyncio.ensure_future(self._inner.aclose())
        try:
            await asyncio.shield(closing)
        except asyncio.CancelledError:
            if not closing.done():
                _CLOSING.add(closing)
                closing.add_done_callback(_forget)
            raise


@types.coroutine
def _run_to_end(closing: Coroutine[Any, Any, None]) -> Generator[Any, Any, None]:
    """Run ``closing`` in the calling task to its end, then raise a cancellation of the
    task that came meanwhile (a task of its own costs a few loop turns per answer).

    What ``closing`` waits for is waited for here, never handed to the task: a bare
    ``sleep(0)`` is yielded as it is, and a future through one of our own, so that a
    cancellation cancels ours and not the future ``closing`` needs.
    """
    cancelled: BaseException | None = None
    while True:
        try:
            waiting_on = closing.send(None)
        except StopIteration:
            break
        except BaseException as exc:  # (the cancellation still goes first)
            if cancelled is not None:
                raise cancelled from exc
            raise
        cancelled = (yield from _wait_out(waiting_on)) or cancelled
    if cancelled is not None:
        raise cancelled


def _wait_out(waiting_on: asyncio.Future[Any] | None) -> Generator[Any, Any, BaseException | None]:
    """Wait for what the closing waits for (a bare ``sleep(0)``, or a future); the
    cancellation of the task that came meanwhile, if one did."""
    cancelled: BaseException | None = None
    while True:
        try:
            if waiting_on is None:
                yield None
            elif not waiting_on.done():
                yield from _when_done(waiting_on)
        except asyncio.CancelledError as exc:
            cancelled = exc
            if waiting_on is not None and not waiting_on.done():
                continue  # still waiting for what the closing needs
        return cancelled


def _when_done(future: asyncio.Future[Any]) -> Generator[Any, Any, None]:
    future._asyncio_future_blocking = False  # (it is not given to a task)
    waiter = future.get_loop().create_future()
    future.add_done_callback(functools.partial(_wake, waiter))
    yield from waiter


def _wake(waiter: asyncio.Future[None], _: object) -> None:
    if not waiter.done():
        waiter.set_result(None)


def _forget(task: asyncio.Task[None]) -> None:
    _CLOSING.discard(task)
    if not task.cancelled():
        task.exception()  # retrieved: a failed close of an abandoned answer is not news
