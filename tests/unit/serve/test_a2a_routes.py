"""A2A in process, checked with the official ``a2a-sdk`` client: the card, a message
sent whole and streamed, a conversation by ``contextId``, cancelling, auth."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from a2a.client import (
    A2ACardResolver,
    A2AClientError,
    AuthInterceptor,
    Client,
    ClientCallInterceptor,
    ClientConfig,
    ClientFactory,
    InMemoryContextCredentialStore,
)
from a2a.client.client import ClientCallContext
from a2a.client.errors import AgentCardResolutionError
from a2a.types import (
    CancelTaskRequest,
    GetTaskRequest,
    Message,
    Part,
    Role,
    SendMessageRequest,
    StreamResponse,
    TaskState,
)
from a2a.utils.errors import TaskNotCancelableError, TaskNotFoundError
from google.protobuf.json_format import MessageToDict
from starlette.applications import Starlette

from locus.agent import Agent
from locus.core.messages import Message as LocusMessage
from locus.core.toolspec import ToolSpec
from locus.serve import create_app
from locus.testing import FunctionModel, ScriptedModel
from tests.unit.serve.conftest import adding_agent

BASE = "http://127.0.0.1:8000"
TOKEN = "a2a-test-token-0123"
Connect = Callable[..., Any]


@pytest.fixture
async def connect() -> AsyncIterator[Connect]:
    """``await connect(app, agent="adder", streaming=True, token=None)``: an ``a2a-sdk``
    client of the agent's card, calling ``app`` in process."""
    opened: list[httpx.AsyncClient] = []

    async def make(
        app: Starlette, agent: str = "adder", *, streaming: bool = True, token: str | None = None
    ) -> Client:
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        http = httpx.AsyncClient(transport=transport, base_url=BASE)
        opened.append(http)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        card = await A2ACardResolver(http, f"{BASE}/a2a/{agent}").get_agent_card(
            http_kwargs={"headers": headers}
        )
        config = ClientConfig(httpx_client=http, streaming=streaming)
        interceptors: list[ClientCallInterceptor] = []
        if token:
            store = InMemoryContextCredentialStore()
            await store.set_credentials("s1", "bearer", token)
            interceptors.append(AuthInterceptor(store))
        return ClientFactory(config).create(card, interceptors=interceptors)

    yield make
    for http in opened:
        await http.aclose()


def user(text: str, context_id: str = "", message_id: str = "m1") -> SendMessageRequest:
    message = Message(message_id=message_id, role=Role.ROLE_USER, parts=[Part(text=text)])
    if context_id:
        message.context_id = context_id
    return SendMessageRequest(message=message)


async def events(client: Client, request: SendMessageRequest, **kw: Any) -> list[StreamResponse]:
    return [event async for event in client.send_message(request, **kw)]


def state_of(event: StreamResponse) -> int:
    kind = event.WhichOneof("payload")
    return event.task.status.state if kind == "task" else event.status_update.status.state


async def test_the_sdk_resolves_the_card_of_each_agent() -> None:
    app = create_app({"adder": adding_agent(), "echo": Agent(ScriptedModel(["hi"]))})
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as http:
        card = await A2ACardResolver(http, f"{BASE}/a2a/adder").get_agent_card()
        with pytest.raises(AgentCardResolutionError) as several:
            await A2ACardResolver(http, BASE).get_agent_card()  # the well-known path
        assert several.value.status_code == 404
        single = create_app(adding_agent())  # one agent: its card is at the well-known path
        single_http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=single, client=("127.0.0.1", 50000)), base_url=BASE
        )
        async with single_http:
            only = await A2ACardResolver(single_http, BASE).get_agent_card()
    assert card.name == "adder"
    (interface,) = card.supported_interfaces
    assert (interface.url, interface.protocol_binding) == (f"{BASE}/a2a/adder", "JSONRPC")
    assert interface.protocol_version == "1.0"
    assert card.capabilities.streaming is True
    assert [(s.id, s.description) for s in card.skills] == [
        ("add_two_numbers", "Return the sum of two integers.")
    ]
    assert "text/plain" in card.default_input_modes
    assert not card.security_requirements and not card.security_schemes
    name = only.name  # (an agent without a name of its own gets one from its model)
    assert name and only.supported_interfaces[0].url == f"{BASE}/a2a/{name}"


