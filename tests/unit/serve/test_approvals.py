"""Approvals over HTTP: a paused run's pending calls, resumed by thread or by run id."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ag_ui.core import EventType

from locus.agent import Agent
from locus.core.messages import Message, ToolCall
from locus.core.toolspec import ToolSpec
from locus.serve import create_app
from locus.testing import FunctionModel, ScriptedModel
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
    run_id = events[-1].model_extra["locus"]["runId"] if events[-1].model_extra else None
    assert thread["pending"] == [
        {"id": "call-9", "tool": "delete_file", "arguments": {"path": "/tmp/x"}, "run_id": run_id}
    ]
    assert run_id is not None and run_id.startswith("run.t.ops.")

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


def twice(messages: list[Message], tools: list[ToolSpec]) -> Any:
    """Asks to delete /tmp/a, then (once that ran) /tmp/b, then answers."""
    done = [m for m in messages if m.role == "tool"]
    if len(done) == 2:
        return "Both deleted."
    path, call_id = ("/tmp/a", "call-a") if not done else ("/tmp/b", "call-b")
    return ToolCall(id=call_id, name="delete_file", arguments={"path": path})


def _approval(call_id: str) -> dict[str, Any]:
    return {"approvals": {call_id: {"approved": True}}}


async def test_a_resumed_run_that_pauses_again_names_its_new_run_id(client: AppClient) -> None:
    ran.clear()
    app = create_app({"ops": Agent(FunctionModel(twice), tools=[delete_file])})
    http = client(app)
    payload = {"model": "ops", "messages": [{"role": "user", "content": "delete a and b"}]}
    first = (await http.post("/v1/chat/completions", json=payload)).json()["locus"]["run_id"]
    events = events_of(
        (await http.post(f"/v1/agents/ops/runs/{first}/approvals", json=_approval("call-a"))).text
    )
    assert ran == ["/tmp/a"]
    finished = events[-1]
    assert [i.id for i in finished.outcome.interrupts] == ["call-b"]
    second = finished.locus["runId"]
    assert second != first
    # the first id resumed its pause; it does not approve the next one
    stale = await http.post(f"/v1/agents/ops/runs/{first}/approvals", json=_approval("call-b"))
    assert stale.status_code == 404
    events = events_of(
        (await http.post(f"/v1/agents/ops/runs/{second}/approvals", json=_approval("call-b"))).text
    )
    assert ran == ["/tmp/a", "/tmp/b"]
    assert events[-1].result == "Both deleted." and events[-1].outcome is None
    assert (await http.get("/v1/threads")).json()["threads"] == []  # its thread went with it


async def test_an_agui_pause_names_the_run_id_of_the_approvals_route(client: AppClient) -> None:
    app = create_app(
        {
            "ops": Agent(FunctionModel(deleter), tools=[delete_file]),
            "other": Agent(FunctionModel(deleter), tools=[delete_file]),
        }
    )
    ran.clear()
    http = client(app)
    events = events_of(
        (await http.post("/v1/agents/ops/runs", json=run_input("delete /tmp/x"))).text
    )
    run_id = events[-1].locus["runId"]
    # the client's own runId is not one, nor is the id on another agent's route
    assert (
        await http.post("/v1/agents/ops/runs/r1/approvals", json=_approval("call-9"))
    ).status_code == 404
    assert (
        await http.post(f"/v1/agents/other/runs/{run_id}/approvals", json=_approval("call-9"))
    ).status_code == 404
    app.state.served.state.draining = True
    assert (
        await http.post(f"/v1/agents/ops/runs/{run_id}/approvals", json=_approval("call-9"))
    ).status_code == 503
    app.state.served.state.draining = False
    events = events_of(
        (await http.post(f"/v1/agents/ops/runs/{run_id}/approvals", json=_approval("call-9"))).text
    )
    assert ran == ["/tmp/x"] and events[0].thread_id == "t1"
    replay = await http.post(f"/v1/agents/ops/runs/{run_id}/approvals", json=_approval("call-9"))
    assert replay.status_code == 409  # the thread keeps the mark: it ran once
    assert replay.json()["error"]["type"] == "conflict_error"


class TwoMethodStore:
    """A user's own store: ``load`` and ``append`` only, so no metadata for a paused run."""

    def __init__(self) -> None:
        self.threads: dict[str, list[Message]] = {}

    async def load(self, thread_id: str) -> list[Message]:
        return list(self.threads.get(thread_id, []))

    async def append(self, thread_id: str, messages: Sequence[Message]) -> None:
        self.threads.setdefault(thread_id, []).extend(messages)


