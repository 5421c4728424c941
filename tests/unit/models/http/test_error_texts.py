"""Transport failures' texts, as Locus's errors show them: an aiohttp connection failure
names the host, port and cause, without aiohttp's TLS setting (an ``SSLContext`` repr with
its memory address); an answer aiohttp could not parse names no "400" (its parser's own
code, no status the server sent); a connection that cannot be made has a hint (refused,
DNS, TLS), on both HTTP backends."""

from __future__ import annotations

import asyncio
import json
import re
import socket
import ssl
from typing import Any, Literal

import aiohttp
import httpx
import pytest
from aiohttp.client_reqrep import ConnectionKey

from locus.core.errors import ConnectError, StreamError
from locus.core.messages import Message
from locus.models.http._aiohttp_errors import mapped_error
from locus.models.http._errors import transport_error
from locus.models.http._tls import shared_ssl_context
from locus.models.http.aiohttp_transport import AiohttpTransport
from locus.models.openai_compatible import OpenAICompatibleModel
from tests.loopback import Server


def _key(ssl_setting: ssl.SSLContext | bool) -> ConnectionKey:
    values: dict[str, Any] = {"host": "inference.example.com", "port": 443, "is_ssl": True}
    values["ssl"] = ssl_setting
    values |= {name: None for name in ConnectionKey._fields if name not in values}
    return ConnectionKey(**values)  # (its fields differ between aiohttp versions)


def test_a_refused_tls_connection_reads_without_the_context_repr() -> None:
    context = shared_ssl_context()
    assert isinstance(context, ssl.SSLContext)
    refused = ConnectionRefusedError(111, "Connect call failed ('10.0.0.9', 443)")
    failure = aiohttp.ClientConnectorError(_key(context), refused)
    assert "SSLContext object at" in str(failure)  # (what aiohttp says)
    mapped = mapped_error(failure, sending=True)
    assert isinstance(mapped, httpx.ConnectError)
    assert str(mapped) == (
        "Cannot connect to host inference.example.com:443 [Connect call failed ('10.0.0.9', 443)]"
    )


def test_the_default_tls_setting_is_left_out_too() -> None:
    failure = aiohttp.ClientConnectorError(_key(True), OSError(113, "No route to host"))
    assert str(mapped_error(failure)) == (
        "Cannot connect to host inference.example.com:443 [No route to host]"
    )


# -- aiohttp's HTTP-parser errors carry a "400" of their own: no status the server sent --

Backend = Literal["httpx", "aiohttp"]
BACKENDS: list[Backend] = ["httpx", "aiohttp"]