async def test_a_message_sent_whole_answers_with_the_completed_task(connect: Connect) -> None:
    agent = adding_agent()
    client = await connect(create_app({"adder": agent}), streaming=False)
    (event,) = await events(client, user("add 7 and 35"))
    task = event.task
    assert task.status.state == TaskState.TASK_STATE_COMPLETED
    assert [a.parts[0].text for a in task.artifacts] == ["The sum is 42."]
    assert [(m.role, m.parts[0].text) for m in task.history] == [
        (Role.ROLE_USER, "add 7 and 35"),
        (Role.ROLE_AGENT, "The sum is 42."),
    ]
    assert task.context_id and all(m.context_id == task.context_id for m in task.history)
    model = agent.model
    assert isinstance(model, FunctionModel)
    assert [m.content for m in model.requests[1].tool_results] == ["42"]  # ran on the server
    again = await client.get_task(GetTaskRequest(id=task.id))
    assert MessageToDict(again) == MessageToDict(task)
    short = await client.get_task(GetTaskRequest(id=task.id, history_length=1))
    assert [m.role for m in short.history] == [Role.ROLE_AGENT]


async def test_a_streamed_message_sends_the_task_then_its_updates_in_order(
    connect: Connect,
) -> None:
    client = await connect(create_app({"adder": adding_agent()}))
    stream = await events(client, user("add 7 and 35"))
    kinds = [event.WhichOneof("payload") for event in stream]
    chunks = [e.artifact_update for e in stream if e.HasField("artifact_update")]
    assert kinds == [
        "task",
        "status_update",
        "status_update",
        "status_update",
        *["artifact_update"] * len(chunks),
        "status_update",
    ]
    assert [state_of(e) for e in stream if not e.HasField("artifact_update")] == [
        TaskState.TASK_STATE_SUBMITTED,
        TaskState.TASK_STATE_WORKING,
        TaskState.TASK_STATE_WORKING,
        TaskState.TASK_STATE_WORKING,
        TaskState.TASK_STATE_COMPLETED,
    ]
    call, result = (MessageToDict(e.status_update.status.message) for e in stream[2:4])
    assert call["parts"][0]["data"] == {
        "toolCall": {"id": "call-1", "name": "add_two_numbers", "arguments": {"a": 7, "b": 35}}
    }
    assert result["parts"][0]["data"]["toolResult"]["content"] == "42"
    assert len(chunks) > 1 and "".join(c.artifact.parts[0].text for c in chunks) == (
        "The sum is 42."
    )
    assert [c.append for c in chunks] == [False] + [True] * (len(chunks) - 1)
    assert [c.last_chunk for c in chunks] == [False] * (len(chunks) - 1) + [True]
    assert len({c.artifact.artifact_id for c in chunks}) == 1
    task_id = stream[0].task.id
    assert {e.status_update.task_id for e in stream[1:] if e.HasField("status_update")} == {task_id}
    task = await client.get_task(GetTaskRequest(id=task_id))
    assert task.status.state == TaskState.TASK_STATE_COMPLETED
    assert [a.parts[0].text for a in task.artifacts] == ["The sum is 42."]


async def test_a_context_id_continues_the_conversation_on_the_agent_thread(
    connect: Connect,
) -> None:
    model = ScriptedModel(["Noted.", "Blue."])
    app = create_app({"a": Agent(model)})
    client = await connect(app, "a", streaming=False)
    (first,) = await events(client, user("My colour is blue.", context_id="ctx-1"))
    (second,) = await events(client, user("What is my colour?", "ctx-1", message_id="m2"))
    assert second.task.context_id == "ctx-1" and second.task.id != first.task.id
    assert [m.text for m in model.requests[1].messages] == [
        "My colour is blue.",
        "Noted.",
        "What is my colour?",
    ]
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as http:
        thread = (await http.get("/v1/threads/ctx-1")).json()
    assert [m["content"] for m in thread["messages"]][-1] == "Blue."


def _blocking() -> tuple[Agent, asyncio.Event]:
    """An agent whose model call waits until it is cancelled, and the event it sets then."""
    started = asyncio.Event()

    async def slow(messages: list[LocusMessage], tools: list[ToolSpec]) -> str:
        started.set()
        await asyncio.Event().wait()
        return "never"

    return Agent(FunctionModel(slow)), started


