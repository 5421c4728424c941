"""Thousands of random cancellations leave the connection pool as they found it.

httpcore frees a pool slot only at the end of ``PoolByteStream.aclose()`` and marks the
stream closed at its start; a native task cancellation landing in between (httpcore's
anyio shield does not stop one) left the slot held forever (encode/httpcore#1093, #830):
after a few thousand such cancels every slot was held and every new call waited for the
pool timeout. Here a keep-alive loopback server streams answers in a few paced chunks,
50 calls are in flight against 30 connections, and each is cancelled at a random moment.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from locus.agent import Agent, ModelTextDelta
from locus.core.errors import RunCancelledError
from locus.core.messages import Message
from locus.models.providers.oci import OCIModel
from tests.integration.conftest import OCIModelFactory
from tests.integration.http._hostile import read_request, sse_event
from tests.integration.reliability._soak import pool_state
from tests.loopback import Server

HI = [Message.user("hi")]
CANCELS = 5000  # the hardening issue's figure (2,000 already held every slot before the fix)
IN_FLIGHT = 50
SPREAD = 0.03  # seconds after the first event


def _text(value: str) -> bytes:
    message = {"role": "ASSISTANT", "content": [{"type": "TEXT", "text": value}]}
    return sse_event({"index": 0, "message": message})


def _finish() -> bytes:
    payload = {"index": 0, "message": {"role": "ASSISTANT"}, "finishReason": "stop"}
    return sse_event(payload) + sse_event({"usage": {"totalTokens": 3}})


def _chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


async def keep_alive_stream(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Answers every request on the connection with a chunked SSE stream in paced parts."""
    while True:
        await read_request(reader)
        writer.write(
            b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
            b"transfer-encoding: chunked\r\n\r\n"
        )
        for word in ("one ", "two ", "three"):
            writer.write(_chunk(_text(word)))
            await writer.drain()
            await asyncio.sleep(0.001)
        writer.write(_chunk(_finish()) + b"0\r\n\r\n")
        await writer.drain()


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    async with Server(keep_alive_stream) as running:
        yield running


async def one_call(
    model: OCIModel, how: str, cancel_soon: Callable[[Callable[[], object]], None]
) -> None:
    """One streamed call (through an agent run or not), cancelled at a random moment
    after its first event: late enough that cancels land in the end of the body and its
    closing, where the slots leaked."""
    task = asyncio.current_task()
    assert task is not None
    if how == "agent":
        agent = Agent(model)
        async for event in agent.run("hi"):
            if isinstance(event, ModelTextDelta) and event.text == "one ":
                cancel_soon(agent.cancel)
    else:
        async for streamed in model.stream(HI):
            if streamed.content == "one ":
                cancel_soon(task.cancel)


async def cancel_storm(model: OCIModel, how: str, seed: int) -> None:
    rng = random.Random(seed)
    loop = asyncio.get_running_loop()

    def cancel_soon(cancel: Callable[[], object]) -> None:
        loop.call_later(rng.uniform(0.0, SPREAD), cancel)

    async def worker() -> None:
        for _ in range(CANCELS // IN_FLIGHT):
            with contextlib.suppress(asyncio.CancelledError, RunCancelledError):
                await asyncio.create_task(one_call(model, how, cancel_soon))

    await asyncio.gather(*(worker() for _ in range(IN_FLIGHT)))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("backend", "how"),
    [("default", "stream"), ("httpx", "agent"), ("aiohttp", "stream")],
)
async def test_random_cancellations_leak_no_pool_slot(
    server: Server, oci_model: OCIModelFactory, backend: str, how: str
) -> None:
    options = {} if backend == "default" else {"http_backend": backend}
    model = oci_model(
        service_endpoint=server.url,
        max_connections=30,
        timeout=httpx.Timeout(10.0, pool=5.0),
        **options,
    )
    await cancel_storm(model, how, seed=7)
    assert model.http_client is not None
    _, busy, queued = pool_state(model.http_client)
    assert (busy, queued) == (0, 0), "a cancelled call still holds a pool slot"
    events = [event async for event in model.stream(HI)]  # waits for the pool if full
    assert events[-1].done
