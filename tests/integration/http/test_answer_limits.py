"""What a server may send: a whole answer's decoded size, a stream's bytes and duration.

Hostile loopback servers send a gzip bomb, an oversized ``Content-Length``, an endless
event stream; each call ends with a typed error naming the limit and its keyword.
"""

from __future__ import annotations

import asyncio
import gzip

import pytest

from locus.core.errors import ConfigurationError, ResponseError, StreamError
from locus.core.messages import Message
from tests.integration.conftest import OCIModelFactory
from tests.integration.http._hostile import Reply, fixed, head, scripted, sse_event

HI = [Message.user("hi")]
BACKENDS = ["httpx", "aiohttp"]
MIB = 1024 * 1024


def endless_events(pause: float) -> Reply:
    """A stream of text events that never ends (``pause`` seconds between them)."""
    message = {"role": "ASSISTANT", "content": [{"type": "TEXT", "text": "x" * 1000}]}
    event = sse_event({"index": 0, "message": message})

    async def write(writer: asyncio.StreamWriter) -> None:
        writer.write(head(200, "Content-Type: text/event-stream", "Connection: close"))
        while True:
            writer.write(event * 16)
            await writer.drain()
            await asyncio.sleep(pause)

    return write


@pytest.mark.parametrize("backend", BACKENDS)
async def test_a_gzip_bomb_stops_at_max_response_bytes(
    oci_model: OCIModelFactory, backend: str
) -> None:
    bomb = gzip.compress(b"{" + b" " * (8 * MIB))
    answer = head(
        200, "Content-Encoding: gzip", f"Content-Length: {len(bomb)}", "Connection: close"
    )
    async with scripted([fixed(answer + bomb)]) as server:
        model = oci_model(service_endpoint=server.url, http_backend=backend, max_response_bytes=MIB)
        with pytest.raises(ResponseError, match="larger than max_response_bytes=1048576"):
            await model.complete(HI)
    assert server.connections == 1, "not retried"


@pytest.mark.parametrize("backend", BACKENDS)
async def test_a_declared_length_over_the_limit_is_refused_unread(
    oci_model: OCIModelFactory, backend: str
) -> None:
    answer = head(200, f"Content-Length: {200 * MIB}", "Connection: close") + b"{" * 1000
    async with scripted([fixed(answer)]) as server:
        model = oci_model(service_endpoint=server.url, http_backend=backend)
        with pytest.raises(ResponseError, match=r"max_response_bytes=67108864 \(64 MiB"):
            await model.complete(HI)


@pytest.mark.parametrize("backend", BACKENDS)
async def test_an_endless_stream_stops_at_max_stream_bytes(
    oci_model: OCIModelFactory, backend: str
) -> None:
    async with scripted([endless_events(0.0)]) as server:
        model = oci_model(
            service_endpoint=server.url, http_backend=backend, max_stream_bytes=2 * MIB
        )
        with pytest.raises(StreamError, match="longer than max_stream_bytes=2097152"):
            async for _ in model.stream(HI):
                pass


@pytest.mark.parametrize("backend", BACKENDS)
async def test_an_endless_stream_stops_at_max_stream_seconds(
    oci_model: OCIModelFactory, backend: str
) -> None:
    async with scripted([endless_events(0.05)]) as server:
        model = oci_model(service_endpoint=server.url, http_backend=backend, max_stream_seconds=0.5)
        with pytest.raises(StreamError, match=r"ran longer than max_stream_seconds=0\.5"):
            async for _ in model.stream(HI):
                pass


@pytest.mark.parametrize(
    "options",
    [{"max_response_bytes": 0}, {"max_stream_bytes": -1}, {"max_stream_seconds": "1h"}],
)
def test_limits_are_checked(oci_model: OCIModelFactory, options: dict[str, object]) -> None:
    with pytest.raises(ConfigurationError, match="must be a positive number"):
        oci_model(**options)


def test_a_misspelt_limit_is_refused(oci_model: OCIModelFactory) -> None:
    with pytest.raises(ConfigurationError, match="max_stream_bytes"):
        oci_model(max_stream_byte=1)
