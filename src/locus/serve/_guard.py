"""The gate every request passes: bearer token, body size, concurrency per client.

A pure ASGI middleware, so it costs a few dictionary look-ups per request and never
buffers a response. The body of a request is read here, up to ``max_body_bytes``, and
handed on whole; after it, the app's ``receive`` still reports the client's
disconnect (the event streams need that).
"""

from __future__ import annotations

import functools
import hmac
import ipaddress
import json
from collections.abc import Iterable
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["PROBE_PATHS", "Guard", "GuardOptions", "is_loopback"]

OPEN_PATHS = frozenset({"/healthz", "/readyz", "/", "/favicon.ico"})
"""Paths served without a token: probes, and the chat page (its calls carry the token)."""

PROBE_PATHS = frozenset({"/healthz", "/readyz"})
"""Paths outside the per-client limit: a load balancer's health checker may share one
address with many users (behind some proxies), and must see the server up while those
users hold the address's every slot; a probe never uses one either."""


@functools.lru_cache(maxsize=1024)
def is_loopback(host: str | None) -> bool:
    """Whether ``host`` (an address or ``localhost``) is a loopback address (cached:
    parsing an address costs more than the rest of the guard)."""
    if host in (None, ""):
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(str(host).strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class GuardOptions:
    """``token=None`` means auth is off, which the guard allows from loopback only."""

    token: str | None
    max_body_bytes: int
    max_concurrent_per_client: int
    cors_origins: frozenset[str] = frozenset()
    """Origins a browser may call from when auth is off (the CORS ones)."""


class Guard:
    """Checks auth, reads the body under a size cap and limits requests in flight per
    client (health and readiness probes excepted: ``PROBE_PATHS``)."""

    def __init__(self, app: ASGIApp, options: GuardOptions) -> None:
        self.app = app
        self.options = options
        self.in_flight: dict[str, int] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = _client_host(scope)
        refusal = self._refusal(scope, client)
        if refusal is not None:
            await _error(send, *refusal)
            return
        if scope["path"] in PROBE_PATHS:
            await self._pass(scope, receive, send)
            return
        key = client or "?"
        if self.in_flight.get(key, 0) >= self.options.max_concurrent_per_client:
            limit = self.options.max_concurrent_per_client
            await _error(send, 429, f"too many requests in flight from {key} (limit {limit})")
            return
        self.in_flight[key] = self.in_flight.get(key, 0) + 1
        try:
            await self._pass(scope, receive, send)
        finally:
            self._release(key)

    async def _pass(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Read the body under the size cap and hand the request on."""
        body = await _read_body(receive, self.options.max_body_bytes)
        if body is None:
            limit = self.options.max_body_bytes
            await _error(send, 413, f"request body over {limit} bytes")
            return
        await self.app(scope, _replay(body, receive), send)

    def _refusal(self, scope: Scope, client: str | None) -> tuple[int, str] | None:
        if scope["path"] in OPEN_PATHS:
            return None
        token = self.options.token
        if token is None:
            if not is_loopback(client):
                return (
                    403,
                    "auth is off, so only loopback clients are served; set LOCUS_SERVE_TOKEN",
                )
            return self._browser_refusal(scope["headers"])
        sent = _bearer(scope["headers"])
        if sent is None or not hmac.compare_digest(sent.encode(), token.encode()):
            return 401, "missing or wrong bearer token: send 'Authorization: Bearer <token>'"
        return None

    def _browser_refusal(self, headers: Iterable[tuple[bytes, bytes]]) -> tuple[int, str] | None:
        """With auth off, what a browser on this machine must not do for a web page: a
        request naming another host (DNS rebinding: ``evil.example`` resolved to
        127.0.0.1), or one from another origin (a page posting a run without CORS's
        consent: a plain POST needs no preflight). Clients that are not browsers send
        no ``Origin``."""
        host = origin = None
        for name, value in headers:
            if name == b"host":
                host = value.decode("latin-1")
            elif name == b"origin":
                origin = value.decode("latin-1")
        if host is not None and not is_loopback(_hostname(host)):
            return 403, (
                f"auth is off, so requests must name a loopback host, not {host!r} (open "
                "the server as http://127.0.0.1:PORT or http://localhost:PORT), or set "
                "LOCUS_SERVE_TOKEN"
            )
        if origin is None or origin in self.options.cors_origins:
            return None
        if origin != "null" and is_loopback(_hostname(origin.partition("://")[2])):
            return None
        return 403, (
            f"auth is off, so requests from another origin ({origin!r}) are refused: list it "
            "in --cors-origin or set LOCUS_SERVE_TOKEN"
        )

    def _release(self, key: str) -> None:
        left = self.in_flight[key] - 1
        if left:
            self.in_flight[key] = left
        else:
            del self.in_flight[key]


def _hostname(authority: str) -> str:
    """The host of ``host[:port]`` or ``[v6]:port`` (the address without brackets),
    lower-cased (host names are case-insensitive)."""
    authority = authority.lower()
    if authority.startswith("["):
        return authority[1:].partition("]")[0]
    return authority.rpartition(":")[0] if authority.count(":") == 1 else authority


def _client_host(scope: Scope) -> str | None:
    client = scope.get("client")
    return str(client[0]) if client else None


def _bearer(headers: Iterable[tuple[bytes, bytes]]) -> str | None:
    for name, value in headers:
        if name == b"authorization":
            scheme, _, credentials = value.decode("latin-1").partition(" ")
            return credentials.strip() if scheme.lower() == "bearer" else None
    return None


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole request body, or ``None`` once it passes ``limit`` bytes."""
    parts: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(parts)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        parts.append(chunk)
        if not message.get("more_body", False):
            return b"".join(parts)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


async def _error(send: Send, status: int, message: str) -> None:
    kinds = {401: "authentication_error", 403: "permission_error", 413: "invalid_request_error"}
    body = {"error": {"message": message, "type": kinds.get(status, "rate_limit_error")}}
    data = json.dumps(body).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
    if status == 401:
        headers.append((b"www-authenticate", b"Bearer"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": data})
