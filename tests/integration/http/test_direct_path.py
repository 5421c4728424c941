"""The aiohttp backend's direct path: no httpx ``Response`` per call, answers decoded,
an auth flow handed its 401 and re-signing once, the spent answer's connection freed."""

from __future__ import annotations

import asyncio
import gzip
import json
from collections.abc import AsyncGenerator

import httpx
import pytest

from locus.core.messages import Message
from locus.models.http._answer import AiohttpAnswer, HttpxAnswer
from locus.models.http._client import ModelClient
from locus.models.http._limits import AnswerLimits
from locus.models.http._retry import RetryBudget, RetryPolicy
from locus.models.http._send import read_body, send
from locus.models.http.aiohttp_transport import AiohttpTransport
from tests.deadlines import deadline
from tests.integration.conftest import OCIModelFactory
from tests.integration.http._hostile import chat_result, fixed, head, read_request, scripted
from tests.loopback import Server

HI = [Message.user("hi")]


def gzipped_chat() -> bytes:
    body = gzip.compress(chat_result("unzipped"))
    headers = ("Content-Type: application/json", "Content-Encoding: gzip", "Connection: close")
    return head(200, *headers, f"Content-Length: {len(body)}") + body


@pytest.mark.parametrize("backend", ["httpx", "aiohttp"])
async def test_only_the_httpx_backend_builds_httpx_responses(
    oci_model: OCIModelFactory, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[int] = []
    original = httpx.Response.__init__

    def counting(self: httpx.Response, *args: object, **kwargs: object) -> None:
        built.append(1)
        original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(httpx.Response, "__init__", counting)
    async with scripted([fixed(gzipped_chat())]) as server:
        model = oci_model(service_endpoint=server.url, http_backend=backend)
        answer = await model.complete(HI)
        await model.aclose()
    assert answer.text == "unzipped"  # decoded on both paths
    assert answer.request_id == "hostile-request"
    assert (len(built) == 0) is (backend == "aiohttp")


class _Resigning(httpx.Auth):
    """Signs with generation 1; after a 401, once more with generation 2."""

    def __init__(self) -> None:
        self.seen: list[int] = []

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        request.headers["authorization"] = "gen-1"
        response = yield request
        self.seen.append(response.status_code)
        if response.status_code == 401 and response.headers.get("date") == "d":
            request.headers["authorization"] = "gen-2"
            yield request


async def test_an_auth_flow_gets_its_401_and_re_signs_once_on_the_direct_path() -> None:
    heads: list[bytes] = []
    body = chat_result()
    replies = [
        head(401, "Date: d", "Content-Length: 2", "Connection: close") + b"{}",
        head(200, f"Content-Length: {len(body)}", "Connection: close") + body,
    ]

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        heads.append(await read_request(reader))
        writer.write(replies[min(len(heads), 2) - 1])
        await writer.drain()

    transport = AiohttpTransport()
    client = ModelClient(transport=transport)
    auth = _Resigning()
    async with Server(handle) as server, client:
        request = client.build_request("POST", server.url, content=b"{}")
        answer = await send(
            client,
            lambda: request,
            auth=auth,
            budget=RetryBudget(RetryPolicy(max_retries=0)),
            to_error=lambda details: AssertionError(details),  # type: ignore[arg-type,return-value]
            endpoint=server.url,
            limits=AnswerLimits(),
        )
        assert isinstance(answer, AiohttpAnswer)
        content = await read_body(answer, RetryBudget(RetryPolicy()), server.url, AnswerLimits())
    assert json.loads(content or b"")["chatResponse"]["choices"][0]["index"] == 0
    assert auth.seen == [401]  # the 200 is not handed to the flow
    assert [b"authorization: gen-1" in h.lower() for h in heads] == [True, False]
    assert [b"authorization: gen-2" in h.lower() for h in heads] == [False, True]
    assert answer.is_closed


async def test_a_plain_httpx_client_still_goes_through_send() -> None:
    async with scripted([fixed(gzipped_chat())]) as server, httpx.AsyncClient() as client:
        answer = await send(
            client,
            lambda: client.build_request("POST", server.url, content=b"{}"),
            auth=None,
            budget=RetryBudget(RetryPolicy()),
            to_error=lambda details: AssertionError(details),  # type: ignore[arg-type,return-value]
            endpoint=server.url,
            limits=AnswerLimits(),
        )
        assert isinstance(answer, HttpxAnswer)
        content = await read_body(answer, RetryBudget(RetryPolicy()), server.url, AnswerLimits())
    assert b"unzipped" in (content or b"")


async def _open(client: ModelClient, url: str) -> AiohttpAnswer:
    answer = await send(
        client,
        lambda: client.build_request("POST", url, content=b"{}"),
        auth=None,
        budget=RetryBudget(RetryPolicy(max_retries=0)),
        to_error=lambda details: AssertionError(details),  # type: ignore[arg-type,return-value]
        endpoint=url,
        limits=AnswerLimits(),
    )
    assert isinstance(answer, AiohttpAnswer)
    return answer


async def test_ready_chunk_gives_what_has_arrived_none_while_a_read_would_wait_then_the_end() -> (
    None
):
    first = b'data: {"a": 1}\n\ndata: {"b": 2}\n\n'
    last = b'data: {"c": 3}\n\n'
    go_on = asyncio.Event()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        length = len(first) + len(last)
        writer.write(head(200, "Content-Type: text/event-stream", f"Content-Length: {length}"))
        writer.write(first)
        await writer.drain()
        await go_on.wait()
        writer.write(last)
        await writer.drain()
        writer.close()

    client = ModelClient(transport=AiohttpTransport())
    async with Server(handle) as server, client:
        answer = await _open(client, server.url)
        async with deadline("the first events read"):
            got = await answer.read_chunk()
            while len(got) < len(first):  # what has arrived, without a wait; a read if not yet
                more = answer.ready_chunk()
                got += more if more is not None else await answer.read_chunk()
        assert got == first
        assert answer.ready_chunk() is None  # the server waits for us: a read would wait
        go_on.set()
        rest = b""
        async with deadline("the rest of the answer read"):
            while chunk := await answer.read_chunk():
                rest += chunk
        assert rest == last
        assert answer.ready_chunk() == b""  # the end, without a wait
        await answer.aclose()
        assert answer.ready_chunk() == b""


async def test_ready_chunk_of_a_broken_body_raises_the_mapped_error_as_read_chunk_does() -> None:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(head(200, "Content-Type: text/event-stream", "Content-Length: 100"))
        writer.write(b"data: {}\n\n")
        await writer.drain()
        writer.close()  # 90 bytes short

    client = ModelClient(transport=AiohttpTransport())
    async with Server(handle) as server, client:
        answer = await _open(client, server.url)
        with pytest.raises(httpx.HTTPError) as read_error:
            async with deadline("the broken body read"):
                while await answer.read_chunk():
                    pass
        with pytest.raises(httpx.HTTPError) as ready_error:
            answer.ready_chunk()
        assert type(ready_error.value) is type(read_error.value)
        await answer.aclose()
