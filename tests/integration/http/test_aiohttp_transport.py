"""AiohttpTransport against small asyncio servers on loopback: bytes, streaming and faults."""

from __future__ import annotations

import asyncio
import datetime
import gzip
import ipaddress
import socket
import ssl
import struct
import sys
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from locus.core.errors import ConfigurationError
from locus.models.http._body import body_source
from locus.models.http.aiohttp_transport import AiohttpTransport
from tests.deadlines import deadline, within
from tests.loopback import Handler, Server


async def read_request(reader: asyncio.StreamReader) -> tuple[bytes, bytes]:
    """The request head and its Content-Length body."""
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    return head, await reader.readexactly(length)


def answer(body: bytes, *headers: str) -> bytes:
    lines = ["HTTP/1.1 200 OK", f"Content-Length: {len(body)}", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def echo_head(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while True:
        head, body = await read_request(reader)
        writer.write(answer(head + body))
        await writer.drain()


def reset(writer: asyncio.StreamWriter) -> None:
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


@pytest.fixture
async def transport() -> AsyncIterator[AiohttpTransport]:
    made = AiohttpTransport(trust_env=False)
    yield made
    await made.aclose()


async def test_headers_and_path_go_through_exactly(transport: AiohttpTransport) -> None:
    async with Server(echo_head) as server:
        request = httpx.Request(
            "POST",
            server.url + "/a%2Fb/c?q=x%20y",
            content=b'{"k":1}',
            headers={"Content-Type": "application/json", "Authorization": "Signature x"},
        )
        response = await transport.handle_async_request(request)
        await response.aread()
    head, _, body = response.content.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    assert lines[0] == "POST /a%2Fb/c?q=x%20y HTTP/1.1"
    names = sorted(line.split(":")[0].lower() for line in lines[1:])
    assert names == ["authorization", "content-length", "content-type", "host"]
    assert "Content-Type: application/json" in lines and body == b'{"k":1}'


async def test_keep_alive_reuses_one_connection(transport: AiohttpTransport) -> None:
    async with Server(echo_head) as server, httpx.AsyncClient(transport=transport) as client:
        for n in range(3):
            response = await client.post(server.url + "/x", content=f"{n}".encode())
            assert response.status_code == 200 and response.content.endswith(f"{n}".encode())
        assert server.connections == 1


async def test_streamed_request_body_is_sent(transport: AiohttpTransport) -> None:
    async def parts() -> AsyncIterator[bytes]:
        yield b"hello "
        yield b"world"

    async with Server(echo_chunked) as server, httpx.AsyncClient(transport=transport) as client:
        response = await client.post(server.url, content=parts())
    assert response.content == b"hello world"


async def echo_chunked(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    head = await reader.readuntil(b"\r\n\r\n")
    assert b"chunked" in head.lower()
    body = b""
    while size := int((await reader.readline()).strip(), 16):
        body += await reader.readexactly(size + 2)
    writer.write(answer(body.replace(b"\r\n", b"")))
    await writer.drain()


async def test_refused_port_is_connect_error(transport: AiohttpTransport) -> None:
    port = free_port()
    with pytest.raises(httpx.ConnectError):
        await transport.handle_async_request(httpx.Request("GET", f"http://127.0.0.1:{port}/"))


async def test_close_before_headers_is_remote_protocol_error(
    transport: AiohttpTransport,
) -> None:
    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)

    async with Server(hang_up) as server:
        with pytest.raises(httpx.RemoteProtocolError):
            await transport.handle_async_request(httpx.Request("POST", server.url, content=b"x"))


async def test_malformed_answer_is_remote_protocol_error(transport: AiohttpTransport) -> None:
    async def garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"NOT HTTP AT ALL\r\n\r\n")
        await writer.drain()

    async with Server(garbage) as server:
        with pytest.raises(httpx.RemoteProtocolError):
            await transport.handle_async_request(httpx.Request("GET", server.url))


def breaks_after(first: bytes, got_first: asyncio.Event, how: str = "reset") -> Handler:
    """Answers ``first`` of a 100-byte body, then, once the client has it, resets or closes."""

    async def broken(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + first)
        await writer.drain()
        await asyncio.wait_for(got_first.wait(), 2)
        reset(writer) if how == "reset" else writer.close()

    return broken


@pytest.mark.parametrize("how", ["reset", "truncate"])
async def test_broken_body_fails_in_iteration(transport: AiohttpTransport, how: str) -> None:
    got_first = asyncio.Event()
    async with (
        Server(breaks_after(b"first", got_first, how)) as server,
        httpx.AsyncClient(transport=transport) as client,
        client.stream("GET", server.url) as response,
    ):
        chunks = response.aiter_raw()
        assert await anext(chunks) == b"first"
        got_first.set()
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)) as info:
            async for _chunk in chunks:
                pass
    assert info.value.__cause__ is not None