async def test_cancel_task_cancels_a_streamed_run(connect: Connect) -> None:
    agent, started = _blocking()
    app = create_app({"slow": agent})
    client = await connect(app, "slow")
    stream = asyncio.ensure_future(events(client, user("take your time")))
    await asyncio.wait_for(started.wait(), 10)
    (task_id,) = app.state.a2a_tasks.tasks
    canceled = await client.cancel_task(CancelTaskRequest(id=task_id))
    assert canceled.status.state == TaskState.TASK_STATE_CANCELED
    seen = await asyncio.wait_for(stream, 10)
    assert [state_of(e) for e in seen] == [
        TaskState.TASK_STATE_SUBMITTED,
        TaskState.TASK_STATE_WORKING,
        TaskState.TASK_STATE_CANCELED,
    ]
    served = app.state.served.state
    assert (served.active_runs, served.runs_cancelled) == (0, 1)
    with pytest.raises(TaskNotCancelableError):
        await client.cancel_task(CancelTaskRequest(id=task_id))


async def test_cancel_task_cancels_a_run_whose_client_waits_for_the_whole_task(
    connect: Connect,
) -> None:
    agent, started = _blocking()
    app = create_app({"slow": agent})
    client = await connect(app, "slow", streaming=False)
    waiting = asyncio.ensure_future(events(client, user("take your time")))
    await asyncio.wait_for(started.wait(), 10)
    (task_id,) = app.state.a2a_tasks.tasks
    await client.cancel_task(CancelTaskRequest(id=task_id))
    (event,) = await asyncio.wait_for(waiting, 10)
    assert event.task.status.state == TaskState.TASK_STATE_CANCELED
    assert "canceled" in event.task.status.message.parts[0].text
    assert app.state.served.state.runs_cancelled == 1


async def test_unknown_tasks_are_not_found(connect: Connect) -> None:
    client = await connect(create_app({"adder": adding_agent()}))
    with pytest.raises(TaskNotFoundError):
        await client.get_task(GetTaskRequest(id="no-such-task"))
    with pytest.raises(TaskNotFoundError):
        await client.cancel_task(CancelTaskRequest(id="no-such-task"))


async def test_with_a_token_the_card_declares_it_and_calls_without_it_are_refused(
    connect: Connect,
) -> None:
    app = create_app({"adder": adding_agent()}, token=TOKEN)
    transport = httpx.ASGITransport(app=app, client=("10.0.0.9", 50000))
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as http:
        card_response = await http.get("/a2a/adder/.well-known/agent-card.json")
        rpc = await http.post("/a2a/adder", json={"jsonrpc": "2.0", "id": 1, "method": "GetTask"})
        wrong = await http.post(
            "/a2a/adder", json={}, headers={"Authorization": "Bearer wrong-token"}
        )
        card = await A2ACardResolver(http, f"{BASE}/a2a/adder").get_agent_card(
            http_kwargs={"headers": {"Authorization": f"Bearer {TOKEN}"}}
        )
    assert (card_response.status_code, rpc.status_code, wrong.status_code) == (401, 401, 401)
    assert list(card.security_schemes) == ["bearer"]
    assert card.security_schemes["bearer"].http_auth_security_scheme.scheme == "Bearer"
    assert [list(r.schemes) for r in card.security_requirements] == [["bearer"]]
    # the SDK's AuthInterceptor reads the card's scheme and sends the token
    client = await connect(app, token=TOKEN)
    context = ClientCallContext(state={"sessionId": "s1"})
    last = [e async for e in client.send_message(user("add 7 and 35"), context=context)][-1]
    assert last.status_update.status.state == TaskState.TASK_STATE_COMPLETED
    with pytest.raises(A2AClientError, match="401"):
        await events(client, user("add 7 and 35"))  # (no session: no token sent)


async def test_a_running_task_holds_its_clients_slot(connect: Connect) -> None:
    agent, started = _blocking()
    app = create_app({"slow": agent}, max_concurrent_per_client=1)
    client = await connect(app, "slow")
    stream = asyncio.ensure_future(events(client, user("take your time")))
    await asyncio.wait_for(started.wait(), 10)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as http:
        busy = await http.post("/a2a/slow", json={"jsonrpc": "2.0", "id": 1, "method": "GetTask"})
        other = httpx.ASGITransport(app=app, client=("127.0.0.2", 50000))
        async with httpx.AsyncClient(transport=other, base_url=BASE) as second:
            (task_id,) = app.state.a2a_tasks.tasks
            body = {"jsonrpc": "2.0", "id": 2, "method": "CancelTask", "params": {"id": task_id}}
            canceled = await second.post("/a2a/slow", json=body)
    assert busy.status_code == 429
    assert canceled.json()["result"]["status"]["state"] == "TASK_STATE_CANCELED"
    await asyncio.wait_for(stream, 10)
