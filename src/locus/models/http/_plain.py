"""``PlainRequest``: one attempt's request on the aiohttp direct path, without httpx objects.

On the aiohttp backend nothing below the send loop needs an ``httpx.Request``: the
attempt's headers are a plain dict, built in the order and spelling httpx would send them
(the client's defaults that no given header replaces, ``Host``, ``Content-Length``, the
given headers), signed in place by an auth that can (``PlainAuth``) and handed to
aiohttp as they are. That saves building and scanning an ``httpx.Headers`` list, the
request object and its stream on every call (some 2–3 KiB and tens of microseconds).
An auth that cannot sign a plain request (a principal's, a user's own ``httpx.Auth``)
gets an ``httpx.Request`` as before (``RequestBuilder.post``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, runtime_checkable

import httpx

__all__ = ["PlainAuth", "PlainRequest", "ResponseHead", "can_sign_plain"]


class PlainRequest:
    """A ``POST`` with its whole body in memory; ``headers`` are sent as they are."""

    __slots__ = ("body", "headers", "host", "target", "timeouts", "url", "wire_url")

    method = "POST"

    def __init__(
        self,
        url: httpx.URL,
        wire_url: str,
        target: str,
        host: str,
        headers: dict[str, str],
        body: bytes,
        timeouts: tuple[float | None, float | None, float | None],
    ) -> None:
        self.url = url  # parsed once per endpoint (shared, never changed)
        self.wire_url = wire_url  # ``str(url)``: the URL exactly as httpx encodes it
        self.target = target  # the (request-target): path and query as sent
        self.host = host
        self.headers = headers
        self.body = body
        self.timeouts = timeouts  # connect, read, pool (the client's ``httpx.Timeout``)

    @property
    def content(self) -> bytes:
        """The body (as ``httpx.Request.content`` names it)."""
        return self.body


class ResponseHead(Protocol):
    """What an auth flow reads of an answer: its status and headers."""

    @property
    def status_code(self) -> int:
        """The HTTP status."""
        ...

    @property
    def headers(self) -> Mapping[str, str]:
        """The headers (case-insensitive ``get``)."""
        ...


@runtime_checkable
class PlainAuth(Protocol):
    """An auth that signs ``PlainRequest``s: ``plain_signing`` says whether it can now."""

    plain_signing: bool

    async def sign_plain(self, request: PlainRequest) -> None:
        """Sign ``request`` in place for its first attempt; ``plain_answered()`` follows
        when that attempt has its answer (or failed)."""
        ...

    def plain_answered(self) -> None:
        """The first attempt signed by ``sign_plain`` has its answer, or failed."""
        ...

    async def resign_plain(self, request: PlainRequest, response: ResponseHead) -> bool:
        """After the first attempt's ``response``: True when ``request`` was signed again
        for one more attempt (a 401 that fresh credentials may fix), else False."""
        ...


def can_sign_plain(auth: object) -> bool:
    """True when ``auth`` signs ``PlainRequest``s (checked once per call)."""
    return getattr(auth, "plain_signing", False) is True
