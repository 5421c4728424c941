"""An ``httpx`` transport that sends requests with aiohttp (the default HTTP backend).

httpcore's pool scans every connection for every queued request, which costs about a
millisecond of CPU per request at hundreds of concurrent calls; aiohttp's connector and C
parser cost a fifth of that. ``httpx.AsyncClient`` stays on top (auth flows, timeouts,
content decoding); only the bytes move through aiohttp.

- The aiohttp session is made on the first request and is bound to that event loop; make
  one transport per loop. After ``aclose()`` the next request opens a new session (in the
  loop then running), like httpx's own transport. Using it from another loop while its
  session is open raises ``RuntimeError``.
- ``Limits.max_connections`` becomes the connector's ``limit`` (``None``: unlimited) and
  ``keepalive_expiry`` its ``keepalive_timeout``; ``max_keepalive_connections`` has no
  aiohttp equivalent (idle connections are kept until they expire).
- Timeouts: ``read`` is aiohttp's ``sock_read``, ``connect`` its ``sock_connect``, and
  ``pool + connect`` its ``connect`` (pool wait, DNS, TCP, TLS). ``write`` has no
  equivalent. A pool wait that runs out is reported as ``httpx.ConnectTimeout``.
- TLS: with the default ``verify=True`` every transport uses one SSL context per process
  (httpx's defaults: certifi, ``SSL_CERT_FILE``/``SSL_CERT_DIR`` when ``trust_env``), built
  on the first ``https`` request, never for ``http`` URLs (see ``locus.models.http._tls``).
- Proxies come from ``HTTP(S)_PROXY``/``ALL_PROXY``/``NO_PROXY``, read once at construction
  when ``trust_env`` (as httpx does). aiohttp's own ``trust_env`` is not used: it does a
  thread hop per request and adds ``~/.netrc`` credentials, which clash with a signed
  ``Authorization`` header.
- Request headers go out exactly as httpx built them (no aiohttp ``Accept``,
  ``Accept-Encoding``, ``User-Agent`` or ``Content-Type`` defaults), so signatures hold;
  bodies are not decompressed here (httpx decodes ``Content-Encoding``).
"""

from __future__ import annotations

import asyncio
import os
import ssl
from collections.abc import AsyncIterator, Awaitable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import httpx

from locus.core.errors import ConfigurationError
from locus.models.http._aiohttp_errors import raise_mapped
from locus.models.http._body import BODY_SOURCE
from locus.models.http._plain import PlainRequest
from locus.models.http._proxies import ProxyTable
from locus.models.http._tls import shared_ssl_context

if TYPE_CHECKING:
    import aiohttp

__all__ = ["AiohttpTransport"]

_INSTALL_HINT = (
    "the aiohttp HTTP backend needs aiohttp (a dependency of locus-oci): pip install aiohttp"
)
_SKIP_AUTO_HEADERS = ("Accept", "Accept-Encoding", "User-Agent", "Content-Type")
_DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)


def _import_aiohttp() -> Any:
    try:
        import aiohttp
    except ImportError as exc:
        raise ConfigurationError(_INSTALL_HINT) from exc
    return aiohttp


