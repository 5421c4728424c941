"""The httpx backend's direct path: a model's own client sends without
``AsyncClient.send``, the same bytes as ``send``; hooks, a client auth and redirects
followed still go through ``send``; an auth flow gets its 401 and re-signs once; an
answer read to its end closes in the caller's task, and a cancellation landing in that
closing still frees the connection."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, Awaitable, Callable

import httpcore
import httpx
import pytest

from locus.models.http._answer import HttpxAnswer
from locus.models.http._body import body_source
from locus.models.http._client import ModelClient
from locus.models.http._httpcore_transport import _CLOSING
from locus.models.http._httpx_direct import send_httpx
from locus.models.http._joined_writes import JoinedWritesBackend, JoinedWritesStream
from locus.models.http._limits import AnswerLimits
from locus.models.http._retry import RetryBudget, RetryPolicy
from locus.models.http._send import read_body, send
from tests.deadlines import deadline, wait_until, within
from tests.integration.http._hostile import chat_result, head, read_request
from tests.integration.reliability._soak import pool_state
from tests.loopback import Server

BODY = chat_result()
OK = head(200, "Content-Type: application/json", f"Content-Length: {len(BODY)}") + BODY


def recording(replies: list[bytes], seen: list[bytes]) -> Server:
    """A keep-alive server: each request's head and body kept, the n-th answered with
    ``replies[n]`` (the last one repeats)."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while not reader.at_eof():
            try:
                request_head = await read_request(reader)
            except asyncio.IncompleteReadError:
                return
            seen.append(request_head)
            writer.write(replies[min(len(seen), len(replies)) - 1])
            await writer.drain()

    return Server(handle)


