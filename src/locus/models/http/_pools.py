"""Connection pools shared by every model of an event loop that talks to the same origin.

A model per request must not build a pool (an aiohttp session and connector) and throw
its warm connections away: the aiohttp backend keeps its pools per event loop, one per
(origin, pool limits, proxy environment), and every model of that loop that posts to that
origin borrows it through a ``Borrowed`` handle (its client's transport).

- ``model.aclose()`` gives the handle back; the pool is closed then only if no other live
  model holds it, so closing a model never cuts another model's calls, and closing every
  model still closes every connection, as before.
- A model let go without ``aclose()`` gives its handle back without closing anything: the
  pool stays with the loop for the next model (idle connections close after
  ``keepalive_expiry`` meanwhile).
- Every pool left is closed when its loop shuts down (``asyncio.run`` finalises async
  generators; a small guard generator per pool does the closing).

A ``transport=`` given by the caller and the httpx backend are not shared (httpx builds its
transports, proxies from the environment included, inside each client; they share the
process's SSL context).
"""

from __future__ import annotations

import asyncio
import threading
import urllib.request
import weakref
from collections.abc import AsyncGenerator
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import httpx

from locus.models.http.aiohttp_transport import AiohttpTransport

__all__ = ["Borrowed", "borrow", "origin_of"]

_PoolKey = tuple[str, int | None, int | None, float | None, tuple[tuple[str, str], ...]]

_lock = threading.Lock()
_pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[_PoolKey, _Pool]] = (
    weakref.WeakKeyDictionary()
)


class _Pool:
    """One shared transport, the live handles on it, and its loop-shutdown guard."""

    def __init__(
        self, transport: AiohttpTransport, pools: dict[_PoolKey, _Pool], key: _PoolKey
    ) -> None:
        self.transport = transport
        self.users: weakref.WeakSet[Borrowed] = weakref.WeakSet()
        self.guard = _close_at_loop_shutdown(transport, pools, key)  # (no cycle: no self)

    async def release(self, borrowed: Borrowed, *, close_if_last: bool) -> None:
        """``borrowed`` is given back; the pool closes if asked and nobody holds it."""
        self.users.discard(borrowed)
        if close_if_last and not self.users:
            await self.guard.aclose()  # forgets the pool and closes its transport


async def _close_at_loop_shutdown(
    transport: AiohttpTransport, pools: dict[_PoolKey, _Pool], key: _PoolKey
) -> AsyncGenerator[None, None]:
    try:
        yield
    finally:
        with _lock:
            found = pools.get(key)
            if found is not None and found.transport is transport:
                del pools[key]  # no new model gets this pool any more
        await transport.aclose()


class Borrowed(httpx.AsyncBaseTransport):
    """A model's handle on a shared pool: requests go to ``inner``; ``aclose`` gives it back
    (and closes the pool when ``close_pool_if_last`` is set and nobody else holds it)."""

    def __init__(self, pool: _Pool) -> None:
        self.inner = pool.transport
        self.close_pool_if_last = False
        self._pool: _Pool | None = pool
        pool.users.add(self)
        # the pool's own method, bound: no extra await per request
        self.handle_async_request = self.inner.handle_async_request  # type: ignore[method-assign]

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` through the shared pool (replaced per instance, see above)."""
        return await self.inner.handle_async_request(request)  # pragma: no cover

    async def aclose(self) -> None:
        """Give the pool back (once)."""
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.release(self, close_if_last=self.close_pool_if_last)


@lru_cache(maxsize=256)
def origin_of(url: str) -> str:
    """``scheme://host:port`` of ``url`` (lower case; the default port made explicit)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or (443 if scheme == "https" else 80)
    return f"{scheme}://{(parts.hostname or '').lower()}:{port}"


async def borrow(origin: str, limits: httpx.Limits) -> Borrowed:
    """A handle on the running loop's pool for ``origin`` and ``limits`` (made on need)."""
    loop = asyncio.get_running_loop()
    key: _PoolKey = (
        origin,
        limits.max_connections,
        limits.max_keepalive_connections,
        limits.keepalive_expiry,
        _proxy_environment(),
    )
    with _lock:
        pools = _pools.setdefault(loop, {})
        pool = pools.get(key)
    if pool is None:
        pool = _Pool(AiohttpTransport(limits=limits), pools, key)
        await anext(pool.guard)  # registers the guard with the loop's async-generator hooks
        with _lock:
            pools[key] = pool
    return Borrowed(pool)


def _proxy_environment() -> tuple[tuple[str, str], ...]:
    """The proxy variables a new transport would read: a change makes a new pool."""
    found: dict[str, Any] = urllib.request.getproxies_environment()
    return tuple(sorted((str(k), str(v)) for k, v in found.items()))