class AiohttpTransport(httpx.AsyncBaseTransport):
    """Send httpx requests through one pooled ``aiohttp.ClientSession``."""

    def __init__(
        self,
        *,
        limits: httpx.Limits | None = None,
        verify: ssl.SSLContext | str | bool = True,
        trust_env: bool = True,
    ) -> None:
        _import_aiohttp()
        self._limits = limits or _DEFAULT_LIMITS
        self._verify, self._trust_env = verify, trust_env
        self._ssl: ssl.SSLContext | None = None
        self._proxies = ProxyTable(trust_env)
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` and return a response whose body streams from the socket."""
        response = await self.open(request)
        stream = _ResponseStream(response)
        extensions: dict[str, Any] = {
            "http_version": _http_version(response),
            "reason_phrase": (response.reason or "").encode("latin-1"),
        }
        if _identity(response):
            extensions[BODY_SOURCE] = stream
        return httpx.Response(
            status_code=response.status,
            headers=response.raw_headers,
            stream=stream,
            extensions=extensions,
        )

    async def open(
        self, request: httpx.Request, *, decompress: bool = False
    ) -> aiohttp.ClientResponse:
        """Send ``request``; aiohttp's response, its body unread (failures raise httpx's
        exceptions). ``decompress``: aiohttp decodes ``Content-Encoding`` (the direct path,
        where no httpx response does it)."""
        session = self._session_for_loop()
        proxy, proxy_headers = self._proxies.lookup(request.url)
        body = _body(request)
        headers = _headers(request, streamed=not isinstance(body, bytes | None))
        if proxy_headers and request.url.scheme == "http":
            headers.extend(proxy_headers.items())  # a plain proxied request carries them
        try:  # (a plain try, not a context manager: nothing extra stays alive while waiting)
            response: aiohttp.ClientResponse = await session.request(
                request.method,
                _yarl_url(request.url),
                headers=headers,
                data=body,
                allow_redirects=False,
                timeout=_client_timeout(*_timeouts(request)),
                proxy=proxy,
                proxy_headers=proxy_headers,
                ssl=self._ssl_for(request.url),
                auto_decompress=decompress,
            )
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            raise_mapped(exc, sending=True)
        return response

    async def open_plain(self, request: PlainRequest) -> aiohttp.ClientResponse:
        """``open(..., decompress=True)`` for a ``PlainRequest``: its headers go as they are."""
        try:
            return await self.plain_request(request)
        except Exception as exc:  # (CancelledError is a BaseException: it passes)
            raise_mapped(exc, sending=True)

    def plain_request(self, request: PlainRequest) -> Awaitable[aiohttp.ClientResponse]:
        """What ``open_plain`` awaits: aiohttp's request, not yet sent, whose failures are
        aiohttp's (``raise_mapped(exc, sending=True)`` maps them). The direct path awaits it
        in its own coroutine: one coroutine less per call in flight."""
        session = self._session_for_loop()
        url = request.url
        proxy, proxy_headers = self._proxies.lookup(url)
        headers: Any = request.headers
        if proxy_headers and url.scheme == "http":
            headers = [*headers.items(), *proxy_headers.items()]
        pending: Awaitable[aiohttp.ClientResponse] = session.request(
            "POST",
            _parsed_url(request.wire_url),
            headers=headers,
            data=request.body or None,
            allow_redirects=False,
            timeout=_client_timeout(*request.timeouts),
            proxy=proxy,
            proxy_headers=proxy_headers,
            ssl=self._ssl_for(url),
            auto_decompress=True,
        )
        return pending

    async def aclose(self) -> None:
        """Close the session and its connections; a later request opens a new session."""
        session, self._session, self._loop = self._session, None, None
        if session is not None:
            await session.close()

    def _ssl_for(self, url: httpx.URL) -> ssl.SSLContext | bool:
        """The SSL context of an ``https`` URL (made on first need); ``True`` otherwise."""
        if url.scheme != "https":
            return True  # aiohttp's default, unused for a plain connection
        context = self._ssl
        if context is None:
            context = self._ssl = _ssl_context(self._verify, self._trust_env)
        return context

    def _session_for_loop(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if self._session is not None and not self._session.closed:
            if self._loop is not loop:
                raise RuntimeError(
                    "AiohttpTransport is bound to the event loop of its first request; "
                    "make one transport per event loop (or aclose() it first)"
                )
            return self._session
        self._session, self._loop = self._open_session(), loop
        return self._session

    def _open_session(self) -> aiohttp.ClientSession:
        aio = _import_aiohttp()
        limits = self._limits
        connector = aio.TCPConnector(
            limit=limits.max_connections or 0,
            limit_per_host=0,
            keepalive_timeout=limits.keepalive_expiry,
        )
        session: aiohttp.ClientSession = aio.ClientSession(
            connector=connector,
            cookie_jar=aio.DummyCookieJar(),
            skip_auto_headers=_SKIP_AUTO_HEADERS,
            auto_decompress=False,
            trust_env=False,
            requote_redirect_url=False,
            timeout=aio.ClientTimeout(total=None),
        )
        return session


class _ResponseStream(httpx.AsyncByteStream):
    """The response body as it arrives; closing it frees or drops the connection.

    Also the response's ``BodySource`` (see ``locus.models.http._body``) when the body is
    not content-encoded.
    """

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self._response = response

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _mapped_errors(sending=False):
            async for chunk in self._response.content.iter_any():
                yield chunk

    async def read_chunk(self) -> bytes:
        """The next bytes of the body as they arrive; ``b""`` at its end."""
        try:
            chunk: bytes = await self._response.content.readany()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            raise_mapped(exc, sending=False)
        return chunk

    def received_all(self) -> bool:
        """True once the whole body has arrived."""
        done: bool = self._response.content.is_eof()
        return done

    async def aclose(self) -> None:
        """Release the connection to the pool after a full read; close it otherwise."""
        response = self._response
        if response.content.is_eof():
            response.release()
        else:
            response.close()


def _ssl_context(verify: ssl.SSLContext | str | bool, trust_env: bool) -> ssl.SSLContext:
    """httpx's TLS defaults; a ``str`` is a CA file or directory (httpx deprecates passing it).
    ``verify=True`` gives the process's shared default context."""
    if verify is True:
        return shared_ssl_context(trust_env=trust_env)
    if isinstance(verify, str):
        if os.path.isdir(verify):
            return ssl.create_default_context(capath=verify)
        return ssl.create_default_context(cafile=verify)
    return httpx.create_ssl_context(verify=verify, trust_env=trust_env)


def _identity(response: aiohttp.ClientResponse) -> bool:
    """Whether the body comes as it is (no ``Content-Encoding`` for httpx to decode)."""
    encoding = response.headers.get("Content-Encoding")
    return encoding is None or encoding.strip().lower() in ("", "identity")


def _http_version(response: aiohttp.ClientResponse) -> bytes:
    version = response.version
    return b"HTTP/1.1" if version is None else f"HTTP/{version.major}.{version.minor}".encode()


def _yarl_url(url: httpx.URL) -> Any:
    """The URL exactly as httpx encoded it (aiohttp must not re-quote a signed path)."""
    return _parsed_url(str(url))


@lru_cache(maxsize=256)
def _parsed_url(url: str) -> Any:
    """A model posts to one URL over and over: parse it once."""
    import yarl

    return yarl.URL(url, encoded=True)


def _headers(request: httpx.Request, *, streamed: bool) -> list[tuple[str, str]]:
    """The raw headers; a streamed body's chunking is left to aiohttp, which adds it back."""
    pairs = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw]
    if streamed:
        return [(k, v) for k, v in pairs if k.lower() != "transfer-encoding"]
    return pairs


def _body(request: httpx.Request) -> bytes | AsyncIterator[bytes] | None:
    try:
        content = request.content
    except httpx.RequestNotRead:
        return _stream_body(request.stream)
    return content or None


async def _stream_body(stream: Any) -> AsyncIterator[bytes]:
    async for chunk in stream:
        yield chunk


def _timeouts(request: httpx.Request) -> tuple[float | None, float | None, float | None]:
    timeout = request.extensions.get("timeout") or {}
    return timeout.get("connect"), timeout.get("read"), timeout.get("pool")


@lru_cache(maxsize=64)
def _client_timeout(
    connect: float | None, read: float | None, pool: float | None
) -> aiohttp.ClientTimeout:
    aio = _import_aiohttp()
    overall = None if connect is None or pool is None else connect + pool
    result: aiohttp.ClientTimeout = aio.ClientTimeout(
        total=None, connect=overall, sock_connect=connect, sock_read=read
    )
    return result


@contextmanager
def _mapped_errors(*, sending: bool) -> Iterator[None]:
    """Raise the httpx exception httpcore would have raised for an aiohttp failure."""
    try:
        yield
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        raise_mapped(exc, sending=sending)
