"""A2A refusals and endings: JSON-RPC errors with the protocol's codes, failed and paused
runs, the parts an agent takes, and the app's limits on the A2A routes."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest
from a2a.types import SendMessageResponse, StreamResponse, Task, TaskState
from a2a.utils.proto_utils import parse_lenient
from google.protobuf.json_format import MessageToDict
from pydantic import BaseModel
from starlette.applications import Starlette

from locus.agent import Agent
from locus.core.errors import ModelError
from locus.core.messages import Message, ToolCall
from locus.core.toolspec import ToolSpec
from locus.serve import create_app
from locus.serve._a2a_tasks import TaskTable
from locus.testing import FunctionModel, ScriptedModel
from locus.tools import tool
from tests.unit.serve.conftest import AppClient, adding_agent
from tests.unit.serve.test_approvals import TwoMethodStore

URL = "/a2a/adder"


def rpc(method: str, params: Any = None, request_id: Any = 1) -> dict[str, Any]:
    body: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id, "method": method}
    if params is not None:
        body["params"] = params
    return body


def send(*parts: dict[str, Any], **message: Any) -> dict[str, Any]:
    found = {"messageId": "m1", "role": "ROLE_USER", "parts": list(parts), **message}
    return rpc("SendMessage", {"message": found})


def task_of(response: httpx.Response) -> Task:
    """The task of a ``SendMessage`` answer, parsed as the SDK parses it."""
    body = response.json()
    assert response.status_code == 200 and "result" in body, body
    parsed: SendMessageResponse = parse_lenient(body["result"], SendMessageResponse())
    return parsed.task


async def error_of(http: httpx.AsyncClient, body: Any, url: str = URL, **kw: Any) -> dict[str, Any]:
    response = await http.post(url, json=body, **kw)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["jsonrpc"] == "2.0" and "result" not in answer
    error: dict[str, Any] = answer["error"]
    return {"id": answer["id"], **error}


@pytest.mark.parametrize(
    ("body", "code", "says"),
    [
        ([rpc("GetTask", {"id": "x"})], -32600, "no batches"),
        ({"id": 1, "method": "GetTask"}, -32600, "'jsonrpc'"),
        ({"jsonrpc": "2.0", "id": 1}, -32600, "'method'"),
        ({"jsonrpc": "2.0", "id": True, "method": "GetTask"}, -32600, "'id'"),
        (rpc("Summon"), -32601, "no method 'Summon'"),
        (rpc("message/send", {}), -32009, "A2A 0.3"),
        (rpc("GetTask", [1]), -32602, "'params' must be an object"),
        (rpc("GetTask", {}), -32602, "'params.id'"),
        (rpc("GetTask", {"id": "nope"}), -32001, "no task 'nope'"),
        (rpc("CancelTask", {"id": "nope"}), -32001, "no task 'nope'"),
        (rpc("SendMessage", {}), -32602, "'params.message'"),
        (send(), -32602, "'parts' must be a non-empty list"),
        (send({"text": "hi"}, role="ROLE_AGENT"), -32602, "role must be 'ROLE_USER'"),
        (send({"text": "hi"}, messageId=""), -32602, "'message.messageId'"),
        (send({"text": "hi", "data": {}}), -32602, "exactly one of"),
        (send({"url": "https://x.test/a.pdf", "mediaType": "application/pdf"}), -32005, "pdf"),
        (send({"raw": "!!", "mediaType": "image/png"}), -32602, "not valid base64"),
        (send({"text": "hi"}, taskId="nope"), -32001, "no task 'nope'"),
        (
            {
                **send({"text": "hi"}),
                "params": {
                    **send({"text": "hi"})["params"],
                    "configuration": {"returnImmediately": "yes"},
                },
            },
            -32602,
            "returnImmediately' must be true or false",
        ),
        (rpc("CreateTaskPushNotificationConfig", {}), -32003, "push notifications"),
        (rpc("SubscribeToTask", {"id": "x"}), -32001, "no task 'x'"),
        (rpc("SubscribeToTask", {}), -32602, "'params.id'"),
        (rpc("GetExtendedAgentCard", {}), -32007, "no extended agent card"),
    ],
)
async def test_bad_requests_get_the_json_rpc_error_with_the_protocol_code(
    app: Starlette, client: AppClient, body: Any, code: int, says: str
) -> None:
    model = app.state.served.agents.get("adder").model
    error = await error_of(client(app), body)
    assert error["code"] == code and says in error["message"], error
    expected_id = body.get("id") if isinstance(body, dict) and body.get("id") is not True else None
    assert error["id"] == expected_id
    assert error["data"][0]["domain"] == "a2a-protocol.org"
    assert model.requests == []  # nothing ran


async def test_a_body_that_is_not_json_is_a_parse_error_and_another_type_a_415(
    app: Starlette, client: AppClient
) -> None:
    http = client(app)
    broken = await http.post(
        URL, content=b"{not json", headers={"content-type": "application/json"}
    )
    assert broken.status_code == 200 and broken.json()["error"]["code"] == -32700
    form = await http.post(URL, content=b"a=1", headers={"content-type": "text/plain"})
    assert form.status_code == 415 and form.json()["error"]["code"] == -32600


async def test_a_declared_version_other_than_1_is_refused(
    app: Starlette, client: AppClient
) -> None:
    http = client(app)
    error = await error_of(http, rpc("GetTask", {"id": "x"}), headers={"A2A-Version": "0.3"})
    assert error["code"] == -32009 and "A2A-Version: 1.0" in error["message"]
    ok = await error_of(http, rpc("GetTask", {"id": "x"}), headers={"A2A-Version": "1.0"})
    assert ok["code"] == -32001


async def test_an_unknown_agent_is_a_404(app: Starlette, client: AppClient) -> None:
    http = client(app)
    for response in (
        await http.post("/a2a/nobody", json=rpc("GetTask", {"id": "x"})),
        await http.get("/a2a/nobody/.well-known/agent-card.json"),
    ):
        assert response.status_code == 404 and "adder" in response.json()["error"]["message"]


async def test_a_message_to_a_finished_task_is_refused_and_the_context_goes_on(
    app: Starlette, client: AppClient
) -> None:
    http = client(app)
    done = task_of(await http.post(URL, json=send({"text": "add 7 and 35"})))
    error = await error_of(http, send({"text": "again"}, taskId=done.id))
    assert error["code"] == -32004 and done.context_id in error["message"]


async def test_a_failed_run_is_a_failed_task_saying_why(client: AppClient) -> None:
    failing = Agent(ScriptedModel([ModelError("the model is overloaded")]))
    app = create_app({"adder": failing})
    task = task_of(await client(app).post(URL, json=send({"text": "hi"})))
    assert task.status.state == TaskState.TASK_STATE_FAILED
    assert task.status.message.parts[0].text == (
        "the run failed: ModelError: the model is overloaded"
    )


async def test_an_unexpected_error_is_named_by_its_type_only(client: AppClient) -> None:
    def leaky(messages: list[Message], tools: list[ToolSpec]) -> str:
        raise RuntimeError("password=hunter2")

    app = create_app({"adder": Agent(FunctionModel(leaky))})
    http = client(app)
    stream = await http.post(URL, json={**send({"text": "hi"}), "method": "SendStreamingMessage"})
    frames = [f.removeprefix("data: ") for f in stream.text.split("\n\n") if f]
    last = parse_lenient(json.loads(frames[-1])["result"], StreamResponse())
    assert last.status_update.status.state == TaskState.TASK_STATE_FAILED
    assert last.status_update.status.message.parts[0].text == (
        "the run failed: internal error (RuntimeError)"
    )
    assert "hunter2" not in stream.text


ran: list[str] = []


@tool(requires_approval=True)
def delete_file(path: str) -> str:
    """Delete a file."""
    ran.append(path)
    return f"deleted {path}"


def deleter(messages: list[Message], tools: list[ToolSpec]) -> Any:
    if messages[-1].role == "tool":
        return f"Result: {messages[-1].content}"
    return ToolCall(id="call-9", name="delete_file", arguments={"path": "/tmp/x"})


async def test_a_run_paused_for_approval_is_input_required_and_resumes_over_http(
    client: AppClient,
) -> None:
    app = create_app({"ops": Agent(FunctionModel(deleter), tools=[delete_file])})
    http = client(app)
    body = send({"text": "delete /tmp/x"}, contextId="ctx-ops")
    task = task_of(await http.post("/a2a/ops", json=body))
    assert task.status.state == TaskState.TASK_STATE_INPUT_REQUIRED
    text, data = task.status.message.parts
    assert "delete_file" in text.text
    shown = MessageToDict(data)["data"]
    assert shown["pending"] == [
        {"id": "call-9", "tool": "delete_file", "arguments": {"path": "/tmp/x"}}
    ]
    path = shown["approvalsPath"]
    assert path == f"/v1/agents/ops/runs/{shown['runId']}/approvals"
    follow_up = await error_of(http, send({"text": "yes"}, taskId=task.id), "/a2a/ops")
    assert follow_up["code"] == -32602 and '{"approvals":' in follow_up["message"]
    not_running = await error_of(http, rpc("CancelTask", {"id": task.id}), "/a2a/ops")
    assert not_running["code"] == -32002
    resumed = await http.post(path, json={"approvals": {"call-9": {"approved": True}}})
    assert resumed.status_code == 200 and "Result: deleted /tmp/x" in resumed.text


async def test_data_parts_are_read_as_json_text_and_image_files_as_images(
    client: AppClient,
) -> None:
    model = ScriptedModel(["Seen."])
    app = create_app({"adder": Agent(model)})
    png = base64.b64encode(b"\x89PNG fake").decode()
    body = send(
        {"text": "Look:"},
        {"data": {"order": 7, "items": ["pen"]}},
        {"raw": png, "mediaType": "image/png", "filename": "a.png"},
    )
    task = task_of(await client(app).post(URL, json=body))
    assert task.status.state == TaskState.TASK_STATE_COMPLETED
    (prompt,) = [m for m in model.requests[0].messages if m.role == "user"]
    assert prompt.text == 'Look:\n{"order": 7, "items": ["pen"]}'
    assert [str(getattr(image, "url", image)) for image in prompt.images] == [
        f"data:image/png;base64,{png}"
    ]


class City(BaseModel):
    name: str
    population: int


async def test_typed_output_is_a_data_artifact(client: AppClient) -> None:
    model = ScriptedModel(['{"name": "London", "population": 9000000}'])
    app = create_app({"adder": Agent(model, output_type=City, output_mode="prompted")})
    task = task_of(await client(app).post(URL, json=send({"text": "the biggest city"})))
    (artifact,) = task.artifacts
    assert artifact.name == "output"
    assert MessageToDict(artifact.parts[0])["data"] == {"name": "London", "population": 9000000}


async def test_the_apps_limits_hold_on_the_a2a_routes(client: AppClient) -> None:
    app = create_app({"adder": adding_agent()}, max_body_bytes=200)
    http = client(app)
    big = await http.post(URL, json=send({"text": "x" * 500}))
    assert big.status_code == 413
    app.state.served.state.draining = True
    draining = await http.post(URL, json=send({"text": "hi"}))
    assert draining.status_code == 503 and "shutting down" in draining.json()["error"]["message"]
    assert app.state.served.state.runs_started == 0


async def test_past_its_limits_the_app_forgets_the_oldest_ended_tasks(client: AppClient) -> None:
    model = ScriptedModel(["one", "two", "three", "four"])
    app = create_app({"adder": Agent(model, thread_store=TwoMethodStore())})  # (no records)
    app.state.a2a_tasks = TaskTable(limit=2, max_bytes=10_000)
    http = client(app)
    first, second, third = [
        task_of(await http.post(URL, json=send({"text": f"#{n}"}))) for n in range(3)
    ]
    forgotten = await error_of(http, rpc("GetTask", {"id": first.id}))
    assert forgotten["code"] == -32001 and "forgotten" in forgotten["message"]
    for kept in (second, third):
        assert "result" in (await http.post(URL, json=rpc("GetTask", {"id": kept.id}))).json()
    big = task_of(await http.post(URL, json=send({"text": "x" * 9_990})))  # over max_bytes
    assert list(app.state.a2a_tasks.tasks) == [big.id]


async def test_a_task_the_app_forgot_is_still_found_in_its_contexts_records(
    client: AppClient,
) -> None:
    app = create_app({"adder": Agent(ScriptedModel(["one", "two", "three"]))})
    app.state.a2a_tasks = TaskTable(limit=1, max_bytes=10_000)
    http = client(app)
    first, _ = [task_of(await http.post(URL, json=send({"text": f"#{n}"}))) for n in range(2)]
    assert first.id not in app.state.a2a_tasks.tasks
    found = await http.post(URL, json=rpc("GetTask", {"id": first.id}))
    task = parse_lenient(found.json()["result"], Task())
    assert task.status.state == TaskState.TASK_STATE_COMPLETED
    assert task.artifacts[-1].parts[0].text == "one"


async def test_a_fault_of_the_server_is_an_internal_error_named_by_its_type(
    client: AppClient,
) -> None:
    app = create_app({"adder": adding_agent()})
    app.state.a2a_tasks = object()  # (not a task table: every task look-up breaks)
    error = await error_of(client(app), rpc("GetTask", {"id": "x"}))
    assert (error["code"], error["message"]) == (-32603, "internal error (AttributeError)")


def approve(task: Task, decision: dict[str, Any], **message: Any) -> dict[str, Any]:
    approvals = {"data": {"approvals": {"call-9": decision}}}
    return send(approvals, taskId=task.id, contextId=task.context_id, **message)


async def test_a_message_to_a_paused_task_with_approvals_resumes_it(client: AppClient) -> None:
    ran.clear()
    app = create_app({"ops": Agent(FunctionModel(deleter), tools=[delete_file])})
    http = client(app)
    task = task_of(await http.post("/a2a/ops", json=send({"text": "delete /tmp/x"})))
    wrong = await error_of(
        http,
        send({"data": {"approvals": {"call-1": {"approved": True}}}}, taskId=task.id),
        "/a2a/ops",
    )
    assert wrong["code"] == -32602 and "missing ['call-9']" in wrong["message"]
    assert ran == []
    stream = await http.post(
        "/a2a/ops", json={**approve(task, {"approved": True}), "method": "SendStreamingMessage"}
    )
    frames = [f.removeprefix("data: ") for f in stream.text.split("\n\n") if f]
    events = [parse_lenient(json.loads(f)["result"], StreamResponse()) for f in frames]
    assert events[0].task.id == task.id and len(events[0].task.history) == 2  # + the approval
    assert events[-1].status_update.status.state == TaskState.TASK_STATE_COMPLETED
    assert ran == ["/tmp/x"]
    done = await http.post("/a2a/ops", json=rpc("GetTask", {"id": task.id}))
    final = parse_lenient(done.json()["result"], Task())
    assert final.artifacts[-1].parts[0].text == "Result: deleted /tmp/x"
    assert [m.role for m in final.history] == [1, 1, 2]  # user, the approval, the answer
    again = await error_of(http, approve(task, {"approved": True}), "/a2a/ops")
    assert again["code"] == -32004 and "completed" in again["message"]
    assert ran == ["/tmp/x"]  # the call ran once


async def test_a_denial_over_a2a_resumes_the_run_without_the_call(client: AppClient) -> None:
    ran.clear()
    app = create_app({"ops": Agent(FunctionModel(deleter), tools=[delete_file])})
    http = client(app)
    task = task_of(await http.post("/a2a/ops", json=send({"text": "delete /tmp/x"})))
    denied = {"approved": False, "reason": "not that file"}
    resumed = task_of(await http.post("/a2a/ops", json=approve(task, denied, messageId="m2")))
    assert resumed.id == task.id
    assert resumed.status.state == TaskState.TASK_STATE_COMPLETED
    assert "not that file" in resumed.artifacts[-1].parts[0].text
    assert ran == []
