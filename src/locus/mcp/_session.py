"""One open connection to an MCP server, held by a task of its own.

The ``mcp`` SDK's client is an async context manager built on anyio task groups, which
must be left by the task that entered them. An agent lists tools in one task, calls
them in others (one per call) and may be closed from yet another, so the connection is
entered and left by a dedicated owner task; every other task only sends requests over it.
When the owner's connection ends on its own (the server died, the stream broke) the
session says so through ``lost``, and calls racing it end at once instead of waiting.
Opening that is cancelled or times out, and closing that does not finish in time, cancel
the owner task and wait for it: the SDK then stops the server process (bounded), so no
process or task outlives the session.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Coroutine
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from mcp import Client

__all__ = ["Session", "SessionLost"]

T = TypeVar("T")

ClientFactory = Callable[[], AbstractAsyncContextManager["Client"]]
"""Builds an un-entered ``mcp.Client`` (one per connection)."""
Watcher = Callable[["Client"], Coroutine[Any, Any, None]]
"""Runs beside the connection for its whole life (e.g. listening for list changes)."""

_CLOSE_TIMEOUT = 10.0


class SessionLost(Exception):
    """The connection ended while a request was waiting on it."""


class Session:
    """A connected ``mcp.Client`` owned by one task; ``open`` it, use ``client``, ``close`` it."""

    def __init__(
        self, factory: ClientFactory, watcher: Watcher | None = None, diagnosis: Any = None
    ) -> None:
        self._factory = factory
        self._watcher = watcher
        self.diagnosis = diagnosis
        self._client: Client | None = None
        self._closing = asyncio.Event()
        self.lost = asyncio.Event()
        self.loop = asyncio.get_running_loop()
        self._task: asyncio.Task[None] | None = None
        self._error: BaseException | None = None

    @property
    def alive(self) -> bool:
        """Connected, and neither closed nor lost."""
        return self._client is not None and not self.lost.is_set()

    async def open(self) -> None:
        """Connect; raise what connecting raised."""
        ready = asyncio.Event()
        self._task = self.loop.create_task(self._own(ready), name="locus-mcp-session")
        try:
            await ready.wait()
        except BaseException:  # cancelled (a run, or a connect timeout): stop the server
            await self._stop()
            raise
        if self._client is None:
            await asyncio.gather(self._task, return_exceptions=True)
            error = self._error or SessionLost("the connection ended while opening")
            raise error

    async def _own(self, ready: asyncio.Event) -> None:
        try:
            async with self._factory() as client:
                self._client = client
                ready.set()
                await self._serve(client)
        except Exception as exc:  # the connection's own failure, reported through `lost`
            self._error = exc
        finally:
            self.lost.set()
            ready.set()

    async def _serve(self, client: Client) -> None:
        watcher: asyncio.Task[None] | None = None
        if self._watcher is not None:
            watcher = self.loop.create_task(self._watcher(client))
        ended = getattr(self.diagnosis, "stdout_closed", None)  # a stdio server's stdout
        try:
            if ended is None:
                await self._closing.wait()
            else:  # no more answers can come: end the connection (the next use reconnects)
                waits = [self.loop.create_task(event.wait()) for event in (self._closing, ended)]
                try:
                    await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
                finally:
                    for wait in waits:
                        wait.cancel()
        finally:
            if watcher is not None:
                watcher.cancel()
                await asyncio.gather(watcher, return_exceptions=True)

    @property
    def client(self) -> Client:
        """The connected client (``SessionLost`` once the connection has ended)."""
        if self._client is None or self.lost.is_set():
            raise SessionLost("the connection to the MCP server has ended")
        return self._client

    async def request(self, make: Callable[[Client], Awaitable[T]]) -> T:
        """``make(client)``, ended with ``SessionLost`` if the connection ends meanwhile."""
        call = asyncio.ensure_future(make(self.client))
        lost = asyncio.ensure_future(self.lost.wait())
        try:
            await asyncio.wait({call, lost}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            lost.cancel()
            if not call.done():
                call.cancel()
                await asyncio.gather(call, return_exceptions=True)
        if call.cancelled():
            raise SessionLost("the connection to the MCP server ended during the request")
        return call.result()

    async def close(self) -> None:
        """Leave the connection; from any task, and from another loop (``close_sync``)."""
        if asyncio.get_running_loop() is self.loop:
            await self._close_here()
        elif self.loop.is_running() and not self.loop.is_closed():
            future = asyncio.run_coroutine_threadsafe(self._close_here(), self.loop)
            await asyncio.wrap_future(future)

    async def _close_here(self) -> None:
        self._closing.set()
        task = self._task
        if task is None or task.done():
            return
        if self._client is not None:  # connected: let it leave in order
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(_CLOSE_TIMEOUT):
                    await asyncio.shield(task)
        await self._stop()

    async def _stop(self) -> None:
        """Cancel the owner task (if still running) and wait until it has ended, even when
        the caller is being cancelled: the SDK's shutdown of the server is bounded."""
        task = self._task
        if task is None or task.done():
            return
        task.cancel()
        waiting = asyncio.ensure_future(asyncio.wait({task}, timeout=_CLOSE_TIMEOUT))
        try:
            await asyncio.shield(waiting)
        except asyncio.CancelledError:
            await waiting  # finish stopping the server, then go on being cancelled
            raise


def describe(error: BaseException) -> str:
    """A short text for an exception (its type when it says nothing)."""
    text = str(error).strip()
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def unwrap(error: BaseException) -> BaseException:
    """The first leaf of an exception group (anyio task groups wrap transport errors)."""
    while isinstance(error, BaseExceptionGroup) and error.exceptions:
        error = error.exceptions[0]
    return error