async def test_read_timeout(transport: AiohttpTransport) -> None:
    released = asyncio.Event()

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        await released.wait()

    async with Server(silent) as server, httpx.AsyncClient(transport=transport) as client:
        with pytest.raises(httpx.ReadTimeout):
            await client.get(server.url, timeout=httpx.Timeout(5.0, read=0.2))
        released.set()


async def test_sse_event_arrives_while_stream_is_open(transport: AiohttpTransport) -> None:
    seen = asyncio.Event()

    async def sse(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n")
        writer.write(b'data: {"n": 1}\n\n')
        await writer.drain()
        await asyncio.wait_for(seen.wait(), 2)
        writer.write(b'data: {"n": 2}\n\n')
        await writer.drain()

    async with (
        Server(sse) as server,
        httpx.AsyncClient(transport=transport) as client,
        client.stream("GET", server.url) as response,
    ):
        lines = response.aiter_lines()
        assert await anext(lines) == 'data: {"n": 1}'
        seen.set()
        rest = [line async for line in lines]
    assert rest == ["", 'data: {"n": 2}', ""] or rest == ["", 'data: {"n": 2}']


async def test_gzip_is_decoded_by_httpx(transport: AiohttpTransport) -> None:
    payload = b'{"text": "' + b"a" * 1000 + b'"}'

    async def gzipped(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(answer(gzip.compress(payload), "Content-Encoding: gzip"))
        await writer.drain()

    async with Server(gzipped) as server, httpx.AsyncClient(transport=transport) as client:
        response = await client.get(server.url)
    assert response.content == payload and response.headers["content-encoding"] == "gzip"


async def test_cancel_mid_stream_frees_the_only_connection() -> None:
    transport = AiohttpTransport(limits=httpx.Limits(max_connections=1), trust_env=False)
    started = asyncio.Event()

    async def endless(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head, _ = await read_request(reader)
        if b"/quick" in head:
            writer.write(answer(b"ok"))
            await writer.drain()
            return
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nfirst\r\n")
        await writer.drain()
        await reader.read()  # until the client goes away

    async def consume(client: httpx.AsyncClient, url: str) -> None:
        async with client.stream("GET", url) as response:
            async for _chunk in response.aiter_raw():
                started.set()

    async with Server(endless) as server, httpx.AsyncClient(transport=transport) as client:
        task = asyncio.create_task(consume(client, server.url + "/slow"))
        await within(started.wait(), "the slow answer started")
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        quick = await client.get(server.url + "/quick", timeout=httpx.Timeout(1.0, pool=0.5))
        assert quick.text == "ok"


async def test_pool_wait_timeout_is_connect_timeout() -> None:
    transport = AiohttpTransport(limits=httpx.Limits(max_connections=1), trust_env=False)
    hold = asyncio.Event()

    async def holding(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nfirst")
        await writer.drain()
        await hold.wait()

    async with Server(holding) as server, httpx.AsyncClient(transport=transport) as client:
        async with client.stream("GET", server.url):
            with pytest.raises(httpx.ConnectTimeout):
                await client.get(server.url, timeout=httpx.Timeout(0.2, pool=0.1))
        hold.set()


async def test_bad_scheme_is_unsupported_protocol(transport: AiohttpTransport) -> None:
    with pytest.raises(httpx.UnsupportedProtocol):
        await transport.handle_async_request(httpx.Request("GET", "ftp://127.0.0.1/file"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
def clean_proxy_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("no_proxy", "all_proxy", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    return monkeypatch


async def test_proxy_from_environment_with_credentials(clean_proxy_env: pytest.MonkeyPatch) -> None:
    async with Server(echo_head) as proxy:
        clean_proxy_env.setenv("http_proxy", proxy.url.replace("//", "//user:pw@"))
        transport = AiohttpTransport()
        try:
            request = httpx.Request("GET", "http://example.invalid/path")
            response = await transport.handle_async_request(request)
            head = (await response.aread()).decode()
        finally:
            await transport.aclose()
    assert head.startswith("GET http://example.invalid/path HTTP/1.1")
    assert "Proxy-Authorization: Basic dXNlcjpwdw==" in head  # base64("user:pw")


async def test_unreachable_proxy_and_no_proxy(clean_proxy_env: pytest.MonkeyPatch) -> None:
    clean_proxy_env.setenv("http_proxy", f"http://127.0.0.1:{free_port()}")
    clean_proxy_env.setenv("no_proxy", "127.0.0.1")
    transport = AiohttpTransport()
    try:
        with pytest.raises(httpx.ProxyError):
            await transport.handle_async_request(httpx.Request("GET", "http://example.invalid/"))
        async with Server(echo_head) as server:
            response = await transport.handle_async_request(httpx.Request("GET", server.url))
            await response.aclose()
        assert response.status_code == 200
    finally:
        await transport.aclose()


async def test_reopens_after_aclose(transport: AiohttpTransport) -> None:
    async with Server(echo_head) as server:
        for _ in range(2):
            async with httpx.AsyncClient(transport=transport) as client:
                assert (await client.get(server.url)).status_code == 200
        assert server.connections == 2


async def test_another_event_loop_is_refused(transport: AiohttpTransport) -> None:
    async with Server(echo_head) as server:
        response = await transport.handle_async_request(httpx.Request("GET", server.url))
        await response.aclose()
        errors: list[BaseException] = []

        def other_loop() -> None:
            request = httpx.Request("GET", server.url)
            try:
                asyncio.run(transport.handle_async_request(request))
            except RuntimeError as exc:
                errors.append(exc)

        thread = threading.Thread(target=other_loop)
        thread.start()
        await asyncio.to_thread(thread.join)
    assert errors and "one transport per event loop" in str(errors[0])


def test_missing_aiohttp_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "aiohttp", None)
    with pytest.raises(ConfigurationError, match="pip install aiohttp"):
        AiohttpTransport()


def test_importing_locus_does_not_import_aiohttp() -> None:
    import subprocess

    code = "import sys, locus, locus.models.http; print('aiohttp' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "False"


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate and key for 127.0.0.1, written as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


async def test_tls_verify_with_a_ca_file_and_refusal_without(tmp_path: Path) -> None:
    cert_file, key_file = self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    server = await asyncio.start_server(echo_head, "127.0.0.1", 0, ssl=context)
    url = f"https://127.0.0.1:{server.sockets[0].getsockname()[1]}/secure"
    trusting = AiohttpTransport(verify=str(cert_file), trust_env=False)
    default = AiohttpTransport(trust_env=False)
    try:
        async with httpx.AsyncClient(transport=trusting) as client:
            response = await client.get(url)
        assert response.content.startswith(b"GET /secure HTTP/1.1")
        with pytest.raises(httpx.ConnectError):
            await default.handle_async_request(httpx.Request("GET", url))
    finally:
        await default.aclose()
        server.close()
        await within(server.wait_closed(), "the TLS server closed")


async def test_plain_body_is_a_direct_source(transport: AiohttpTransport) -> None:
    """An unencoded body can be read straight from the transport, with its errors mapped."""
    got_first = asyncio.Event()
    async with Server(breaks_after(b"data: 1\n\n", got_first)) as server:
        response = await transport.handle_async_request(httpx.Request("GET", server.url))
        source = body_source(response)
        assert source is not None and not source.received_all()
        assert await source.read_chunk() == b"data: 1\n\n"
        got_first.set()
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            async with deadline("the broken body read"):
                while await source.read_chunk():
                    pass
        await response.aclose()


async def test_whole_body_received_is_known_before_it_is_read(
    transport: AiohttpTransport,
) -> None:
    async with Server(echo_head) as server:
        response = await transport.handle_async_request(httpx.Request("GET", server.url))
        source = body_source(response)
        assert source is not None
        for _ in range(100):  # the answer is one small write: it is all in after a moment
            if source.received_all():
                break
            await asyncio.sleep(0.01)
        assert source.received_all()
        assert (await source.read_chunk()).startswith(b"GET / HTTP/1.1")
        assert await source.read_chunk() == b""
        await response.aclose()


async def test_encoded_body_has_no_direct_source(transport: AiohttpTransport) -> None:
    """httpx must decode it, so readers go through httpx's iterators."""

    async def gzipped(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(answer(gzip.compress(b"x" * 100), "Content-Encoding: gzip"))
        await writer.drain()

    async with Server(gzipped) as server:
        response = await transport.handle_async_request(httpx.Request("GET", server.url))
        assert body_source(response) is None
        await response.aclose()
