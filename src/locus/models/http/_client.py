"""One pooled ``httpx.AsyncClient`` per model, bound to the event loop that uses it.

An httpx client cannot move between event loops. When a model is used from another
loop (``asyncio.run`` twice, a sync helper's loop) a new client is made, and the old
one is closed on its own loop when that loop still runs. Each client is also closed
when its loop shuts down (``asyncio.run`` finalises async generators; a tiny guard
generator does the closing), so forgetting ``aclose()`` does not leak sockets.

With the ``"aiohttp"`` backend (the default) the client borrows its loop's shared pool for
the model's origin and limits (``locus.models.http._pools``): a model per request reuses
the warm connections of the previous one; ``aclose()`` closes the model's client, and the
pool only when no other live model holds it. Every client shares the process's default SSL context
(``locus.models.http._tls``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable
from typing import TYPE_CHECKING, Any

import httpx
from httpx._client import ClientState

from locus.models.http._pools import Borrowed, borrow, origin_of
from locus.models.http._tls import shared_ssl_context
from locus.models.http._user_agent import user_agent
from locus.models.http.aiohttp_transport import AiohttpTransport

if TYPE_CHECKING:  # (imported when a client builds its own pool: _init_transport)
    from locus.models.http._httpcore_transport import HttpcoreTransport

__all__ = ["LoopClient", "ModelClient", "takes_plain"]


class _NoCookies(httpx.Cookies):
    """Cookies that are never kept: model APIs set none that matter, and httpx's reading of
    every answer into a cookie jar (through ``urllib`` request and response adapters that
    copy all headers) costs tens of microseconds per call."""

    def extract_cookies(self, response: httpx.Response) -> None:
        return None


class ModelClient(httpx.AsyncClient):
    """An ``httpx.AsyncClient`` that sends Locus's ``User-Agent`` (``_user_agent``), keeps
    no cookies from answers, and whose own httpcore pools (direct and through proxies) are
    ``HttpcoreTransport``s: a cancelled call never keeps a pool slot (see
    ``locus.models.http._httpcore_transport``)."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        if "headers" not in options:  # (httpx's default is python-httpx/<version>)
            self.headers["User-Agent"] = user_agent()
        self._no_cookies = _NoCookies()
        transport = options.get("transport")
        if isinstance(transport, Borrowed):
            transport = transport.inner
        self.direct: AiohttpTransport | None = (
            transport if isinstance(transport, AiohttpTransport) else None
        )
        """The aiohttp transport that takes this client's model requests directly
        (``locus.models.http._direct``), if it has one."""
        own = self._transport
        self._core = _own_core(own) if not self._mounts else None

    def plain_core(self) -> HttpcoreTransport | None:
        """The transport that takes a ``PlainRequest`` of this client with no httpx objects
        (``locus.models.http._httpcore_plain``): the client's own httpcore pool, no proxy,
        no event hooks, no client auth, no redirects followed. ``None`` otherwise."""
        core = self._core
        if core is None or self.is_closed or self.follow_redirects or self._auth is not None:
            return None
        hooks = self._event_hooks
        if hooks["request"] or hooks["response"]:
            return None
        self._state = ClientState.OPENED  # (as send() marks it)
        return core

    def direct_core(
        self, request: httpx.Request, auth: httpx.Auth | None
    ) -> HttpcoreTransport | None:
        """The transport that can take ``request`` (signed by ``auth``) without ``send``
        (``locus.models.http._httpx_direct``): as ``plain_core``, and no credentials in the
        URL for httpx to turn into basic auth. ``None`` when ``send`` must take it."""
        if "timeout" not in request.extensions or (auth is None and request.url.userinfo):
            return None
        return self.plain_core()

    def redirect_request(self, request: httpx.Request, response: httpx.Response) -> httpx.Request:
        """The request a redirect would make (``send`` sets it as ``response.next_request``;
        it raises for a ``Location`` that is not a URL)."""
        return self._build_redirect_request(request, response)

    # httpx builds its transports in these two (private) methods, after reading the proxy
    # environment; a transport given by the caller is used as it is. httpcore and the
    # modules on it are imported here, by the first client that builds its own: the aiohttp
    # backend's clients are given their transport and never import them.
    def _init_transport(self, *args: Any, **kwargs: Any) -> httpx.AsyncBaseTransport:
        if args or kwargs.get("transport") is not None:
            return super()._init_transport(*args, **kwargs)
        kwargs.pop("transport", None)
        from locus.models.http._httpcore_transport import HttpcoreTransport

        return HttpcoreTransport(**kwargs)

    def _init_proxy_transport(
        self, proxy: httpx.Proxy, *args: Any, **kwargs: Any
    ) -> httpx.AsyncBaseTransport:
        if args:
            return super()._init_proxy_transport(proxy, *args, **kwargs)
        from locus.models.http._httpcore_transport import HttpcoreTransport

        return HttpcoreTransport(proxy=proxy, **kwargs)

    @property
    def cookies(self) -> httpx.Cookies:
        """Always empty unless set by hand: answers' ``Set-Cookie`` headers are ignored."""
        return self._no_cookies

    @cookies.setter
    def cookies(self, cookies: Any) -> None:
        raise AttributeError("a model's HTTP client keeps no cookies")


