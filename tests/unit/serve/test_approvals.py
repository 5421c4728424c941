"""Approvals over HTTP: a paused run's pending calls, resumed by thread or by run id."""

from __future__ import annotations

import json
from typing import Any

from ag_ui.core import EventType

from locus.agent import Agent
from locus.core.messages import Message, ToolCall
from locus.core.toolspec import ToolSpec
from locus.serve import create_app
from locus.testing import FunctionModel
from locus.tools import tool
from tests.unit.serve.conftest import AppClient
from tests.unit.serve.test_agui_routes import events_of, run_input

ran: list[str] = []


@tool(requires_approval=True)
def delete_file(path: str) -> str:
    """Delete a file."""
    ran.append(path)
    return f"deleted {path}"


def deleter(messages: list[Message], tools: list[ToolSpec]) -> Any:
    last = messages[-1]
    if last.role == "tool":
        return f"Result: {last.content}"
    return ToolCall(id="call-9", name="delete_file", arguments={"path": "/tmp/x"})


def _app() -> Any:
    ran.clear()
    return create_app({"ops": Agent(FunctionModel(deleter), tools=[delete_file])})


async def test_a_paused_run_finishes_with_an_interrupt_and_resumes_by_thread(
    client: AppClient,
) -> None:
    http = client(_app())
    events = events_of(
        (await http.post("/v1/agents/ops/runs", json=run_input("delete /tmp/x"))).text
    )
    finished = events[-1]
    assert finished.type == EventType.RUN_FINISHED
    assert finished.outcome.type == "interrupt"
    (interrupt,) = finished.outcome.interrupts
    assert (interrupt.id, interrupt.tool_call_id, interrupt.reason) == (
        "call-9",
        "call-9",
        "tool_approval",
    )
    assert interrupt.metadata == {"tool": "delete_file", "arguments": {"path": "/tmp/x"}}
    assert ran == []
    thread = (await http.get("/v1/threads/t1")).json()
    assert thread["pending"] == [
        {"id": "call-9", "tool": "delete_file", "arguments": {"path": "/tmp/x"}}
    ]

    resume = {
        "threadId": "t1",
        "runId": "r2",
        "messages": [],
        "resume": [{"interruptId": "call-9", "status": "resolved", "payload": {"approved": True}}],
    }
    events = events_of((await http.post("/v1/agents/ops/runs", json=resume)).text)
    assert ran == ["/tmp/x"]
    results = [e for e in events if e.type == EventType.TOOL_CALL_RESULT]
    assert [r.content for r in results] == ["deleted /tmp/x"]
    assert events[-1].type == EventType.RUN_FINISHED and events[-1].outcome is None
    assert events[-1].result == "Result: deleted /tmp/x"
    assert (await http.get("/v1/threads/t1")).json()["pending"] == []


async def test_a_denied_call_never_runs_and_the_model_reads_why(client: AppClient) -> None:
    http = client(_app())
    await http.post("/v1/agents/ops/runs", json=run_input("delete /tmp/x"))
    resume = {
        "threadId": "t1",
        "runId": "r2",
        "messages": [],
        "resume": [{"interruptId": "call-9", "status": "cancelled"}],
    }
    events = events_of((await http.post("/v1/agents/ops/runs", json=resume)).text)
    assert ran == []
    assert "cancelled by the user" in events[-1].result


async def test_a_completion_paused_for_approval_resumes_by_run_id(client: AppClient) -> None:
    http = client(_app())
    payload = {"model": "ops", "messages": [{"role": "user", "content": "delete /tmp/x"}]}
    body = (await http.post("/v1/chat/completions", json=payload)).json()
    locus = body["locus"]
    assert locus["stop_reason"] == "awaiting_approval"
    assert locus["pending"] == [
        {"id": "call-9", "tool": "delete_file", "arguments": {"path": "/tmp/x"}}
    ]
    url = f"/v1/agents/ops/runs/{locus['run_id']}/approvals"
    bad = await http.post(url, json={"approvals": {"call-9": {"approve": "yes"}}})
    assert bad.status_code == 400
    decision = {"approvals": {"call-9": {"approved": True, "arguments": {"path": "/tmp/y"}}}}
    events = events_of((await http.post(url, json=decision)).text)
    assert ran == ["/tmp/y"]
    assert events[-1].result == "Result: deleted /tmp/y"
    again = await http.post(url, json=decision)
    assert again.status_code == 404
    assert json.loads(again.text)["error"]["type"] == "not_found"
