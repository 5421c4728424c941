"""Build each attempt's ``httpx.Request`` without re-merging the client's defaults.

``AsyncClient.build_request`` copies the client's default headers and then replaces
each given header that is also a default (a scan of the list per header), parses
the URL and merges cookies, on every attempt. The result here is the same request:
the defaults that no given header replaces are listed once per client and header
names, the URL is parsed once per endpoint, and the timeout rides along as the
``timeout`` extension as ``build_request`` puts it. A client holding cookies (set by
a server) still goes through ``build_request``, so they are sent as before. The
defaults are read once per client: the model makes its clients itself, with httpx's
default headers, and never changes them. The body is handed over as a ready stream with its
``Host`` and ``Content-Length`` (what ``Request`` would add itself), so the request's header
list is built once, not three times.
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from locus.models.http._plain import PlainRequest

__all__ = ["RequestBuilder"]


class RequestBuilder:
    """Makes ``POST`` requests equal to ``client.build_request(...)``, for one model."""

    __slots__ = ("_base", "_url")

    def __init__(self) -> None:
        self._url: tuple[str, httpx.URL, str, str, str] | None = None
        self._base: tuple[httpx.AsyncClient, frozenset[str], list[tuple[str, str]]] | None = None

    def post(
        self, client: httpx.AsyncClient, url: str, body: bytes, headers: Mapping[str, str]
    ) -> httpx.Request:
        """The request ``client.build_request("POST", url, content=body, headers=headers)``."""
        parsed, host = self._parsed(url)
        if client.cookies or client.params or parsed.is_relative_url:
            return client.build_request("POST", url, content=body, headers=headers)
        names, items = self._defaults(client, headers)
        if "host" not in names:
            items.append(("Host", host))
        if "content-length" not in names:
            items.append(("Content-Length", str(len(body))))
        items.extend(headers.items())
        extensions = {"timeout": client.timeout.as_dict()}
        request = httpx.Request(
            "POST", parsed, headers=items, stream=httpx.ByteStream(body), extensions=extensions
        )
        request.read()  # the body is in memory already: this only records it as read
        return request

    def plain(
        self, client: httpx.AsyncClient, url: str, body: bytes, headers: Mapping[str, str]
    ) -> PlainRequest | None:
        """The same request as a ``PlainRequest`` (the aiohttp direct path): the same
        headers in the same order and spelling; ``None`` where ``post`` would need
        ``build_request`` (cookies, params, a relative URL)."""
        parsed, host = self._parsed(url)
        if client.cookies or client.params or parsed.is_relative_url:
            return None
        names, items = self._defaults(client, headers)
        sent = dict(items)
        if len(sent) != len(items):  # a default given twice: httpx's own list keeps both
            return None
        if "host" not in names:
            sent["Host"] = host
        if "content-length" not in names:
            sent["Content-Length"] = str(len(body))
        sent.update(headers)
        timeout = client.timeout
        timeouts = (timeout.connect, timeout.read, timeout.pool)
        assert self._url is not None  # (set by _parsed)
        return PlainRequest(parsed, self._url[3], self._url[4], host, sent, body, timeouts)

    def _defaults(
        self, client: httpx.AsyncClient, headers: Mapping[str, str]
    ) -> tuple[frozenset[str], list[tuple[str, str]]]:
        """The given header names (lower case) and the defaults they do not replace."""
        names = frozenset(name.lower() for name in headers)
        base = self._base
        if base is None or base[0] is not client or base[1] != names:
            kept = [(k, v) for k, v in client.headers.multi_items() if k.lower() not in names]
            base = self._base = (client, names, kept)
        return names, list(base[2])

    def _parsed(self, url: str) -> tuple[httpx.URL, str]:
        cached = self._url
        if cached is None or cached[0] != url:
            parsed = httpx.URL(url)
            host, target = parsed.netloc.decode("ascii"), parsed.raw_path.decode("ascii")
            cached = self._url = (url, parsed, host, str(parsed), target)
        return cached[1], cached[2]
