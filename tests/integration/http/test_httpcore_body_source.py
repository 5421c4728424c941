"""The httpx backend's answers read straight from httpx's transport stream (a
``BodySource``) only when they are not content-encoded; a gzip-encoded event stream is
still decoded by httpx, and both read the same events."""

from __future__ import annotations

import gzip

import httpx
import pytest

from locus.models.http._body import body_source
from locus.models.http._httpcore_transport import HttpcoreTransport
from locus.models.http._sse_reader import JsonEventReader
from tests.deadlines import deadline
from tests.integration.http._hostile import fixed, head, scripted, sse_event

EVENTS = [{"n": n, "text": "é" * n} for n in range(5)]
BODY = b"".join(sse_event(e) for e in EVENTS) + b"data: [DONE]\n\n"


def _answer(encoded: bool) -> bytes:
    body = gzip.compress(BODY) if encoded else BODY
    headers = ["content-type: text/event-stream", f"content-length: {len(body)}"]
    if encoded:
        headers.append("content-encoding: gzip")
    return head(200, *headers, "connection: close") + body


@pytest.mark.parametrize("encoded", [False, True], ids=["identity", "gzip"])
async def test_events_read_alike_with_and_without_the_body_source(encoded: bool) -> None:
    server = scripted([fixed(_answer(encoded))])
    client = httpx.AsyncClient(transport=HttpcoreTransport())
    async with server, client:
        request = client.build_request("POST", server.url, content=b"{}")
        response = await client.send(request, stream=True)
        assert (body_source(response) is None) is encoded
        reader = JsonEventReader(response, endpoint=server.url)
        events = []
        async with deadline("every event read"):
            while (event := await reader.next()) is not None:
                events.append(event)
        await reader.release()
    assert events == EVENTS
    assert response.is_closed
