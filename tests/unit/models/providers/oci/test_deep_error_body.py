"""An error answer whose body is JSON nested too deeply is still a typed status error
(its body kept as text), so a 503 carrying one is retried like any 503."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from locus.core.errors import BadRequestError
from locus.core.messages import Message
from tests.unit.models.providers.oci.http_helpers import chat_result, make_model

DEEP = b'{"a": ' + b"[" * 1000 + b"]" * 1000 + b"}"


async def test_a_503_with_a_too_deep_body_is_retried(oci_dir: Path) -> None:
    answers = [
        httpx.Response(503, content=DEEP, headers={"content-type": "application/json"}),
        httpx.Response(200, json=chat_result("fine")),
    ]
    model = make_model(oci_dir, lambda request: answers.pop(0))
    reply = await model.complete([Message.user("hi")])
    assert reply.text == "fine" and answers == []


async def test_a_400_with_a_too_deep_body_is_a_bad_request_error(oci_dir: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, content=DEEP, headers={"content-type": "application/json"})

    model = make_model(oci_dir, handler)
    with pytest.raises(BadRequestError) as caught:
        await model.complete([Message.user("hi")])
    assert caught.value.status == 400 and caught.value.body == DEEP.decode()
