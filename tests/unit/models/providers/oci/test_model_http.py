"""OCIModel over a real httpx transport (MockTransport): requests, retries, sync, secrets."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

from locus.core.errors import (
    BadRequestError,
    ConnectError,
    ServerError,
)
from locus.core.messages import Message
from locus.models.http import RetryPolicy

from .http_helpers import DAC, HOST, Recorder, chat_result, make_model


async def test_request_shape_and_headers(oci_dir: Path) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=chat_result("hello"), headers={"opc-request-id": "R1"})

    model = make_model(
        oci_dir,
        handler,
        max_tokens=16,
        temperature=0.2,
        top_k=5,
        seed=3,
        frequency_penalty=0.1,
        presence_penalty=0.3,
        top_p=0.9,
        stop="END",
    )
    response = await model.complete([Message.user("hi")])
    assert (response.text, response.stop_reason, response.request_id) == ("hello", "stop", "R1")
    assert response.usage == {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7}
    request = seen[0]
    assert str(request.url) == f"{HOST}/20231130/actions/chat"
    body = json.loads(request.content)
    assert body["servingMode"] == {"servingType": "DEDICATED", "endpointId": DAC}
    assert body["compartmentId"] == "ocid1.compartment.oc1..c"
    chat = body["chatRequest"]
    assert (chat["maxTokens"], chat["temperature"], chat["topK"], chat["seed"]) == (16, 0.2, 5, 3)
    assert (chat["frequencyPenalty"], chat["presencePenalty"]) == (0.1, 0.3)
    assert (chat["topP"], chat["stop"]) == (0.9, ["END"])
    assert request.headers["authorization"].startswith('Signature algorithm="rsa-sha256"')
    assert re.fullmatch(r"[0-9A-F]{32}", request.headers["opc-request-id"])
    assert re.fullmatch(r"[A-Za-z0-9]{30}", request.headers["opc-retry-token"])
    assert request.headers["accept"] == "application/json, text/event-stream"
    assert request.headers["accept-encoding"] == "gzip, deflate"
    await model.aclose()


async def test_per_call_overrides_reach_the_request(oci_dir: Path) -> None:
    bodies: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        return httpx.Response(200, json=chat_result("ok"))

    model = make_model(oci_dir, handler, max_tokens=16)
    await model.complete([Message.user("hi")], max_tokens=99, stop=["x"], top_p=0.5)
    chat = bodies[0]["chatRequest"]
    assert (chat["maxTokens"], chat["stop"], chat["topP"]) == (99, ["x"], 0.5)


async def test_retries_503_then_429_honouring_retry_after(oci_dir: Path) -> None:
    answers = [
        httpx.Response(503, json={"code": "ServiceUnavailable", "message": "busy"}),
        httpx.Response(429, json={"code": "TooManyRequests"}, headers={"retry-after": "2"}),
        httpx.Response(200, json=chat_result("done")),
    ]
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answers[len(seen) - 1]

    sleep = Recorder()
    model = make_model(oci_dir, handler, retry_policy=RetryPolicy(base_delay=0.5, sleep=sleep))
    assert (await model.complete([Message.user("hi")])).text == "done"
    assert len(seen) == 3
    assert len({r.headers["opc-retry-token"] for r in seen}) == 1, "stable per call"
    assert len({r.headers["opc-request-id"] for r in seen}) == 3, "fresh per attempt"
    assert all("authorization" in r.headers for r in seen)
    assert 0.5 <= sleep.waits[0] <= 1.0 and sleep.waits[1] == 2.0


async def test_retries_run_out(oci_dir: Path) -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(500, json={"code": "InternalServerError", "message": "boom"})

    model = make_model(oci_dir, handler, max_retries=2)
    with pytest.raises(ServerError, match="HTTP 500 InternalServerError") as info:
        await model.complete([Message.user("hi")])
    assert calls == 3 and info.value.status == 500


async def test_client_errors_are_not_retried(oci_dir: Path) -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(
            400,
            json={"code": "InvalidParameter", "message": "nope"},
            headers={"opc-request-id": "RID-400"},
        )

    model = make_model(oci_dir, handler)
    with pytest.raises(BadRequestError) as info:
        await model.complete([Message.user("hi")])
    assert calls == 1
    assert info.value.request_id == "RID-400" and info.value.code == "InvalidParameter"
    assert info.value.hint is not None and "api_format" in info.value.hint


async def test_connection_errors_are_retried_then_raised(oci_dir: Path) -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        raise httpx.ConnectError("refused", request=request)

    model = make_model(oci_dir, handler, max_retries=3)
    with pytest.raises(ConnectError, match="refused"):
        await model.complete([Message.user("hi")])
    assert calls == 4


def test_complete_sync_from_a_plain_thread_and_inside_a_running_loop(oci_dir: Path) -> None:
    """One shared background loop serves every sync call, so its pooled client is reused."""
    model = make_model(oci_dir, lambda r: httpx.Response(200, json=chat_result("sync")))
    results: list[str] = []
    thread = threading.Thread(
        target=lambda: results.append(model.complete_sync([Message.user("hi")]).text)
    )
    thread.start()
    thread.join(30)
    assert not thread.is_alive(), "the call from a plain thread did not end within 30 s"
    assert results == ["sync"]
    client = model.http_client
    assert model.complete_sync([Message.user("again")]).text == "sync"
    assert model.http_client is client is not None and not client.is_closed

    async def inside() -> str:  # a notebook cell: the call blocks it, as a sync call does
        return model.complete_sync([Message.user("hi")]).text

    assert asyncio.run(inside()) == "sync"


async def test_secrets_never_in_repr_errors_or_logs(
    oci_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    key_text = (oci_dir / "key.pem").read_text().splitlines()[1]
    signatures: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        signatures.append(request.headers["authorization"].split('signature="')[1][:40])
        return httpx.Response(401, json={"code": "NotAuthenticated", "message": "no"})

    model = make_model(oci_dir, handler)
    with caplog.at_level(logging.DEBUG), pytest.raises(Exception) as info:
        await model.complete([Message.user("hi")])
    texts = [
        repr(model),
        str(info.value),
        repr(info.value),
        caplog.text,
        repr(model.connection),
        repr(model.connection.auth),
    ]
    for text in texts:
        assert key_text not in text and signatures[0] not in text
        assert "Signature " not in text and "BEGIN" not in text


def test_one_model_across_event_loops_without_aclose(oci_dir: Path) -> None:
    clients: list[object] = []

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=chat_result("loop"))

    model = make_model(oci_dir, handler)

    async def call() -> str:
        text = (await model.complete([Message.user("hi")])).text
        clients.append(model.http_client)
        return text

    assert asyncio.run(call()) == asyncio.run(call()) == "loop"
    first, second = clients
    assert first is not second
    assert isinstance(first, httpx.AsyncClient) and first.is_closed, "closed at loop shutdown"


async def test_set_cookie_answers_are_not_kept_or_sent_back(oci_dir: Path) -> None:
    cookies: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        cookies.append(request.headers.get("cookie"))
        return httpx.Response(200, json=chat_result("hi"), headers={"set-cookie": "lb=node-7"})

    model = make_model(oci_dir, handler)
    for _ in range(2):
        await model.complete([Message.user("hi")])
    assert cookies == [None, None]
    await model.aclose()


async def test_the_models_client_refuses_a_cookie_jar(oci_dir: Path) -> None:
    model = make_model(oci_dir, lambda request: httpx.Response(200, json=chat_result("hi")))
    await model.complete([Message.user("hi")])
    client = model.http_client
    assert client is not None and not client.cookies
    with pytest.raises(AttributeError, match="keeps no cookies"):
        client.cookies = {"a": "b"}
    await model.aclose()
