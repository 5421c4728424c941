"""AG-UI runs in process: every event validates as an ``ag-ui-protocol`` event, in order."""

from __future__ import annotations

import json
from typing import Any

from ag_ui.core import Event, EventType
from pydantic import TypeAdapter
from starlette.applications import Starlette

from locus.agent import Agent
from locus.core.errors import ModelError
from locus.serve import create_app
from locus.testing import ScriptedModel
from tests.unit.serve.conftest import AppClient

EVENTS: TypeAdapter[Any] = TypeAdapter(Event)


def run_input(text: str, thread: str = "t1", run: str = "r1") -> dict[str, Any]:
    message = {"id": "m1", "role": "user", "content": text}
    return {"threadId": thread, "runId": run, "messages": [message], "tools": [], "context": []}


def events_of(body: str) -> list[Any]:
    frames = [f.removeprefix("data: ") for f in body.split("\n\n") if f.startswith("data: ")]
    return [EVENTS.validate_python(json.loads(frame)) for frame in frames]


async def test_a_run_streams_validated_events_in_order(app: Starlette, client: AppClient) -> None:
    response = await client(app).post("/v1/agents/adder/runs", json=run_input("add 7 and 35"))
    assert response.status_code == 200
    events = events_of(response.text)
    kinds = [e.type for e in events]
    assert kinds == [
        EventType.RUN_STARTED,
        EventType.STEP_STARTED,
        EventType.TOOL_CALL_START,
        EventType.TOOL_CALL_ARGS,
        EventType.TOOL_CALL_END,
        EventType.TOOL_CALL_RESULT,
        EventType.STEP_FINISHED,
        EventType.STEP_STARTED,
        EventType.TEXT_MESSAGE_START,
        *[EventType.TEXT_MESSAGE_CONTENT] * (kinds.count(EventType.TEXT_MESSAGE_CONTENT)),
        EventType.TEXT_MESSAGE_END,
        EventType.STEP_FINISHED,
        EventType.RUN_FINISHED,
    ]
    start, args, result, finished = events[2], events[3], events[5], events[-1]
    assert (start.tool_call_id, start.tool_call_name) == ("call-1", "add_two_numbers")
    assert json.loads(args.delta) == {"a": 7, "b": 35}
    assert (result.tool_call_id, result.content) == ("call-1", "42")
    text = "".join(e.delta for e in events if e.type == EventType.TEXT_MESSAGE_CONTENT)
    assert text == "The sum is 42."
    assert (finished.thread_id, finished.run_id, finished.result) == ("t1", "r1", text)
    assert finished.outcome is None and finished.usage[0].total_tokens > 0


async def test_runs_on_one_thread_share_its_history(client: AppClient) -> None:
    model = ScriptedModel(["Noted.", "Blue."])
    http = client(create_app({"a": Agent(model)}))
    await http.post("/v1/agents/a/runs", json=run_input("My colour is blue."))
    # an AG-UI client resends the whole conversation; the thread is the history, once
    second = run_input("What is my colour?", run="r2")
    second["messages"] = [
        {"id": "m1", "role": "user", "content": "My colour is blue."},
        {"id": "m2", "role": "assistant", "content": "Noted."},
        {"id": "m3", "role": "user", "content": "What is my colour?"},
    ]
    await http.post("/v1/agents/a/runs", json=second)
    assert [m.text for m in model.requests[1].messages] == [
        "My colour is blue.",
        "Noted.",
        "What is my colour?",
    ]
    thread = (await http.get("/v1/threads/t1")).json()
    assert [(m["role"], m["content"]) for m in thread["messages"]] == [
        ("user", "My colour is blue."),
        ("assistant", "Noted."),
        ("user", "What is my colour?"),
        ("assistant", "Blue."),
    ]
    assert thread["pending"] == []


async def test_a_failed_run_ends_with_run_error(client: AppClient) -> None:
    http = client(create_app({"a": Agent(ScriptedModel([ModelError("upstream broke")]))}))
    events = events_of((await http.post("/v1/agents/a/runs", json=run_input("hi"))).text)
    assert events[0].type == EventType.RUN_STARTED
    assert events[-1].type == EventType.RUN_ERROR
    assert (events[-1].message, events[-1].code) == ("upstream broke", "ModelError")


async def test_structured_output_streams_as_custom_events(client: AppClient) -> None:
    from pydantic import BaseModel

    class City(BaseModel):
        name: str

    agent = Agent(ScriptedModel(['{"name": "Lisbon"}']), output_type=City, output_mode="prompted")
    http = client(create_app({"c": agent}))
    events = events_of((await http.post("/v1/agents/c/runs", json=run_input("a city"))).text)
    deltas = [e for e in events if e.type == EventType.CUSTOM]
    assert deltas and all(e.name == "output_delta" for e in deltas)
    assert deltas[-1].value == {"name": "Lisbon"}
    assert events[-1].result == {"name": "Lisbon"}
    assert not [e for e in events if e.type == EventType.TEXT_MESSAGE_CONTENT]


async def test_bad_run_input_is_refused(app: Starlette, client: AppClient) -> None:
    http = client(app)
    response = await http.post("/v1/agents/nobody/runs", json=run_input("hi"))
    assert response.status_code == 404
    no_user = {
        "threadId": "t",
        "runId": "r",
        "messages": [{"id": "1", "role": "assistant", "content": "x"}],
    }
    response = await http.post("/v1/agents/adder/runs", json=no_user)
    assert response.status_code == 400
    assert "no user message" in response.json()["error"]["message"]
    bad_resume = {
        "threadId": "t",
        "runId": "r",
        "messages": [],
        "resume": [{"interruptId": "c", "payload": {}}],
    }
    response = await http.post("/v1/agents/adder/runs", json=bad_resume)
    assert response.status_code == 400
    assert "'approved': true or false" in response.json()["error"]["message"]
