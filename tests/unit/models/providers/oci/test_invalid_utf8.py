"""One rule for bytes that are not valid UTF-8, whole answer or stream: each bad byte
becomes U+FFFD (docs/reliability.md "Bytes and JSON from the server")."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from locus.core.messages import Message
from tests.unit.models.providers.oci.http_helpers import Handler, chat_result, delta, make_model


def with_bad_byte(value: object) -> bytes:
    # "caf\xff": one byte that is never valid in UTF-8, inside the answer's text
    return json.dumps(value).encode().replace(b"CAFE", b"caf\xff")


def answer(content: bytes, content_type: str) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=content, headers={"content-type": content_type})

    return handler


async def test_complete_replaces_an_invalid_byte(oci_dir: Path) -> None:
    body = with_bad_byte(chat_result("a CAFE"))
    model = make_model(oci_dir, answer(body, "application/json"))
    response = await model.complete([Message.user("hi")])
    assert response.message.content == "a caf\ufffd"


async def test_stream_replaces_an_invalid_byte(oci_dir: Path) -> None:
    events = [delta("a CAFE"), delta("", finishReason="stop")]
    body = b"".join(b"data: " + with_bad_byte(e) + b"\n\n" for e in events)
    model = make_model(oci_dir, answer(body, "text/event-stream"))
    shown = [e async for e in model.stream([Message.user("hi")])]
    assert shown[-1].response is not None
    assert shown[-1].response.message.content == "a caf\ufffd"
