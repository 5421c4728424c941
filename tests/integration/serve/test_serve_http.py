"""``create_app`` on a real uvicorn server, an agent on the emulator (real HTTP, real
signatures): the official ``openai`` client, an AG-UI client, and the auth it meets."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import httpx
import openai
import pytest
from ag_ui.core import Event, EventType
from pydantic import TypeAdapter
from starlette.applications import Starlette

from locus.agent import Agent
from locus.emulator import Emulator
from locus.models.providers.oci import OCIModel
from locus.serve import create_app
from tests.integration.serve.conftest import ServerThread
from tests.integration.serve.emulator_agent import adder, model

Serve = Callable[[Starlette], ServerThread]
TOKEN = "test-token-0123456789"
ADD = "Use the add_two_numbers tool to add 7 and 35."


def test_the_openai_client_streams_an_answer_with_a_tool_call_made_on_the_server(
    emu: Emulator, serve: Serve
) -> None:
    server = serve(create_app({"adder": adder(emu.info)}, token=TOKEN))
    client = openai.OpenAI(base_url=server.url + "/v1", api_key=TOKEN, max_retries=0)
    assert [m.id for m in client.models.list()] == ["adder"]
    stream = client.chat.completions.create(
        model="adder",
        messages=[{"role": "user", "content": ADD}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert "42" in text  # the emulator states the tool's result: the tool ran on the server
    assert "add_two_numbers" in text
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
    assert chunks[-1].usage is not None and chunks[-1].usage.total_tokens > 0
    assert not any(c.choices[0].delta.tool_calls for c in chunks if c.choices)

    whole = client.chat.completions.create(
        model="adder", messages=[{"role": "user", "content": ADD}]
    )
    assert "42" in (whole.choices[0].message.content or "")


def test_the_openai_client_meets_auth_and_unknown_models(emu: Emulator, serve: Serve) -> None:
    server = serve(create_app({"adder": adder(emu.info)}, token=TOKEN))
    wrong = openai.OpenAI(base_url=server.url + "/v1", api_key="wrong", max_retries=0)
    with pytest.raises(openai.AuthenticationError):
        wrong.models.list()
    right = openai.OpenAI(base_url=server.url + "/v1", api_key=TOKEN, max_retries=0)
    with pytest.raises(openai.NotFoundError, match="no agent named 'gpt-4'"):
        right.chat.completions.create(model="gpt-4", messages=[{"role": "user", "content": "hi"}])


def _agui(server: ServerThread, body: dict[str, Any]) -> list[Any]:
    adapter: TypeAdapter[Any] = TypeAdapter(Event)
    events = []
    headers = {"authorization": f"Bearer {TOKEN}", "accept": "text/event-stream"}
    url = server.url + "/v1/agents/adder/runs"
    with httpx.stream("POST", url, json=body, headers=headers, timeout=30) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if line.startswith("data: "):
                events.append(adapter.validate_python(json.loads(line[6:])))
    return events


def test_an_agui_client_receives_the_run_in_order_ending_with_run_finished(
    emu: Emulator, serve: Serve
) -> None:
    server = serve(create_app({"adder": adder(emu.info)}, token=TOKEN))
    message = {"id": "m1", "role": "user", "content": ADD}
    events = _agui(server, {"threadId": "t-agui", "runId": "r1", "messages": [message]})
    kinds = [e.type for e in events]
    assert kinds[0] == EventType.RUN_STARTED and kinds[-1] == EventType.RUN_FINISHED
    order = [
        EventType.TOOL_CALL_START,
        EventType.TOOL_CALL_ARGS,
        EventType.TOOL_CALL_END,
        EventType.TOOL_CALL_RESULT,
        EventType.TEXT_MESSAGE_START,
        EventType.TEXT_MESSAGE_END,
        EventType.RUN_FINISHED,
    ]
    positions = [kinds.index(kind) for kind in order]
    assert positions == sorted(positions)
    result = next(e for e in events if e.type == EventType.TOOL_CALL_RESULT)
    assert result.content == "42"
    text = "".join(e.delta for e in events if e.type == EventType.TEXT_MESSAGE_CONTENT)
    assert "42" in text and events[-1].result == text
    # the thread now holds the turn, tool call and result included
    thread = httpx.get(
        server.url + "/v1/threads/t-agui", headers={"authorization": f"Bearer {TOKEN}"}
    ).json()
    assert [m["role"] for m in thread["messages"]] == ["user", "assistant", "tool", "assistant"]


def test_startup_prepares_each_model_and_logs_one_that_cannot_be(
    emu: Emulator, serve: Serve, caplog: pytest.LogCaptureFixture
) -> None:
    ready = adder(emu.info)
    broken = Agent(model({**emu.info, "profile": "NOPE"}), name="broken")
    prepared = ready.model
    assert isinstance(prepared, OCIModel) and prepared.http_client is None
    with caplog.at_level(logging.ERROR, logger="locus.serve"):
        server = serve(create_app({"adder": ready, "broken": broken}, token=TOKEN))
    # before any request: the credentials are loaded and the client is open
    assert prepared.http_client is not None
    logged = [r.getMessage() for r in caplog.records if r.name == "locus.serve"]
    assert len(logged) == 1, logged
    assert logged[0].startswith("agent 'broken': its model is not ready: CredentialsError: ")
    assert "profile [NOPE] not found" in logged[0]
    client = openai.OpenAI(base_url=server.url + "/v1", api_key=TOKEN, max_retries=0)
    ask = [{"role": "user", "content": ADD}]
    answer = client.chat.completions.create(model="adder", messages=ask)
    assert "42" in (answer.choices[0].message.content or "")
    with pytest.raises(openai.APIStatusError, match=r"profile \[NOPE\] not found"):
        client.chat.completions.create(model="broken", messages=ask)
