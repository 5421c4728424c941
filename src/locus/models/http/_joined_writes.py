"""A network backend for httpcore whose streams send a request's head and body in one write.

httpcore writes an HTTP/1.1 request in two socket sends: the head (request line and
headers), then the body. On loopback, and to any server that reads as data comes, each
send is a system call and a wake-up of the other side. ``JoinedWritesBackend`` wraps the
backend a pool connects with; its streams hold back a write that ends a request head
(``\\r\\n\\r\\n``) and send it together with the next write. Anything held goes out before
the stream reads, closes or starts TLS, so nothing waits for bytes that are not sent:
httpcore always writes the end of the request (its body, or an empty write for the end of
the message) before it reads the answer. The bytes sent are the same, in the same order.

The streams also answer httpcore's ``is_readable`` (asked of every pooled connection each
time a request comes or an answer closes) from the socket found once per stream, where
anyio's stream builds its table of attributes on every question.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterable
from typing import Any

import httpcore
from httpcore._utils import is_socket_readable

__all__ = ["JoinedWritesBackend", "JoinedWritesStream"]

_HEAD_END = b"\r\n\r\n"
_UNKNOWN: Any = object()


class JoinedWritesStream(httpcore.AsyncNetworkStream):
    """A network stream that sends a request head with the write that follows it."""

    __slots__ = ("_held", "_inner", "_socket")

    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner
        self._held = b""
        self._socket: Any = _UNKNOWN

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        """Send ``buffer`` (after anything held); a request head is held for the next write."""
        held = self._held
        if held:
            self._held = b""
            await self._inner.write(held + buffer, timeout)
        elif buffer.endswith(_HEAD_END):
            self._held = buffer
        else:
            await self._inner.write(buffer, timeout)

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        """Send what is held, then read."""
        if self._held:
            await self._flush(timeout)
        return await self._inner.read(max_bytes, timeout)

    async def aclose(self) -> None:
        """Close the stream (what is held is dropped with it)."""
        self._held = b""
        await self._inner.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """The TLS stream over this one, joining its writes too."""
        if self._held:
            await self._flush(timeout)
        inner = await self._inner.start_tls(ssl_context, server_hostname, timeout)
        return JoinedWritesStream(inner)

    def get_extra_info(self, info: str) -> Any:
        """What the inner stream tells (``ssl_object``, ``server_addr``, ...);
        ``is_readable`` from the stream's socket, looked up once."""
        if info != "is_readable":
            return self._inner.get_extra_info(info)
        sock = self._socket
        if sock is _UNKNOWN:
            sock = self._socket = self._inner.get_extra_info("socket")
        if sock is None:  # (a stream without a socket: the inner one knows)
            return self._inner.get_extra_info(info)
        return is_socket_readable(sock)

    async def _flush(self, timeout: float | None) -> None:
        held, self._held = self._held, b""
        await self._inner.write(held, timeout)


class JoinedWritesBackend(httpcore.AsyncNetworkBackend):
    """``inner``'s connections, as ``JoinedWritesStream``s."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend) -> None:
        self.inner = inner

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """A TCP connection whose writes are joined."""
        stream = await self.inner.connect_tcp(host, port, timeout, local_address, socket_options)
        return JoinedWritesStream(stream)

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        """A Unix socket connection whose writes are joined."""
        stream = await self.inner.connect_unix_socket(path, timeout, socket_options)
        return JoinedWritesStream(stream)

    async def sleep(self, seconds: float) -> None:
        """The inner backend's sleep (httpcore's retries wait with it)."""
        await self.inner.sleep(seconds)
