"""``timeout=`` bounds a whole attempt, not each read: trickling servers on loopback.

A whole answer must arrive in full within the attempt's seconds; a stream must bring its
first event within them and each next event within them of the one before. A server that
sends a byte now and then (each read well within any per-read timeout) used to hold a
call for as long as it liked.
"""

from __future__ import annotations

import asyncio

import pytest

from locus.core.errors import ModelTimeoutError, StreamError
from locus.core.messages import Message
from tests.integration.conftest import OCIModelFactory
from tests.integration.http._hostile import Reply, chat_result, head, scripted, sse_event

HI = [Message.user("hi")]
BACKENDS = ["httpx", "aiohttp"]
TICK = 0.1  # seconds between trickled bytes: each read is quick
TIMEOUT = 1.0  # the attempt bound; every trickle below would take 5 s or more


def trickled(start: bytes, rest: bytes) -> Reply:
    """``start`` at once, then ``rest`` one byte per tick."""

    async def write(writer: asyncio.StreamWriter) -> None:
        writer.write(start)
        await writer.drain()
        for byte in rest:
            await asyncio.sleep(TICK)
            writer.write(bytes([byte]))
            await writer.drain()

    return write


def text_event(value: str) -> bytes:
    message = {"role": "ASSISTANT", "content": [{"type": "TEXT", "text": value}]}
    return sse_event({"index": 0, "message": message})


STREAM_HEAD = head(200, "Content-Type: text/event-stream", "Connection: close")
COMMENTS = b":\n" * 30  # no event at all, 60 bytes trickled


@pytest.mark.parametrize("backend", BACKENDS)
async def test_a_whole_answer_trickling_in_times_out(
    oci_model: OCIModelFactory, backend: str
) -> None:
    body = chat_result()[:60] + b" " * 10  # the body never gets done within the attempt
    start = head(200, f"Content-Length: {len(body)}", "Connection: close")
    async with scripted([trickled(start, body)]) as server:
        model = oci_model(
            service_endpoint=server.url, timeout=TIMEOUT, max_retries=0, http_backend=backend
        )
        with pytest.raises(
            ModelTimeoutError, match=r"the whole answer .* within the attempt's 1 s"
        ):
            await model.complete(HI)


@pytest.mark.parametrize("backend", BACKENDS)
async def test_a_head_trickling_in_times_out(oci_model: OCIModelFactory, backend: str) -> None:
    async with scripted([trickled(b"", head(200, "X-Padding: " + "x" * 60))]) as server:
        model = oci_model(
            service_endpoint=server.url, timeout=TIMEOUT, max_retries=0, http_backend=backend
        )
        with pytest.raises(ModelTimeoutError, match=r"an answer .* within the attempt's 1 s"):
            await model.complete(HI)


@pytest.mark.parametrize("backend", BACKENDS)
async def test_a_stream_with_no_first_event_times_out(
    oci_model: OCIModelFactory, backend: str
) -> None:
    async with scripted([trickled(STREAM_HEAD, COMMENTS)]) as server:
        model = oci_model(
            service_endpoint=server.url, timeout=TIMEOUT, max_retries=1, http_backend=backend
        )
        with pytest.raises(StreamError, match=r"no event from .* within the attempt's 1 s"):
            async for _ in model.stream(HI):
                pass
    assert server.connections == 2, "before the first event: retried"


@pytest.mark.parametrize("backend", BACKENDS)
async def test_a_stream_that_stops_sending_events_times_out(
    oci_model: OCIModelFactory, backend: str
) -> None:
    async with scripted([trickled(STREAM_HEAD + text_event("hel"), COMMENTS)]) as server:
        model = oci_model(
            service_endpoint=server.url, timeout=TIMEOUT, max_retries=1, http_backend=backend
        )
        shown = []
        with pytest.raises(StreamError, match="sent no event for 1 s"):
            async for event in model.stream(HI):
                shown.append(event.content)
    assert shown == ["hel"]
    assert server.connections == 1, "after an event was shown: not retried"