def _own_core(transport: httpx.AsyncBaseTransport) -> HttpcoreTransport | None:
    """``transport`` if it is an ``HttpcoreTransport`` (at client construction; an
    aiohttp transport is known without importing httpcore)."""
    if isinstance(transport, AiohttpTransport | Borrowed):
        return None
    from locus.models.http._httpcore_transport import HttpcoreTransport

    return transport if isinstance(transport, HttpcoreTransport) else None


def takes_plain(client: httpx.AsyncClient) -> bool:
    """True when ``client`` sends ``PlainRequest``s through its own httpcore pool
    (``ModelClient.plain_core``; the aiohttp backend's clients say so through ``direct``)."""
    return isinstance(client, ModelClient) and client.plain_core() is not None


class LoopClient:
    """Lazily creates, reuses and closes the model's client."""

    def __init__(
        self,
        timeout: httpx.Timeout,
        transport: httpx.AsyncBaseTransport | None,
        limits: httpx.Limits,
        backend: str = "httpx",
    ) -> None:
        self._timeout = timeout
        self._transport = transport
        self._limits = limits
        self._backend = backend
        self._client: httpx.AsyncClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._guard: AsyncGenerator[None, None] | None = None

    @property
    def current(self) -> httpx.AsyncClient | None:
        """The client made last, if any."""
        return self._client

    def ready(self) -> httpx.AsyncClient | None:
        """The running loop's client when it is made and open (``get`` makes one)."""
        client = self._client
        if client is not None and self._loop is asyncio.get_running_loop() and not client.is_closed:
            return client
        return None

    async def get(self, url: Callable[[], str] | None = None) -> httpx.AsyncClient:
        """The client for the running loop (made on first use in that loop); ``url`` gives
        the URL whose origin picks the shared pool (asked only when a client is made)."""
        loop = asyncio.get_running_loop()
        client = self._client
        if client is not None and self._loop is loop and not client.is_closed:
            return client
        self._retire()
        transport = await self._new_transport(url)
        client = ModelClient(
            timeout=self._timeout,
            transport=transport,
            limits=self._limits,
            # httpx builds its own transports (and their SSL contexts) only without one
            verify=True if transport is not None else shared_ssl_context(),
        )
        self._client, self._loop = client, loop
        self._guard = _close_at_loop_shutdown(client)
        await anext(self._guard)
        return client

    async def _new_transport(
        self, url: Callable[[], str] | None
    ) -> httpx.AsyncBaseTransport | None:
        if self._transport is not None or self._backend != "aiohttp":
            return self._transport
        origin = origin_of(url()) if url is not None else ""
        return await borrow(origin, self._limits)

    async def aclose(self) -> None:
        """Close the client now (from its own loop) or schedule it (from another)."""
        client, loop, guard = self._client, self._loop, self._guard
        if client is None:
            return
        try:
            running: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        _close_pool_if_last(client)
        if loop is running and guard is not None:
            self._client = self._loop = self._guard = None
            await guard.aclose()
        else:
            self._retire()

    def _retire(self) -> None:
        client, loop, guard = self._client, self._loop, self._guard
        self._client = self._loop = self._guard = None
        if client is None or loop is None or guard is None or client.is_closed:
            return
        if loop.is_running() and not loop.is_closed():
            asyncio.run_coroutine_threadsafe(guard.aclose(), loop)


def _close_pool_if_last(client: httpx.AsyncClient) -> None:
    """An explicit ``aclose()`` also closes a shared pool that nobody else holds."""
    transport = getattr(client, "_transport", None)
    if isinstance(transport, Borrowed):
        transport.close_pool_if_last = True


async def _close_at_loop_shutdown(client: httpx.AsyncClient) -> AsyncGenerator[None, None]:
    try:
        yield
    finally:
        if not client.is_closed:
            await client.aclose()
