"""``ModelRequest.headers`` reach HTTP: a hook's headers are sent with that model call
(under the connection's own), and only with it. A real ``OpenAICompatibleModel`` over
httpx's ``MockTransport`` records what was sent."""

from __future__ import annotations

import json
from typing import Any

import httpx

from locus.agent import Agent, Hook, ModelRequest, RunContext
from locus.core._headers import model_headers
from locus.core.messages import Message
from locus.models.openai_compatible import OpenAICompatibleModel

URL = "http://model.test/v1"


def _chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
    choice = {"index": 0, "delta": delta, "finish_reason": finish}
    body = {"id": "c1", "object": "chat.completion.chunk", "model": "m", "choices": [choice]}
    return b"data: " + json.dumps(body).encode() + b"\n\n"


def _answer(request: httpx.Request) -> httpx.Response:
    if json.loads(request.content).get("stream"):
        body = _chunk({"role": "assistant", "content": "hi"}) + _chunk({}, "stop")
        body += b"data: [DONE]\n\n"
        return httpx.Response(200, content=body, headers={"content-type": "text/event-stream"})
    message = {"role": "assistant", "content": "hi"}
    choice = {"index": 0, "message": message, "finish_reason": "stop"}
    return httpx.Response(200, json={"id": "c1", "model": "m", "choices": [choice]})


def recording_model(seen: list[httpx.Request]) -> OpenAICompatibleModel:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return _answer(request)

    return OpenAICompatibleModel(
        "m", base_url=URL, api_key="k", transport=httpx.MockTransport(handler)
    )


class Traceparent(Hook):
    """Sets a header on each model call, numbered."""

    def __init__(self) -> None:
        self.calls = 0

    def before_model_call(self, ctx: RunContext[Any], request: ModelRequest) -> ModelRequest:
        self.calls += 1
        request.headers = {**request.headers, "traceparent": f"00-{self.calls:032x}-{1:016x}-01"}
        return request


async def test_the_context_headers_are_sent_under_the_connections() -> None:
    seen: list[httpx.Request] = []
    model = recording_model(seen)
    token = model_headers.set({"traceparent": "00-abc-def-01", "content-type": "text/plain"})
    try:
        await model.complete([Message.user("hi")])
    finally:
        model_headers.reset(token)
    await model.complete([Message.user("again")])
    await model.aclose()
    assert seen[0].headers["traceparent"] == "00-abc-def-01"
    assert seen[0].headers["content-type"] == "application/json"  # the connection's wins
    assert seen[0].headers["authorization"] == "Bearer k"
    assert "traceparent" not in seen[1].headers  # nothing set: nothing sent


async def test_a_hooks_headers_go_with_its_model_call_only() -> None:
    seen: list[httpx.Request] = []
    model = recording_model(seen)
    hook = Traceparent()
    agent = Agent(model, hooks=[hook])
    await agent.arun("one")
    await agent.arun("two")
    assert [r.headers.get("traceparent") for r in seen] == [
        f"00-{1:032x}-{1:016x}-01",
        f"00-{2:032x}-{1:016x}-01",
    ]
    assert model_headers.get() is None  # cleared after each call, not left for the next
    await model.complete([Message.user("direct")])  # same task, no hook: no stale header
    assert "traceparent" not in seen[-1].headers
    await model.aclose()
