"""The httpx backend's plain path: a ``PlainRequest`` goes through a model's own httpcore
pool with no httpx ``Request`` or ``Response``: the same bytes as the httpx path, an auth
flow handed every answer and re-signing once after a 401, encoded answers decoded, a body
cut short a typed error, and httpx's log line."""

from __future__ import annotations

import asyncio
import gzip
import logging

import httpx
import pytest

from locus.core.errors import ConnectError
from locus.models.http._answer import Answer, HttpxAnswer
from locus.models.http._client import ModelClient, takes_plain
from locus.models.http._httpcore_plain import HttpcoreAnswer
from locus.models.http._limits import AnswerLimits
from locus.models.http._plain import PlainRequest, ResponseHead
from locus.models.http._requests import RequestBuilder
from locus.models.http._retry import RetryBudget, RetryPolicy
from locus.models.http._send import read_body, send
from tests.integration.http._hostile import chat_result, head, read_request
from tests.loopback import Server

BODY = chat_result()
OK = head(200, "Content-Type: application/json", f"Content-Length: {len(BODY)}") + BODY
HEADERS = {"content-type": "application/json", "opc-request-id": "same"}


def recording(replies: list[bytes], seen: list[bytes]) -> Server:
    """A keep-alive server: each request's head kept, the n-th answered with
    ``replies[n]`` (the last one repeats)."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while not reader.at_eof():
            try:
                seen.append(await read_request(reader))
            except asyncio.IncompleteReadError:
                return
            writer.write(replies[min(len(seen), len(replies)) - 1])
            await writer.drain()

    return Server(handle)


def plain_request(client: httpx.AsyncClient, url: str) -> PlainRequest:
    request = RequestBuilder().plain(client, url, b'{"a":1}', HEADERS)
    assert request is not None
    return request


async def answer_of(
    client: httpx.AsyncClient,
    make: object,
    url: str,
    auth: object = None,
) -> tuple[Answer, bytes]:
    answer = await send(
        client,
        make,  # type: ignore[arg-type]
        auth=auth,  # type: ignore[arg-type]
        budget=RetryBudget(RetryPolicy(max_retries=0)),
        to_error=lambda details: AssertionError(details),  # type: ignore[arg-type,return-value]
        endpoint=url,
        limits=AnswerLimits(),
    )
    content = await read_body(answer, RetryBudget(RetryPolicy(max_retries=0)), url, AnswerLimits())
    return answer, content or b""


async def test_a_plain_request_sends_what_the_httpx_path_sends(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    built: list[int] = []
    original = httpx.Response.__init__

    def counting(self: httpx.Response, *args: object, **kwargs: object) -> None:
        built.append(1)
        original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(httpx.Response, "__init__", counting)
    seen: list[bytes] = []
    async with recording([OK], seen) as server, ModelClient() as client:
        plain, plain_body = await answer_of(
            client, lambda: plain_request(client, server.url), server.url
        )
        assert built == []  # no httpx Response on the plain path
        builder = RequestBuilder()
        post = lambda: builder.post(client, server.url, b'{"a":1}', HEADERS)  # noqa: E731
        through_httpx, httpx_body = await answer_of(client, post, server.url)
    assert isinstance(plain, HttpcoreAnswer)
    assert seen[0] == seen[1]  # the same head, header for header, on the wire
    assert plain_body == httpx_body == BODY
    assert plain.status_code == through_httpx.status_code == 200
    assert plain.reason_phrase == through_httpx.reason_phrase == "X"
    assert plain.http_version == "HTTP/1.1"
    assert plain.headers.get("Content-Type") == "application/json"
    assert plain.is_closed
    assert server.connections == 1  # a read answer's connection goes back to the pool


class PlainResigning:
    """Plain signing: generation 1; after a 401, once more with generation 2."""

    plain_signing = True

    def __init__(self) -> None:
        self.seen: list[int] = []
        self.in_flight = 0

    async def sign_plain(self, request: PlainRequest) -> None:
        request.headers["authorization"] = "gen-1"
        self.in_flight += 1

    def plain_answered(self) -> None:
        self.in_flight -= 1

    async def resign_plain(self, request: PlainRequest, response: ResponseHead) -> bool:
        self.seen.append(response.status_code)
        if response.status_code == 401 and response.headers.get("date") == "d":
            request.headers["authorization"] = "gen-2"
            return True
        return False


async def test_plain_signing_gets_its_401_and_re_signs_once() -> None:
    seen: list[bytes] = []
    refused = head(401, "Date: d", "Content-Length: 9") + b"try again"
    auth = PlainResigning()
    async with recording([refused, OK], seen) as server, ModelClient() as client:
        _, content = await answer_of(
            client, lambda: plain_request(client, server.url), server.url, auth
        )
    assert auth.seen == [401]  # only the first attempt's answer is the auth's to judge
    assert auth.in_flight == 0
    assert [b"authorization: gen-1" in h.lower() for h in seen] == [True, False]
    assert [b"authorization: gen-2" in h.lower() for h in seen] == [False, True]
    assert content == BODY
    assert server.connections == 1  # the 401's body was read: its connection was reused


async def test_an_encoded_answer_is_decoded() -> None:
    body = gzip.compress(BODY)
    zipped = head(200, "Content-Encoding: gzip", f"Content-Length: {len(body)}") + body
    seen: list[bytes] = []
    async with recording([zipped], seen) as server, ModelClient() as client:
        answer, content = await answer_of(
            client, lambda: plain_request(client, server.url), server.url
        )
    assert isinstance(answer, HttpxAnswer)
    assert content == BODY


async def test_a_body_cut_short_is_a_typed_error() -> None:
    cut = head(200, "Content-Length: 100", "Connection: close") + b'{"partial'
    seen: list[bytes] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen.append(await read_request(reader))
        writer.write(cut)
        await writer.drain()
        writer.close()

    async with Server(handle) as server, ModelClient() as client:
        with pytest.raises(ConnectError, match="cut short"):
            await answer_of(client, lambda: plain_request(client, server.url), server.url)


async def test_a_closed_client_cannot_take_a_plain_request() -> None:
    client = ModelClient()
    request = plain_request(client, "http://127.0.0.1:9/x")
    await client.aclose()
    with pytest.raises(RuntimeError, match="PlainRequest needs a direct path"):
        await answer_of(client, lambda: request, "http://127.0.0.1:9/x")


async def test_httpx_log_line_is_written_on_the_plain_path(
    caplog: pytest.LogCaptureFixture,
) -> None:
    seen: list[bytes] = []
    async with recording([OK], seen) as server, ModelClient() as client:
        with caplog.at_level(logging.INFO, logger="httpx"):
            await answer_of(client, lambda: plain_request(client, server.url), server.url)
        assert f'HTTP Request: POST {server.url} "HTTP/1.1 200 X"' in caplog.messages


async def test_only_a_model_client_with_its_own_pool_takes_plain_requests() -> None:
    async with ModelClient() as own, httpx.AsyncClient() as plain_httpx:
        assert takes_plain(own)
        assert not takes_plain(plain_httpx)
        own.follow_redirects = True
        assert not takes_plain(own)
    assert not takes_plain(ModelClient(transport=httpx.AsyncHTTPTransport()))
