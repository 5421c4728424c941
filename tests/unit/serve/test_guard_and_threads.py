"""Auth, body and concurrency limits, health, and the thread routes, in process."""

from __future__ import annotations

import asyncio

import pytest
from starlette.applications import Starlette

from locus.agent import Agent
from locus.core.errors import ConfigurationError
from locus.core.messages import Message
from locus.serve import create_app
from locus.serve._guard import is_loopback
from locus.testing import FunctionModel, ScriptedModel
from tests.deadlines import wait_until
from tests.unit.serve.conftest import AppClient, adding_agent

CHAT = {"model": "adder", "messages": [{"role": "user", "content": "add 7 and 35"}]}


def test_loopback_addresses() -> None:
    assert all(map(is_loopback, ["127.0.0.1", "127.8.9.1", "::1", "[::1]", "localhost"]))
    assert not any(map(is_loopback, ["10.0.0.1", "0.0.0.0", "example.com", None, ""]))


async def test_a_token_is_required_when_set(client: AppClient) -> None:
    app = create_app({"adder": adding_agent()}, token="s3cret")
    assert (await client(app).get("/v1/models")).status_code == 401
    wrong = client(app, authorization="Bearer nope")
    assert (await wrong.get("/v1/models")).status_code == 401
    right = client(app, authorization="Bearer s3cret", host="10.1.2.3")
    assert (await right.get("/v1/models")).status_code == 200
    assert (await client(app).get("/healthz")).json() == {"status": "ok"}


async def test_the_token_comes_from_the_environment(
    client: AppClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOCUS_SERVE_TOKEN", "from-env")
    app = create_app({"adder": adding_agent()})
    assert (await client(app).get("/v1/models")).status_code == 401
    ok = client(app, authorization="Bearer from-env")
    assert (await ok.get("/v1/models")).status_code == 200


async def test_without_a_token_only_loopback_is_served(
    app: Starlette, client: AppClient, caplog: pytest.LogCaptureFixture
) -> None:
    assert (await client(app, host="127.0.0.1").get("/v1/models")).status_code == 200
    far = await client(app, host="192.0.2.10").get("/v1/models")
    assert far.status_code == 403
    assert "LOCUS_SERVE_TOKEN" in far.json()["error"]["message"]
    with caplog.at_level("WARNING", logger="locus.serve"):
        create_app({"adder": adding_agent()})
    assert "auth is off" in caplog.text


async def test_a_body_over_the_limit_is_413(client: AppClient) -> None:
    app = create_app({"adder": adding_agent()}, max_body_bytes=200)
    big = {**CHAT, "messages": [{"role": "user", "content": "x" * 300}]}
    response = await client(app).post("/v1/chat/completions", json=big)
    assert response.status_code == 413
    assert (await client(app).post("/v1/chat/completions", json=CHAT)).status_code == 200


async def test_one_client_gets_429_past_its_limit_and_others_do_not(client: AppClient) -> None:
    release = asyncio.Event()

    async def slow(messages: list[Message], tools: object) -> str:
        await release.wait()
        return "done"

    app = create_app({"adder": Agent(FunctionModel(slow))}, max_concurrent_per_client=2)
    http = client(app)
    running = [asyncio.create_task(http.post("/v1/chat/completions", json=CHAT)) for _ in range(2)]
    await wait_until(lambda: app.state.served.state.active_runs >= 2, "two runs started", every=0)
    refused = await http.post("/v1/chat/completions", json=CHAT)
    assert refused.status_code == 429
    assert "limit 2" in refused.json()["error"]["message"]
    other = asyncio.create_task(
        client(app, host="127.0.0.2").post("/v1/chat/completions", json=CHAT)
    )
    await wait_until(
        lambda: app.state.served.state.active_runs >= 3, "the third run started", every=0
    )
    release.set()
    assert [r.status_code for r in await asyncio.gather(*running, other)] == [200, 200, 200]
    assert (await http.post("/v1/chat/completions", json=CHAT)).status_code == 200


async def test_readyz_turns_503_while_draining(app: Starlette, client: AppClient) -> None:
    http = client(app)
    assert (await http.get("/readyz")).json() == {"status": "ready", "agents": ["adder"]}
    app.state.served.state.draining = True
    assert (await http.get("/readyz")).status_code == 503
    refused = await http.post("/v1/chat/completions", json=CHAT)
    assert refused.status_code == 503


async def test_thread_routes_list_show_and_delete(client: AppClient) -> None:
    agent = Agent(ScriptedModel(["one", "two"]))
    http = client(create_app({"a": agent}))
    for thread in ("u1/a", "u1/b"):
        payload = {
            "model": "a",
            "thread_id": thread,
            "messages": [{"role": "user", "content": "hi"}],
        }
        assert (await http.post("/v1/chat/completions", json=payload)).status_code == 200
    assert (await http.get("/v1/threads", params={"prefix": "u1/"})).json() == {
        "agent": "a",
        "threads": ["u1/b", "u1/a"],
        "next_cursor": None,
    }
    shown = (await http.get("/v1/threads/u1/a")).json()
    assert shown["messages"] == [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "one"},
    ]
    assert (await http.delete("/v1/threads/u1/a")).status_code == 204
    assert (await http.get("/v1/threads/u1/a")).status_code == 404
    assert (await http.get("/v1/threads/x", params={"agent": "zz"})).status_code == 404


async def test_two_stores_need_the_agent_named(client: AppClient) -> None:
    app = create_app({"a": Agent(ScriptedModel([])), "b": Agent(ScriptedModel([]))})
    response = await client(app).get("/v1/threads/x")
    assert response.status_code == 400
    assert "?agent=NAME" in response.json()["error"]["message"]
    assert (await client(app).get("/v1/threads/x", params={"agent": "b"})).status_code == 404


def test_bad_configuration_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="letters, digits"):
        create_app({"bad name": adding_agent()})
    with pytest.raises(ConfigurationError, match="not an agent"):
        create_app({"a": object()})
    with pytest.raises(ConfigurationError, match="max_body_bytes"):
        create_app(adding_agent(), max_body_bytes=0)
    with pytest.raises(ConfigurationError, match="at least one agent"):
        create_app({})


async def test_the_chat_page_is_served_only_with_ui(client: AppClient) -> None:
    assert (await client(create_app(adding_agent())).get("/")).status_code == 404
    page = await client(create_app(adding_agent(), ui=True)).get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "/v1/agents/" in page.text and "<script src" not in page.text  # one file, no CDN
