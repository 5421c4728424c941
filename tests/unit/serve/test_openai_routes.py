"""``POST /v1/chat/completions`` and ``GET /v1/models`` in process, on a FunctionModel agent."""

from __future__ import annotations

import json
from typing import Any

from starlette.applications import Starlette

from locus.agent import Agent
from locus.core.errors import ModelError
from locus.serve import create_app
from locus.testing import ScriptedModel
from tests.unit.serve.conftest import AppClient


def _chat(**extra: Any) -> dict[str, Any]:
    return {"model": "adder", "messages": [{"role": "user", "content": "add 7 and 35"}], **extra}


def _frames(text: str) -> list[Any]:
    out = []
    for frame in text.split("\n\n"):
        if frame.startswith("data: "):
            data = frame.removeprefix("data: ")
            out.append(data if data == "[DONE]" else json.loads(data))
    return out


async def test_models_lists_each_agent_by_name(app: Starlette, client: AppClient) -> None:
    body = (await client(app).get("/v1/models")).json()
    assert body["object"] == "list"
    assert [m["id"] for m in body["data"]] == ["adder"]


async def test_a_completion_runs_the_tool_on_the_server(app: Starlette, client: AppClient) -> None:
    response = await client(app).post("/v1/chat/completions", json=_chat())
    assert response.status_code == 200
    body = response.json()
    assert body["object"] == "chat.completion"
    assert body["model"] == "adder"
    assert body["choices"][0]["message"] == {"role": "assistant", "content": "The sum is 42."}
    assert body["choices"][0]["finish_reason"] == "stop"
    assert body["usage"]["total_tokens"] > 0


async def test_a_streamed_completion_ends_with_stop_usage_and_done(
    app: Starlette, client: AppClient
) -> None:
    payload = _chat(stream=True, stream_options={"include_usage": True})
    response = await client(app).post("/v1/chat/completions", json=payload)
    assert response.headers["content-type"].startswith("text/event-stream")
    frames = _frames(response.text)
    assert frames[-1] == "[DONE]"
    chunks = frames[:-1]
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks if c["choices"])
    assert text == "The sum is 42."
    assert [c["choices"][0]["finish_reason"] for c in chunks if c["choices"]][-1] == "stop"
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["total_tokens"] > 0
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)


async def test_history_comes_from_the_messages_before_the_last(client: AppClient) -> None:
    model = ScriptedModel(["Your name is Ada."])
    app = create_app({"a": Agent(model, system_prompt="Be brief.")})
    messages = [
        {"role": "system", "content": "ignored: the agent's own prompt wins"},
        {"role": "user", "content": "My name is Ada."},
        {"role": "assistant", "content": "Hello Ada."},
        {"role": "user", "content": [{"type": "text", "text": "What is my name?"}]},
    ]
    response = await client(app).post(
        "/v1/chat/completions", json={"model": "a", "messages": messages}
    )
    assert response.status_code == 200
    sent = [(m.role, m.text) for m in model.requests[0].messages]
    assert sent == [
        ("system", "Be brief."),
        ("user", "My name is Ada."),
        ("assistant", "Hello Ada."),
        ("user", "What is my name?"),
    ]


async def test_a_thread_id_makes_the_thread_the_history(client: AppClient) -> None:
    model = ScriptedModel(["Noted.", "Blue."])
    app = create_app({"a": Agent(model)})
    http = client(app)
    for text in ("My colour is blue.", "What is my colour?"):
        payload = {"model": "a", "thread_id": "t1", "messages": [{"role": "user", "content": text}]}
        body = (await http.post("/v1/chat/completions", json=payload)).json()
    assert body["choices"][0]["message"]["content"] == "Blue."
    assert body["locus"] == {"thread_id": "t1"}
    assert [m.text for m in model.requests[1].messages] == [
        "My colour is blue.",
        "Noted.",
        "What is my colour?",
    ]


async def test_bad_requests_say_what_to_change(app: Starlette, client: AppClient) -> None:
    http = client(app)
    cases = [
        (_chat(model="nope"), 404, "no agent named 'nope'"),
        (
            _chat(tools=[{"type": "function", "function": {"name": "x"}}]),
            400,
            "tools run on the server",
        ),
        (_chat(messages=[]), 400, "'messages' must be a non-empty list"),
        (
            _chat(messages=[{"role": "assistant", "content": "hi"}]),
            400,
            "last message must be the user's",
        ),
        (_chat(messages=[{"role": "robot", "content": "hi"}]), 400, "unknown message role 'robot'"),
        ({"messages": []}, 400, "'model' must name a served agent"),
    ]
    for payload, status, text in cases:
        response = await http.post("/v1/chat/completions", json=payload)
        assert response.status_code == status, payload
        assert text in response.json()["error"]["message"]
    response = await http.post("/v1/chat/completions", content=b"{not json")
    assert response.status_code == 400
    assert "not JSON" in response.json()["error"]["message"]


async def test_a_failed_run_is_an_error_answer_or_an_error_event(client: AppClient) -> None:
    app = create_app(
        {"a": Agent(ScriptedModel([ModelError("upstream broke"), ModelError("again")]))}
    )
    http = client(app)
    response = await http.post("/v1/chat/completions", json=_chat(model="a"))
    assert response.status_code == 502
    assert response.json()["error"] == {
        "message": "upstream broke",
        "type": "upstream_error",
        "code": "ModelError",
    }
    streamed = await http.post("/v1/chat/completions", json=_chat(model="a", stream=True))
    frames = _frames(streamed.text)
    assert frames[-2]["error"]["message"] == "again"
    assert frames[-1] == "[DONE]"


async def test_structured_output_is_answered_as_json(client: AppClient) -> None:
    from pydantic import BaseModel

    class City(BaseModel):
        name: str
        country: str

    agent = Agent(
        ScriptedModel(['{"name": "Lisbon", "country": "Portugal"}'] * 2),
        output_type=City,
        output_mode="prompted",
    )
    app = create_app({"cities": agent})
    http = client(app)
    body = (await http.post("/v1/chat/completions", json=_chat(model="cities"))).json()
    assert json.loads(body["choices"][0]["message"]["content"]) == {
        "name": "Lisbon",
        "country": "Portugal",
    }
    streamed = _frames(
        (await http.post("/v1/chat/completions", json=_chat(model="cities", stream=True))).text
    )
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in streamed[:-1])
    assert json.loads(text) == {"name": "Lisbon", "country": "Portugal"}


async def test_the_run_routes_answer_other_methods_with_405(
    app: Starlette, client: AppClient
) -> None:
    for path in ("/v1/chat/completions", "/v1/agents/adder/runs"):
        response = await client(app).get(path)
        assert response.status_code == 405, path
        assert response.headers["allow"] == "POST"