async def test_a_store_without_metadata_keeps_the_paused_run_in_memory(
    client: AppClient,
) -> None:
    ran.clear()
    agent = Agent(FunctionModel(deleter), tools=[delete_file], thread_store=TwoMethodStore())
    app = create_app({"ops": agent})
    http = client(app)
    payload = {"model": "ops", "messages": [{"role": "user", "content": "delete /tmp/x"}]}
    run_id = (await http.post("/v1/chat/completions", json=payload)).json()["locus"]["run_id"]
    assert run_id.startswith("run-")
    assert (await http.get("/v1/status")).json()["paused_runs"] == 1
    url = f"/v1/agents/ops/runs/{run_id}/approvals"
    events = events_of((await http.post(url, json=_approval("call-9"))).text)
    assert ran == ["/tmp/x"] and events[-1].result == "Result: deleted /tmp/x"
    assert (await http.get("/v1/status")).json()["paused_runs"] == 0
    assert (await http.post(url, json=_approval("call-9"))).status_code == 404


async def test_a_resume_refused_before_its_claim_leaves_the_run_resumable(
    client: AppClient,
) -> None:
    http = client(_app())
    payload = {"model": "ops", "messages": [{"role": "user", "content": "delete /tmp/x"}]}
    run_id = (await http.post("/v1/chat/completions", json=payload)).json()["locus"]["run_id"]
    url = f"/v1/agents/ops/runs/{run_id}/approvals"
    refused = await http.post(url, json=_approval("call-other"))
    assert refused.status_code == 400 and ran == []  # said before the stream: nothing claimed
    assert "unknown ['call-other']" in refused.json()["error"]["message"]
    assert len((await http.get("/v1/threads")).json()["threads"]) == 1  # still waiting
    events = events_of((await http.post(url, json=_approval("call-9"))).text)
    assert ran == ["/tmp/x"] and events[-1].result == "Result: deleted /tmp/x"
    assert (await http.get("/v1/threads")).json()["threads"] == []


def _desk() -> Agent:
    """``desk``, whose tool ``clerk`` (an agent) asks for ``delete_file("/tmp/z")``."""
    clerk = Agent(
        ScriptedModel([ToolCall("c1", "delete_file", {"path": "/tmp/z"}), "clerk done"]),
        tools=[delete_file],
        name="clerk",
    )
    return Agent(
        ScriptedModel([ToolCall("d1", "clerk", {"input": "delete /tmp/z"}), "desk done"]),
        tools=[clerk.as_tool()],
        name="desk",
    )


async def test_a_sub_agents_call_pauses_the_served_agent_and_resumes_by_run_id(
    client: AppClient,
) -> None:
    """The paused call is listed with the asking agent's ``path``, and the run id resumes
    it inside the calling call."""
    ran.clear()
    http = client(create_app({"desk": _desk()}))
    payload = {"model": "desk", "messages": [{"role": "user", "content": "tidy up"}]}
    locus = (await http.post("/v1/chat/completions", json=payload)).json()["locus"]
    assert locus["pending"] == [
        {"id": "c1", "tool": "delete_file", "arguments": {"path": "/tmp/z"}, "path": ["clerk"]}
    ]
    url = f"/v1/agents/desk/runs/{locus['run_id']}/approvals"
    events = events_of((await http.post(url, json=_approval("c1"))).text)
    assert ran == ["/tmp/z"] and events[-1].result == "desk done"

    http = client(create_app({"desk": _desk()}))
    events = events_of((await http.post("/v1/agents/desk/runs", json=run_input("tidy"))).text)
    (interrupt,) = events[-1].outcome.interrupts
    assert interrupt.metadata == {
        "tool": "delete_file",
        "arguments": {"path": "/tmp/z"},
        "path": ["clerk"],
    }
    assert interrupt.message == 'approve clerk › delete_file({"path": "/tmp/z"})?'