class Counting:
    """Counts ``AsyncClient.send`` calls (the path not taken directly)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        original = httpx.AsyncClient.send

        async def counted(client: httpx.AsyncClient, *args: object, **kwargs: object) -> object:
            self.calls += 1
            return await original(client, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(httpx.AsyncClient, "send", counted)


def request_for(client: httpx.AsyncClient, url: str) -> httpx.Request:
    headers = {"content-type": "application/json", "opc-request-id": "same"}
    return client.build_request("POST", url, content=b'{"a":1}', headers=headers)


async def one_answer(
    client: httpx.AsyncClient, url: str, auth: httpx.Auth | None = None
) -> tuple[HttpxAnswer, bytes]:
    answer = await send(
        client,
        lambda: request_for(client, url),
        auth=auth,
        budget=RetryBudget(RetryPolicy(max_retries=0)),
        to_error=lambda details: AssertionError(details),  # type: ignore[arg-type,return-value]
        endpoint=url,
        limits=AnswerLimits(),
    )
    assert isinstance(answer, HttpxAnswer)
    content = await read_body(answer, RetryBudget(RetryPolicy()), url, AnswerLimits())
    return answer, content or b""


async def test_the_direct_path_sends_what_send_sends(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bytes] = []
    counting = Counting(monkeypatch)
    async with recording([OK], seen) as server, ModelClient() as client:
        direct, direct_body = await one_answer(client, server.url)
        assert counting.calls == 0
        hooked: list[int] = []

        async def hook(response: httpx.Response) -> None:
            hooked.append(response.status_code)

        client.event_hooks["response"].append(hook)  # from now on: through send()
        through_send, send_body = await one_answer(client, server.url)
        assert counting.calls == 1
        assert hooked == [200]
        assert direct.response.request.url == server.url
    assert seen[0] == seen[1]  # the same head (and Content-Length body) on the wire
    assert direct_body == send_body == BODY
    assert direct.status_code == through_send.status_code == 200
    assert server.connections == 1  # the first answer's connection was reused


@pytest.mark.parametrize("setting", ["auth", "follow_redirects", "closed"])
async def test_what_direct_path_cannot_do_goes_through_send(
    monkeypatch: pytest.MonkeyPatch, setting: str
) -> None:
    seen: list[bytes] = []
    counting = Counting(monkeypatch)
    async with recording([OK], seen) as server:
        client = ModelClient()
        if setting == "auth":
            client.auth = ("user", "secret")
        elif setting == "follow_redirects":
            client.follow_redirects = True
        else:
            await client.aclose()
        try:
            if setting == "closed":
                with pytest.raises(RuntimeError, match="client has been closed"):
                    await send_httpx(client, request_for(client, server.url), None)
            else:
                _, content = await one_answer(client, server.url)
                assert content == BODY
        finally:
            await client.aclose()
    assert counting.calls == 1
    if setting == "auth":
        assert b"authorization: basic" in seen[0].lower()


class Resigning(httpx.Auth):
    """Signs with generation 1; after a 401, once more with generation 2."""

    def __init__(self) -> None:
        self.seen: list[int] = []

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        request.headers["authorization"] = "gen-1"
        response = yield request
        self.seen.append(response.status_code)
        if response.status_code == 401:
            request.headers["authorization"] = "gen-2"
            response = yield request
            self.seen.append(response.status_code)


async def test_an_auth_flow_gets_its_401_and_re_signs_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[bytes] = []
    counting = Counting(monkeypatch)
    refused = head(401, "Content-Length: 9") + b"try again"
    auth = Resigning()
    async with recording([refused, OK], seen) as server, ModelClient() as client:
        answer, content = await one_answer(client, server.url, auth)
    assert counting.calls == 0
    assert auth.seen == [401, 200]  # every answer to the flow, as httpx hands them
    assert [b"authorization: gen-1" in h.lower() for h in seen] == [True, False]
    assert [b"authorization: gen-2" in h.lower() for h in seen] == [False, True]
    assert content == BODY
    assert [r.status_code for r in answer.response.history] == [401]
    assert server.connections == 1  # the 401's body was read: its connection was reused


async def test_a_redirect_keeps_its_next_request_and_is_not_followed() -> None:
    seen: list[bytes] = []
    moved = head(307, "Location: /elsewhere", "Content-Length: 0")
    async with recording([moved], seen) as server, ModelClient() as client:
        request = request_for(client, server.url)
        response = await send_httpx(client, request, None)
        await response.aclose()
        assert response.next_request is not None
        assert response.next_request.url == server.url + "/elsewhere"
    assert response.status_code == 307
    assert len(seen) == 1


async def test_httpx_log_line_is_written_on_the_direct_path(
    caplog: pytest.LogCaptureFixture,
) -> None:
    seen: list[bytes] = []
    async with recording([OK], seen) as server, ModelClient() as client:
        with caplog.at_level(logging.INFO, logger="httpx"):
            await one_answer(client, server.url)
        assert f'HTTP Request: POST {server.url} "HTTP/1.1 200 X"' in caplog.messages


async def _read_to_end(response: httpx.Response) -> None:
    source = body_source(response)
    assert source is not None
    async with deadline("the body read to its end"):
        while await source.read_chunk():
            pass


async def _close_cancelled_at(close: Callable[[], Awaitable[None]]) -> asyncio.Task[None]:
    """Start ``close`` in a task and cancel it at its first wait."""

    async def closing() -> None:
        await close()

    task = asyncio.create_task(closing())
    asyncio.get_running_loop().call_soon(task.cancel)  # runs after the task's first step
    with pytest.raises(asyncio.CancelledError):
        await task
    return task


@pytest.mark.parametrize("read_all", [True, False], ids=["read", "unread"])
async def test_a_cancel_while_an_answer_closes_frees_its_connection(read_all: bool) -> None:
    seen: list[bytes] = []
    async with recording([OK], seen) as server, ModelClient() as client:
        response = await send_httpx(client, request_for(client, server.url), None)
        if read_all:
            await _read_to_end(response)
        task = await _close_cancelled_at(response.aclose)
        assert task.cancelled()  # the cancellation still reached the caller
        # an unread answer's closing goes on in a task of its own: wait for it to end
        await asyncio.gather(*_CLOSING)
        _, busy, queued = pool_state(client)
        assert (busy, queued) == (0, 0)
        _, content = await one_answer(client, server.url)  # the pool still serves
    assert content == BODY
    assert server.connections == (1 if read_all else 2)  # a read answer's connection is kept


async def test_is_readable_answers_as_the_inner_stream_does() -> None:
    written = asyncio.Event()
    done = asyncio.Event()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readexactly(1)
        writer.write(b"x")
        await writer.drain()
        written.set()
        await done.wait()

    async with Server(handle) as server:
        port = int(server.url.rsplit(":", 1)[1])
        backend = JoinedWritesBackend(httpcore.AnyIOBackend())
        stream = await backend.connect_tcp("127.0.0.1", port)
        assert isinstance(stream, JoinedWritesStream)
        inner = stream._inner
        states = [(stream.get_extra_info("is_readable"), inner.get_extra_info("is_readable"))]
        await stream.write(b"?")
        await within(written.wait(), "the server wrote its byte")
        # (the byte is on its way)
        await wait_until(lambda: inner.get_extra_info("is_readable"), "the byte arrived", every=0)
        states.append((stream.get_extra_info("is_readable"), True))
        assert await stream.read(1) == b"x"
        states.append((stream.get_extra_info("is_readable"), inner.get_extra_info("is_readable")))
        done.set()
        await stream.aclose()
    assert states == [(False, False), (True, True), (False, False)]
    assert stream.get_extra_info("is_readable") is True  # closed: as httpcore answers
