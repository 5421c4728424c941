"""A2A over real HTTP: ``create_app`` on uvicorn and ``locus serve``, agents on the
emulator, every call made by the official ``a2a-sdk`` client (card resolution,
JSON-RPC, SSE)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from a2a.client import A2AClientError, Client, ClientConfig, create_client
from a2a.types import (
    CancelTaskRequest,
    GetExtendedAgentCardRequest,
    Message,
    Part,
    Role,
    SendMessageRequest,
    StreamResponse,
    TaskState,
)
from google.protobuf.json_format import MessageToDict
from starlette.applications import Starlette

from locus.agent import Agent
from locus.emulator import Emulator
from locus.serve import create_app
from tests.integration.serve.conftest import ServerThread, locus_serve, serve_env, wait_until
from tests.integration.serve.emulator_agent import adder, model, operator

Serve = Callable[[Starlette], ServerThread]
TOKEN = "a2a-integration-token-42"
ADD = "Use the add_two_numbers tool to add 7 and 35."
COUNT = "Count from 1 to 5, separated by commas."


def ask(text: str, context_id: str = "") -> SendMessageRequest:
    message = Message(message_id="m-1", role=Role.ROLE_USER, parts=[Part(text=text)])
    if context_id:
        message.context_id = context_id
    return SendMessageRequest(message=message)


@contextlib.asynccontextmanager
async def client_of(
    url: str, *, token: str | None = TOKEN, streaming: bool = True
) -> AsyncIterator[Client]:
    """The SDK's client of the agent at ``url`` (its card resolved there), sending ``token``."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(headers=headers, timeout=60) as http:
        config = ClientConfig(httpx_client=http, streaming=streaming)
        yield await create_client(url, config, resolver_http_kwargs={"headers": headers})


async def collect(stream: AsyncIterator[StreamResponse]) -> list[StreamResponse]:
    return [event async for event in stream]


def text_of(events: list[StreamResponse]) -> str:
    chunks = [e.artifact_update.artifact for e in events if e.HasField("artifact_update")]
    return "".join(part.text for artifact in chunks for part in artifact.parts)


def test_the_sdk_client_gets_the_answer_of_a_tool_using_agent_whole_and_streamed(
    emu: Emulator, serve: Serve
) -> None:
    server = serve(create_app({"adder": adder(emu.info)}, token=TOKEN))

    async def talk() -> tuple[list[StreamResponse], list[StreamResponse]]:
        async with client_of(f"{server.url}/a2a/adder", streaming=False) as whole:
            answer = await collect(whole.send_message(ask(ADD)))
        async with client_of(f"{server.url}/a2a/adder") as streamed:
            return answer, await collect(streamed.send_message(ask(ADD)))

    (answer,), events = asyncio.run(talk())
    task = answer.task
    assert task.status.state == TaskState.TASK_STATE_COMPLETED
    assert "42" in task.artifacts[-1].parts[0].text  # the emulator states the tool's result
    assert task.history[-1].role == Role.ROLE_AGENT and "42" in task.history[-1].parts[0].text

    kinds = [e.WhichOneof("payload") for e in events]
    assert kinds[0] == "task" and kinds[-1] == "status_update"
    assert events[-1].status_update.status.state == TaskState.TASK_STATE_COMPLETED
    calls = [
        MessageToDict(e.status_update.status.message)["parts"][0]["data"]
        for e in events[1:-1]
        if e.HasField("status_update") and e.status_update.status.HasField("message")
    ]
    assert calls[0]["toolCall"]["name"] == "add_two_numbers"
    assert calls[0]["toolCall"]["arguments"] == {"a": 7, "b": 35}
    assert calls[1]["toolResult"]["content"] == "42"
    assert kinds.index("artifact_update") > 3  # the answer streams after the tool's result
    assert "42" in text_of(events)
    # the server lets go of its stream just after sending the last bytes the client read
    state = server.state
    assert wait_until(lambda: state.active_runs == 0 and state.active_streams == 0), state


def test_a_context_id_continues_the_conversation(emu: Emulator, serve: Serve) -> None:
    server = serve(create_app({"adder": adder(emu.info)}, token=TOKEN))

    async def talk() -> list[Any]:
        async with client_of(f"{server.url}/a2a/adder", streaming=False) as client:
            first = await collect(client.send_message(ask(ADD, context_id="a2a-conv")))
            second = await collect(client.send_message(ask("Thanks!", context_id="a2a-conv")))
        return [first[0].task, second[0].task]

    first, second = asyncio.run(talk())
    assert first.context_id == second.context_id == "a2a-conv"
    headers = {"Authorization": f"Bearer {TOKEN}"}
    thread = httpx.get(f"{server.url}/v1/threads/a2a-conv", headers=headers).json()
    users = [m["content"] for m in thread["messages"] if m["role"] == "user"]
    assert users == [ADD, "Thanks!"]  # the second run had the first as its history
    assert any(m["role"] == "tool" and m["content"] == "42" for m in thread["messages"])


