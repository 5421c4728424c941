"""The aiohttp direct path's attempt with a ``PlainRequest``: signed in place, told when the
first attempt is answered, signed again once after a 401 (the spent answer closed), and
aiohttp's failures raised as httpx's."""

from __future__ import annotations

import asyncio
import math

import httpx
import pytest

from locus.models.http._answer import AiohttpAnswer
from locus.models.http._direct import attempt
from locus.models.http._plain import PlainRequest, ResponseHead
from locus.models.http.aiohttp_transport import AiohttpTransport
from tests.loopback import Server


class _Signer:
    """A ``PlainAuth`` that signs generation 1, and generation 2 after a 401 when ``again``."""

    plain_signing = True

    def __init__(self, *, again: bool) -> None:
        self.again = again
        self.log: list[str] = []

    async def sign_plain(self, request: PlainRequest) -> None:
        self.log.append("sign")
        request.headers["authorization"] = "gen-1"

    def plain_answered(self) -> None:
        self.log.append("answered")

    async def resign_plain(self, request: PlainRequest, response: ResponseHead) -> bool:
        self.log.append(f"resign after {response.status_code}")
        if self.again:
            request.headers["authorization"] = "gen-2"
        return self.again


def _request(url: str) -> PlainRequest:
    parsed = httpx.URL(url + "/chat")
    host = parsed.netloc.decode("ascii")
    headers = {"Host": host, "Content-Length": "2"}
    return PlainRequest(parsed, str(parsed), "/chat", host, headers, b"{}", (5.0, 5.0, 5.0))


async def _read_head(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    await reader.readexactly(2)  # the body, b"{}"
    return head


def _server(heads: list[bytes], statuses: list[int]) -> Server:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while len(heads) < len(statuses):
            heads.append(await _read_head(reader))
            status = statuses[len(heads) - 1]
            writer.write(f"HTTP/1.1 {status} X\r\nContent-Length: 2\r\n\r\n{{}}".encode())
            await writer.drain()

    return Server(handle)


@pytest.mark.parametrize("again", [True, False])
async def test_a_401_is_signed_again_once_when_the_auth_can(again: bool) -> None:
    heads: list[bytes] = []
    signer = _Signer(again=again)
    transport = AiohttpTransport(trust_env=False)
    try:
        async with _server(heads, [401, 200]) as server:
            answer = await attempt(transport, _request(server.url), signer, math.inf)
            assert isinstance(answer, AiohttpAnswer)
            assert answer.status_code == (200 if again else 401)
            answer.close_now()
    finally:
        await transport.aclose()
    assert signer.log == ["sign", "answered", "resign after 401"]
    assert [b"authorization: gen-1" in h.lower() for h in heads] == [True, False][: len(heads)]
    assert len(heads) == (2 if again else 1)
    if again:
        assert b"authorization: gen-2" in heads[1].lower()


async def test_without_an_auth_the_answer_comes_back_whatever_its_status() -> None:
    heads: list[bytes] = []
    transport = AiohttpTransport(trust_env=False)
    try:
        async with _server(heads, [401]) as server:
            answer = await attempt(transport, _request(server.url), None, math.inf)
            assert isinstance(answer, AiohttpAnswer)
            assert answer.status_code == 401
            answer.close_now()
    finally:
        await transport.aclose()
    assert len(heads) == 1


async def test_a_refused_connection_is_returned_as_httpx_connect_error() -> None:
    async with Server(lambda reader, writer: asyncio.sleep(0)) as server:
        url = server.url  # a port that was free a moment ago
    signer = _Signer(again=True)
    transport = AiohttpTransport(trust_env=False)
    try:
        failure = await attempt(transport, _request(url), signer, math.inf)
    finally:
        await transport.aclose()
    assert isinstance(failure, httpx.ConnectError)
    assert signer.log == ["sign", "answered"]  # told even when the attempt failed


async def test_a_deadline_that_passes_first_gives_none() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_head(reader)
        await asyncio.sleep(10)

    transport = AiohttpTransport(trust_env=False)
    try:
        async with Server(silent) as server:
            deadline = asyncio.get_running_loop().time() + 0.2
            assert await attempt(transport, _request(server.url), None, deadline) is None
    finally:
        await transport.aclose()
