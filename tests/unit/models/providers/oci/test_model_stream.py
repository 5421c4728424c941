"""OCIModel streams over MockTransport: deltas, retries before the first event, closing."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from locus.core.errors import (
    StreamError,
)
from locus.core.messages import Message

from .http_helpers import COUNT, delta, make_model, sse

SSE_HEADERS = {"content-type": "text/event-stream"}


async def test_stream_deltas_and_final_event(oci_dir: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)["chatRequest"]
        assert body["isStream"] is True and body["streamOptions"] == {"isIncludeUsage": True}
        return httpx.Response(
            200,
            content=sse(*COUNT),
            headers={"content-type": "text/event-stream", "opc-request-id": "S"},
        )

    model = make_model(oci_dir, handler)
    events = [e async for e in model.stream([Message.user("count")])]
    assert [e.content for e in events if e.content] == ["1, ", "2, 3"]
    final = events[-1]
    assert final.done and final.stop_reason == "stop"
    assert final.usage == {"prompt_tokens": 2, "completion_tokens": 5, "total_tokens": 7}
    assert final.response is not None and final.response.text == "1, 2, 3"
    assert final.response.request_id == "S"


class Body(httpx.AsyncByteStream):
    """A streamed body that can break after some events and records its closing."""

    def __init__(self, events: list[dict[str, Any]], break_after: int | None = None) -> None:
        self.events, self.break_after, self.closed = events, break_after, False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for index, event in enumerate(self.events):
            if index == self.break_after:
                raise httpx.ReadError("connection reset by peer")
            yield sse(event)
            await asyncio.sleep(0)

    async def aclose(self) -> None:
        self.closed = True


async def test_stream_retried_when_it_breaks_before_the_first_event(oci_dir: Path) -> None:
    bodies = [Body(COUNT, break_after=0), Body(COUNT)]
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, headers=SSE_HEADERS, stream=bodies[len(seen) - 1])

    model = make_model(oci_dir, handler)
    events = [e async for e in model.stream([Message.user("count")])]
    assert "".join(e.content or "" for e in events) == "1, 2, 3"
    assert len(seen) == 2 and bodies[0].closed
    assert seen[0].headers["opc-retry-token"] == seen[1].headers["opc-retry-token"]


async def test_stream_not_retried_after_an_event_was_shown(oci_dir: Path) -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(200, headers=SSE_HEADERS, stream=Body(COUNT, break_after=1))

    model = make_model(oci_dir, handler)
    shown: list[str] = []
    with pytest.raises(StreamError, match="broke"):
        async for event in model.stream([Message.user("count")]):
            shown.append(event.content or "")
    assert shown == ["1, "] and calls == 1


async def test_stream_without_finish_is_an_error_not_a_fallback(oci_dir: Path) -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(200, headers=SSE_HEADERS, content=sse(delta("1, ")))

    model = make_model(oci_dir, handler)
    with pytest.raises(StreamError):
        async for _ in model.stream([Message.user("count")]):
            pass
    assert calls == 1, "never falls back to another request after an event was shown"


class HangingBody(httpx.AsyncByteStream):
    """Sends the events, then keeps the connection open like a server that never hangs up."""

    def __init__(self, events: list[dict[str, Any]]) -> None:
        self.events, self.closed = events, False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for event in self.events:
            yield sse(event)
        await asyncio.Event().wait()
        yield b""  # pragma: no cover

    async def aclose(self) -> None:
        self.closed = True


async def test_no_usage_after_finish_waits_only_the_grace(oci_dir: Path) -> None:
    body = HangingBody([delta("1, 2"), delta("", finishReason="stop")])
    model = make_model(
        oci_dir, lambda r: httpx.Response(200, headers=SSE_HEADERS, stream=body), stream_grace=0.05
    )
    async with asyncio.timeout(5):
        events = [e async for e in model.stream([Message.user("count")])]
    assert events[-1].done and events[-1].response is not None
    assert events[-1].response.text == "1, 2" and body.closed


async def test_early_stop_closes_the_response(oci_dir: Path) -> None:
    body = Body([delta(str(i)) for i in range(50)])
    model = make_model(
        oci_dir, lambda request: httpx.Response(200, headers=SSE_HEADERS, stream=body)
    )
    stream = model.stream([Message.user("count")])
    async for _ in stream:
        break
    await stream.aclose()  # type: ignore[attr-defined]
    assert body.closed


class Chunked(httpx.AsyncByteStream):
    """A body sent in fixed-size chunks (splitting lines, events and UTF-8 anywhere)."""

    def __init__(self, data: bytes, size: int) -> None:
        self.data, self.size = data, size

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for start in range(0, len(self.data), self.size):
            yield self.data[start : start + self.size]


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64, 100_000])
async def test_shared_stream_fixture_any_chunking(oci_dir: Path, data_dir: Path, size: int) -> None:
    data = (data_dir / "oci/fixtures/stream_generic_tool_calls.sse").read_bytes()
    model = make_model(
        oci_dir, lambda r: httpx.Response(200, headers=SSE_HEADERS, stream=Chunked(data, size))
    )
    events = [e async for e in model.stream([Message.user("weather?")])]
    final = events[-1]
    assert final.done and final.stop_reason == "tool_calls"
    assert [(c.id, c.name, c.arguments) for c in final.tool_calls] == [
        ("call_A", "get_weather", {"city": "Paris"})
    ]