def test_a_paused_task_is_input_required_and_an_approval_message_resumes_it(
    emu: Emulator, serve: Serve
) -> None:
    server = serve(create_app({"ops": operator(emu.info)}, token=TOKEN))

    async def talk() -> tuple[Any, list[StreamResponse]]:
        async with client_of(f"{server.url}/a2a/ops", streaming=False) as client:
            (paused,) = await collect(
                client.send_message(ask("Use the delete_file tool to delete alpha"))
            )
            task = paused.task
            pending = MessageToDict(task.status.message)["parts"][1]["data"]["pending"]
            approval = Part()
            approval.data.struct_value.update(
                {"approvals": {p["id"]: {"approved": True} for p in pending}}
            )
            message = Message(
                message_id="m-2",
                role=Role.ROLE_USER,
                task_id=task.id,
                context_id=task.context_id,
                parts=[approval],
            )
        async with client_of(f"{server.url}/a2a/ops") as streamed:
            resumed = await collect(streamed.send_message(SendMessageRequest(message=message)))
        return task, resumed

    paused, resumed = asyncio.run(talk())
    assert paused.status.state == TaskState.TASK_STATE_INPUT_REQUIRED
    assert "delete_file" in paused.status.message.parts[0].text
    assert resumed[0].task.id == paused.id
    assert resumed[-1].status_update.status.state == TaskState.TASK_STATE_COMPLETED
    assert "deleted alpha" in text_of(resumed)


def test_cancel_task_ends_a_long_streamed_run(emu: Emulator, serve: Serve) -> None:
    server = serve(create_app({"slow": Agent(model(emu.info))}, token=TOKEN))
    emu.set_latency(latency=0.0, chunk_delay=2.0)  # an answer of many seconds

    async def cancel_mid_run() -> tuple[list[StreamResponse], Any]:
        events: list[StreamResponse] = []
        canceled = None
        async with client_of(f"{server.url}/a2a/slow") as client:
            async for event in client.send_message(ask(COUNT)):
                events.append(event)
                if event.HasField("artifact_update") and canceled is None:  # it has begun
                    request = CancelTaskRequest(id=events[0].task.id)
                    canceled = await client.cancel_task(request)
        return events, canceled

    events, canceled = asyncio.run(cancel_mid_run())
    assert canceled.status.state == TaskState.TASK_STATE_CANCELED
    assert events[-1].status_update.status.state == TaskState.TASK_STATE_CANCELED
    assert wait_until(lambda: server.state.active_runs == 0)
    assert server.state.runs_cancelled == 1


def test_a_client_that_goes_away_mid_stream_cancels_its_run(emu: Emulator, serve: Serve) -> None:
    server = serve(create_app({"slow": Agent(model(emu.info))}, token=TOKEN))
    emu.set_latency(latency=0.0, chunk_delay=2.0)

    async def leave() -> None:
        async with client_of(f"{server.url}/a2a/slow") as client:
            stream = client.send_message(ask(COUNT))
            async for event in stream:
                if event.HasField("artifact_update"):
                    break
            await stream.aclose()  # type: ignore[attr-defined]  # (the connection goes)

    asyncio.run(leave())
    assert wait_until(lambda: server.state.runs_cancelled == 1)
    assert wait_until(lambda: server.state.active_runs == server.state.active_streams == 0)
    (task,) = server.app.state.a2a_tasks.tasks.values()
    assert task.state == "TASK_STATE_CANCELED"


def test_locus_serve_serves_the_card_at_the_well_known_path_behind_its_token(
    emulator_json: Path,
) -> None:
    env = serve_env(emulator_json, LOCUS_SERVE_TOKEN=TOKEN)
    with locus_serve(["tests.integration.serve.emulator_agent:agent"], env) as served:

        async def talk() -> tuple[Any, list[StreamResponse]]:
            async with client_of(served.url) as client:  # the well-known path at the root
                # (no extended card: the card the client resolved)
                card = await client.get_extended_agent_card(GetExtendedAgentCardRequest())
                return card, await collect(client.send_message(ask(ADD)))

        async def without_token() -> None:
            async with client_of(served.url, token=None):
                pass

        card, events = asyncio.run(talk())
        assert card.supported_interfaces[0].url == f"{served.url}/a2a/{card.name}"
        assert list(card.security_schemes) == ["bearer"]
        assert events[-1].status_update.status.state == TaskState.TASK_STATE_COMPLETED
        assert "42" in text_of(events)
        with pytest.raises(A2AClientError, match="401"):
            asyncio.run(without_token())