def _answering(data: bytes) -> Server:
    """A loopback server that reads one request head and writes ``data``, then closes."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(data)
        await writer.drain()

    return Server(handle)


async def _aiohttp_failure(data: bytes) -> httpx.HTTPError:
    """The httpx error the aiohttp transport raises when a server answers ``data``."""
    async with _answering(data) as server, httpx.AsyncClient(transport=AiohttpTransport()) as c:
        with pytest.raises(httpx.HTTPError) as info:
            response = await c.get(server.url)
            await response.aread()
    return info.value


def _no_status(text: str) -> bool:
    return re.search(r"\b400\b", text) is None and "message=" not in text


async def test_a_chunked_body_cut_short_names_no_status() -> None:
    failure = await _aiohttp_failure(
        b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n"
    )
    assert isinstance(failure, httpx.RemoteProtocolError)
    assert str(failure) == (
        "Response payload is not completed: TransferEncodingError: Not enough data to "
        "satisfy transfer length header."
    )


async def test_a_body_shorter_than_its_length_names_no_status() -> None:
    failure = await _aiohttp_failure(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nhello")
    assert isinstance(failure, httpx.RemoteProtocolError)
    assert _no_status(str(failure)) and "ContentLengthError: Not enough data" in str(failure)
    assert "received 5 of 100 bytes" in str(failure)


async def test_a_malformed_status_line_names_no_status() -> None:
    failure = await _aiohttp_failure(b"HTTQ/1.1 2000 OK\r\n\r\n")
    assert isinstance(failure, httpx.RemoteProtocolError)
    text = str(failure)
    assert text.startswith("the answer's status line or headers could not be parsed: ")
    assert "Bad status line" in text and "HTTQ/1.1 2000 OK" in text
    assert _no_status(text) and "url=" not in text and "\n" not in text


def _sse_cut_after_one_event() -> bytes:
    event = {
        "id": "c1",
        "object": "chat.completion.chunk",
        "model": "m",
        "choices": [{"index": 0, "delta": {"role": "assistant", "content": "1, 2"}}],
    }
    data = b"data: " + json.dumps(event).encode() + b"\n\n"
    head = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n"
    # one whole chunk (the event), then a chunk announced and never sent: the server dies
    return head + b"\r\n" + f"{len(data):x}\r\n".encode() + data + b"\r\n" + b"100\r\ndata"


async def test_a_stream_that_breaks_reads_without_a_fake_status() -> None:
    """The review's text: ``StreamError: ... broke (RemoteProtocolError: Response payload
    is not completed: <TransferEncodingError: 400, message='Not enough data...'>)``."""
    async with _answering(_sse_cut_after_one_event()) as server:
        model = OpenAICompatibleModel(
            "m", base_url=f"{server.url}/v1", http_backend="aiohttp", max_retries=0
        )
        async with model:
            seen: list[str] = []
            with pytest.raises(StreamError) as info:
                async for event in model.stream([Message.user("count")]):
                    seen.append(event.content or "")
        url = server.url
    assert "".join(seen) == "1, 2"
    text = str(info.value)
    assert "broke (RemoteProtocolError: Response payload is not completed: " in text
    assert "TransferEncodingError: Not enough data to satisfy transfer length header." in text
    assert _no_status(text.replace(url, "")), text


# -- a connection that cannot be made says what to check ------------------------------


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def _connect_error(base_url: str, backend: Backend) -> ConnectError:
    model = OpenAICompatibleModel("m", base_url=base_url, http_backend=backend, max_retries=0)
    async with model:
        with pytest.raises(ConnectError) as info:
            await model.complete([Message.user("hi")])
    return info.value


@pytest.mark.parametrize("backend", BACKENDS)
async def test_a_refused_connection_has_a_hint(backend: Backend) -> None:
    port = _closed_port()
    error = await _connect_error(f"http://127.0.0.1:{port}/v1", backend)
    hint = error.hint or ""
    assert hint.startswith(f"nothing accepted the connection at 127.0.0.1:{port}: ")
    assert "check the host and port" in hint and "service_endpoint=" in hint
    assert "HTTPS_PROXY" in hint and f"\nhint: {hint}" in str(error)


@pytest.mark.parametrize("backend", BACKENDS)
async def test_a_host_name_that_does_not_resolve_has_a_hint(backend: Backend) -> None:
    error = await _connect_error("http://locus-no-such-host.invalid/v1", backend)
    hint = error.hint or ""
    assert hint.startswith("the host name locus-no-such-host.invalid could not be resolved")
    assert "region" in hint and "service_endpoint=" in hint


@pytest.mark.parametrize("backend", BACKENDS)
async def test_tls_to_a_plain_port_has_a_hint(backend: Backend) -> None:
    async def plain(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n")
        await writer.drain()
        await reader.read(65536)

    async with Server(plain) as server:
        port = server.url.rsplit(":", 1)[1]
        error = await _connect_error(f"https://127.0.0.1:{port}/v1", backend)
    assert (error.hint or "").startswith(f"the TLS handshake with 127.0.0.1:{port} failed")


def test_a_failure_after_connecting_has_no_connection_hint() -> None:
    error = transport_error(httpx.ReadError("connection reset"), "https://h.example/x")
    assert isinstance(error, ConnectError) and error.hint is None
