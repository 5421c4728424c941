"""OCIModel over a real httpx transport (MockTransport): headers, retries, streams, text calls."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from locus.core.errors import (
    BadRequestError,
    ConfigurationError,
    ConnectError,
    ServerError,
    StreamError,
)
from locus.core.messages import Message
from locus.core.toolspec import ToolSpec
from locus.models.http.retry import RetryPolicy
from locus.models.providers.oci import OCIModel

DAC = "ocid1.generativeaiendpoint.oc1.uk-london-1.amaaaaaaexampleendpointid"
HOST = "https://inference.generativeai.uk-london-1.oci.oraclecloud.com"
ADD = ToolSpec(
    "add_two_numbers",
    "Add.",
    {"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}}},
)
Handler = Callable[[httpx.Request], httpx.Response]


def chat_result(text: str, finish: str = "stop") -> dict[str, Any]:
    return {
        "modelId": "m",
        "modelVersion": "1",
        "chatResponse": {
            "apiFormat": "GENERIC",
            "timeCreated": "2025-06-01T12:00:00.123Z",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "ASSISTANT", "content": [{"type": "TEXT", "text": text}]},
                    "finishReason": finish,
                }
            ],
            "usage": {"promptTokens": 3, "completionTokens": 4, "totalTokens": 7},
        },
    }


def sse(*events: dict[str, Any]) -> bytes:
    return b"".join(b"data: " + json.dumps(e).encode() + b"\n\n" for e in events)


def delta(text: str, **extra: Any) -> dict[str, Any]:
    message = {"role": "ASSISTANT", "content": [{"type": "TEXT", "text": text}]}
    return {"index": 0, "message": message, **extra}


COUNT = [
    delta("1, "),
    delta("2, 3"),
    delta("", finishReason="stop"),
    {"usage": {"promptTokens": 2, "completionTokens": 5, "totalTokens": 7}},
]


class Recorder:
    """A sleep function that records the waits instead of sleeping."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def make_model(oci_dir: Path, handler: Handler, **options: Any) -> OCIModel:
    options.setdefault("retry_policy", RetryPolicy(sleep=Recorder()))
    return OCIModel(
        model_id=DAC,
        compartment_id="ocid1.compartment.oc1..c",
        config_file=oci_dir / "config",
        service_endpoint=HOST,
        transport=httpx.MockTransport(handler),
        **options,
    )


async def test_request_shape_and_headers(oci_dir: Path) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=chat_result("hello"), headers={"opc-request-id": "R1"})

    model = make_model(oci_dir, handler, max_tokens=16, temperature=0.2, top_k=5, seed=3)
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
        return httpx.Response(200, stream=bodies[len(seen) - 1])

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
        return httpx.Response(200, stream=Body(COUNT, break_after=1))

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
        return httpx.Response(200, content=sse(delta("1, ")))

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
    model = make_model(oci_dir, lambda r: httpx.Response(200, stream=body), stream_grace=0.05)
    async with asyncio.timeout(5):
        events = [e async for e in model.stream([Message.user("count")])]
    assert events[-1].done and events[-1].response is not None
    assert events[-1].response.text == "1, 2" and body.closed


async def test_early_stop_closes_the_response(oci_dir: Path) -> None:
    body = Body([delta(str(i)) for i in range(50)])
    model = make_model(oci_dir, lambda request: httpx.Response(200, stream=body))
    stream = model.stream([Message.user("count")])
    async for _ in stream:
        break
    await stream.aclose()  # type: ignore[attr-defined]
    assert body.closed


async def test_hermes_text_calls_become_tool_calls(oci_dir: Path) -> None:
    text = 'Sure.<tool_call>{"name": "add_two_numbers", "arguments": {"a": 7, "b": 35}}</tool_call>'
    model = make_model(oci_dir, lambda r: httpx.Response(200, json=chat_result(text)))
    response = await model.complete([Message.user("add 7 and 35")], tools=[ADD])
    assert response.text == "Sure."
    assert [(c.name, c.arguments) for c in response.tool_calls] == [
        ("add_two_numbers", {"a": 7, "b": 35})
    ]
    assert response.stop_reason == "tool_calls"


async def test_text_calls_off_or_without_tools_leave_text_alone(oci_dir: Path) -> None:
    text = '<tool_call>{"name": "add_two_numbers", "arguments": {"a": 1}}</tool_call>'
    off = make_model(
        oci_dir, lambda r: httpx.Response(200, json=chat_result(text)), tool_call_format=None
    )
    assert (await off.complete([Message.user("x")], tools=[ADD])).text == text
    auto = make_model(oci_dir, lambda r: httpx.Response(200, json=chat_result(text)))
    assert (await auto.complete([Message.user("x")])).text == text


async def test_stream_never_shows_markup(oci_dir: Path) -> None:
    pieces = [
        "Ok <tool",
        '_call>{"name": "add_two_numbers", ',
        '"arguments": {"a": 7, "b": 35}}',
        "</tool_call>",
    ]
    events = [delta(p) for p in pieces] + [delta("", finishReason="stop")]
    model = make_model(oci_dir, lambda r: httpx.Response(200, content=sse(*events)))
    out = [e async for e in model.stream([Message.user("add")], tools=[ADD])]
    shown = "".join(e.content or "" for e in out)
    assert "<tool" not in shown and shown.strip() == "Ok"
    final = out[-1]
    assert final.done and [c.arguments for c in final.tool_calls] == [{"a": 7, "b": 35}]
    assert final.response is not None and final.response.tool_calls == final.tool_calls
    assert final.stop_reason == "tool_calls"


def test_complete_sync_from_a_plain_thread_and_refused_in_a_loop(oci_dir: Path) -> None:
    model = make_model(oci_dir, lambda r: httpx.Response(200, json=chat_result("sync")))
    results: list[str] = []
    thread = threading.Thread(
        target=lambda: results.append(model.complete_sync([Message.user("hi")]).text)
    )
    thread.start()
    thread.join()
    assert results == ["sync"]
    assert model.complete_sync([Message.user("again")]).text == "sync"

    async def inside() -> None:
        with pytest.raises(ConfigurationError, match="running event loop"):
            model.complete_sync([Message.user("hi")])

    asyncio.run(inside())


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
