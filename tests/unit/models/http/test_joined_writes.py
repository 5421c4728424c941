"""``JoinedWritesStream``: a request head goes out with the write after it, and nothing
held is left behind a read, a TLS start or a close."""

from __future__ import annotations

import ssl
from collections.abc import Iterable
from typing import Any

import httpcore

from locus.models.http._joined_writes import JoinedWritesBackend, JoinedWritesStream

HEAD = b"POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\n"
ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"


class Recorded(httpcore.AsyncNetworkStream):
    """A network stream that keeps what is done to it (a real one, on a list)."""

    def __init__(self, log: list[tuple[str, bytes]] | None = None) -> None:
        self.log = [] if log is None else log

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        self.log.append(("read", b""))
        return ANSWER

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.log.append(("write", buffer))

    async def aclose(self) -> None:
        self.log.append(("close", b""))

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        self.log.append(("tls", b""))
        return Recorded(self.log)

    def get_extra_info(self, info: str) -> Any:
        return "peer" if info == "server_addr" else None


class RecordedBackend(httpcore.AsyncNetworkBackend):
    def __init__(self) -> None:
        self.streams: list[Recorded] = []

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        self.streams.append(Recorded())
        return self.streams[-1]

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        return await self.connect_tcp(path, 0)

    async def sleep(self, seconds: float) -> None:
        return None


async def test_a_head_goes_out_with_the_body() -> None:
    inner = Recorded()
    stream = JoinedWritesStream(inner)
    await stream.write(HEAD)
    assert inner.log == []
    await stream.write(b"{}")
    await stream.write(b"")  # (httpcore's end of a sized message: passed on as before)
    assert inner.log == [("write", HEAD + b"{}"), ("write", b"")]


async def test_an_empty_write_after_a_head_sends_it() -> None:
    inner = Recorded()
    stream = JoinedWritesStream(inner)
    await stream.write(HEAD)
    await stream.write(b"")
    assert inner.log == [("write", HEAD)]


async def test_what_is_held_goes_out_before_a_read() -> None:
    inner = Recorded()
    stream = JoinedWritesStream(inner)
    await stream.write(HEAD)
    assert await stream.read(100) == ANSWER
    assert inner.log == [("write", HEAD), ("read", b"")]


async def test_other_writes_go_straight_through() -> None:
    inner = Recorded()
    stream = JoinedWritesStream(inner)
    await stream.write(b"5\r\nhello\r\n")
    assert inner.log == [("write", b"5\r\nhello\r\n")]


async def test_tls_starts_after_what_is_held_and_joins_its_writes_too() -> None:
    inner = Recorded()
    stream = JoinedWritesStream(inner)
    await stream.write(b"CONNECT h:443 HTTP/1.1\r\n\r\n")
    tls = await stream.start_tls(ssl.create_default_context(), "h")
    assert isinstance(tls, JoinedWritesStream)
    await tls.write(HEAD)
    await tls.write(b"{}")
    assert inner.log == [
        ("write", b"CONNECT h:443 HTTP/1.1\r\n\r\n"),
        ("tls", b""),
        ("write", HEAD + b"{}"),
    ]
    assert tls.get_extra_info("server_addr") == "peer"


async def test_a_close_drops_what_is_held() -> None:
    inner = Recorded()
    stream = JoinedWritesStream(inner)
    await stream.write(HEAD)
    await stream.aclose()
    assert inner.log == [("close", b"")]


async def test_the_backend_joins_every_connection() -> None:
    backend = JoinedWritesBackend(RecordedBackend())
    tcp = await backend.connect_tcp("h", 80)
    unix = await backend.connect_unix_socket("/tmp/s")
    assert isinstance(tcp, JoinedWritesStream)
    assert isinstance(unix, JoinedWritesStream)
    await backend.sleep(0)


async def test_httpcore_sends_a_request_in_one_write() -> None:
    recorded = RecordedBackend()
    pool = httpcore.AsyncConnectionPool(network_backend=JoinedWritesBackend(recorded))
    async with pool:
        response = await pool.request("POST", "http://h/x", content=b"{}")
    assert response.content == b"ok"
    writes = [data for kind, data in recorded.streams[0].log if kind == "write" and data]
    assert len(writes) == 1
    assert writes[0].startswith(b"POST /x HTTP/1.1\r\n")
    assert writes[0].endswith(b"\r\n\r\n{}")
