"""``RemoteAgent``: cards, ``send`` and ``stream`` against real A2A servers, the
``a2a-sdk``'s and ``locus serve``'s, and each failure as its typed error."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from a2a.server.agent_execution import AgentExecutor, RequestContext
from a2a.server.context import ServerCallContext
from a2a.server.events import EventQueue
from a2a.server.request_handlers import DefaultRequestHandler
from a2a.server.tasks import InMemoryTaskStore, TaskUpdater
from a2a.types import (
    AgentInterface,
    Artifact,
    GetTaskRequest,
    Part,
    Task,
    TaskState,
    TaskStatus,
)
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from locus.a2a import (
    AgentCardError,
    InputRequiredError,
    RemoteAgent,
    RemoteRPCError,
    RemoteTaskError,
)
from locus.core.errors import (
    AuthenticationError,
    ConnectError,
    ModelTimeoutError,
    NotFoundError,
    StreamError,
)
from tests.fresh import modules_after
from tests.unit.a2a.conftest import TOKEN
from tests.unit.a2a.peers import ServerThread, sdk_app


async def test_the_card_is_read_from_the_well_known_path_under_a_base_url(town: str) -> None:
    card = await RemoteAgent(town).card()
    assert card.name == "Town weather"
    assert card.description == "Tells the weather of a town."
    assert card.url == f"{town}/rpc"
    assert card.protocol_version == "1.0"
    assert card.streaming is True
    assert [(s.id, s.description) for s in card.skills] == [("weather", "The weather of a town.")]


async def test_a_card_url_is_read_as_given_with_the_token(locus_peer: str) -> None:
    url = f"{locus_peer}/a2a/helper/.well-known/agent-card.json"
    card = await RemoteAgent(url, token=TOKEN).card()
    assert (card.name, card.description, card.url) == (
        "helper",
        "Helps.",
        f"{locus_peer}/a2a/helper",
    )
    assert [s.name for s in card.skills] == ["refund"]


@pytest.fixture(scope="module")
def grpc_only() -> Iterator[str]:
    interfaces = [
        AgentInterface(url="http://127.0.0.1:1", protocol_binding="GRPC", protocol_version="1.0")
    ]
    with ServerThread(lambda url: sdk_app(url, interfaces=interfaces)) as server:
        yield server.url


@pytest.fixture(scope="module")
def version_03() -> Iterator[str]:
    def make(url: str):  # type: ignore[no-untyped-def]
        interface = AgentInterface(
            url=f"{url}/rpc", protocol_binding="JSONRPC", protocol_version="0.3"
        )
        return sdk_app(url, interfaces=[interface])

    with ServerThread(make) as server:
        yield server.url


async def test_a_card_without_a_jsonrpc_interface_is_refused_saying_what_is_spoken(
    grpc_only: str,
) -> None:
    with pytest.raises(
        AgentCardError, match=r"offers GRPC 1\.0: this client speaks A2A 1\.x over JSON-RPC"
    ):
        await RemoteAgent(grpc_only).card()


async def test_a_card_of_another_protocol_version_is_refused(version_03: str) -> None:
    with pytest.raises(AgentCardError, match=r"offers JSONRPC 0\.3: this client speaks A2A 1\.x"):
        await RemoteAgent(version_03).send("hello")


@pytest.fixture(scope="module")
def not_a_card() -> Iterator[str]:
    """A server whose ``/card.json`` is JSON but no agent card, and whose
    ``/legacy.json`` is a card of A2A 0.3 (its interface as ``url``)."""

    async def page(request: Request) -> JSONResponse:
        return JSONResponse({"hello": "world"})

    async def legacy(request: Request) -> JSONResponse:
        card = {"name": "old", "url": "http://127.0.0.1:1/", "protocolVersion": "0.3.0"}
        return JSONResponse(card)

    routes = [Route("/card.json", page), Route("/legacy.json", legacy)]
    with ServerThread(lambda url: Starlette(routes=routes)) as server:
        yield f"{server.url}/card.json"


async def test_what_is_not_a_card_is_refused(locus_peer: str, not_a_card: str) -> None:
    with pytest.raises(AgentCardError, match="is not an A2A agent card"):
        await RemoteAgent(not_a_card).card()
    legacy = not_a_card.replace("card.json", "legacy.json")
    with pytest.raises(
        AgentCardError,
        match=r"is of A2A 0\.3\.0 \(no 'supportedInterfaces'\): this client speaks A2A 1\.x",
    ):
        await RemoteAgent(legacy).card()
    with pytest.raises(NotFoundError, match="HTTP 404: no agent named 'nobody'") as caught:
        await RemoteAgent(f"{locus_peer}/a2a/nobody", token=TOKEN).card()
    assert "pass the agent's base URL or its card's URL" in str(caught.value)
    with pytest.raises(AgentCardError, match="not an http"):
        RemoteAgent("ftp://example.com/agent")


async def test_send_returns_the_answer_of_a_completed_task(town: str) -> None:
    answer = await RemoteAgent(town).send("hello")
    assert answer.text == "echo: hello"
    assert answer.state == "TASK_STATE_COMPLETED"
    assert answer.task_id and answer.context_id


async def test_data_parts_and_plain_messages_are_answers_too(town: str) -> None:
    remote = RemoteAgent(town)
    data = await remote.send("data")
    assert (data.text, data.data) == ("", [{"temperature": 21}])
    hello = await remote.send("hi")
    assert (hello.text, hello.state, hello.task_id) == ("Hello from the town agent.", None, None)


async def test_a_context_id_goes_on_with_the_conversation(town: str, locus_peer: str) -> None:
    remote = RemoteAgent(town)
    first = await remote.send("count")
    again = await remote.send("count", context_id=first.context_id)
    assert (first.text, again.text) == ("message 1 of this context", "message 2 of this context")
    assert again.context_id == first.context_id

    helper = RemoteAgent(f"{locus_peer}/a2a/helper", token=TOKEN)
    one = await helper.send("My name is Ada.")
    two = await helper.send("What is my name?", context_id=one.context_id)
    other = await helper.send("What is my name?")
    assert two.text == "you said 2 things; last: What is my name?"
    assert other.text == "you said 1 things; last: What is my name?"


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("cancel", "ended canceled: the forecaster left"),
        ("fail", "ended failed: the weather service is down"),
        ("reject", "ended rejected: I only do weather"),
    ],
)
async def test_a_task_that_does_not_complete_raises_with_its_reason(
    town: str, text: str, said: str
) -> None:
    with pytest.raises(RemoteTaskError, match=said) as caught:
        await RemoteAgent(town).send(text)
    assert not isinstance(caught.value, InputRequiredError)
    state = said.split()[1].rstrip(":").upper()
    assert caught.value.answer.state == f"TASK_STATE_{state}"


async def test_a_locus_run_that_fails_is_a_failed_task(locus_peer: str) -> None:
    helper = RemoteAgent(f"{locus_peer}/a2a/helper", token=TOKEN)
    with pytest.raises(RemoteTaskError, match="ModelError: the model is down for maintenance"):
        await helper.send("fail")


async def test_input_required_raises_and_the_reply_to_the_task_completes_it(town: str) -> None:
    remote = RemoteAgent(town)
    with pytest.raises(
        InputRequiredError, match=r"needs input \(input-required\): Which city\?"
    ) as caught:
        await remote.send("weather")
    asked = caught.value.answer
    answer = await remote.send("Paris", task_id=asked.task_id, context_id=asked.context_id)
    assert answer.text == "Sunny in Paris."


async def test_auth_required_is_input_required_saying_authorization(town: str) -> None:
    with pytest.raises(
        InputRequiredError,
        match=r"needs authorization \(auth-required\): Sign in to the weather service",
    ) as caught:
        await RemoteAgent(town).send("login")
    assert caught.value.answer.state == "TASK_STATE_AUTH_REQUIRED"


async def test_a_locus_run_paused_for_approval_is_input_required(locus_peer: str) -> None:
    helper = RemoteAgent(f"{locus_peer}/a2a/helper", token=TOKEN)
    with pytest.raises(InputRequiredError, match=r"waiting for approval of refund") as caught:
        await helper.send("refund")
    pending = caught.value.answer.data[0]["pending"]
    assert [(p["id"], p["tool"]) for p in pending] == [("r1", "refund")]
    done = await helper.send(
        "approved",
        task_id=caught.value.answer.task_id,
        context_id=caught.value.answer.context_id,
        data={"approvals": {"r1": {"approved": True}}},
    )
    assert done.text == "Done: refunded E5"


async def test_a_json_rpc_error_is_typed_with_its_code(town: str, locus_peer: str) -> None:
    with pytest.raises(RemoteRPCError, match="JSON-RPC error -32001") as caught:
        await RemoteAgent(town).send("hello", task_id="no-such-task")
    assert caught.value.code == -32001
    helper = RemoteAgent(f"{locus_peer}/a2a/helper", token=TOKEN)
    with pytest.raises(RemoteRPCError, match="no task 'no-such-task'") as caught:
        await helper.send("hello", task_id="no-such-task")
    assert caught.value.code == -32001


async def test_401_without_the_token_says_to_pass_it(locus_peer: str) -> None:
    with pytest.raises(AuthenticationError, match="HTTP 401") as caught:
        await RemoteAgent(f"{locus_peer}/a2a/helper").card()
    assert "token=" in str(caught.value) and caught.value.status == 401
    # the card given, the call itself needs the token too; a wrong one is said refused
    remote = RemoteAgent(f"{locus_peer}/a2a/helper", token="wrong-token-1234")
    with pytest.raises(AuthenticationError, match="the token sent was refused") as caught:
        await remote.send("hello")
    assert "wrong-token-1234" not in str(caught.value)


async def test_the_token_is_never_logged_nor_shown(
    locus_peer: str, caplog: pytest.LogCaptureFixture
) -> None:
    remote = RemoteAgent(f"{locus_peer}/a2a/helper", token=TOKEN)
    with caplog.at_level(logging.DEBUG):
        await remote.send("hello")
        async for _ in remote.stream("hello"):
            pass
    assert caplog.records  # (httpx and httpcore log each request at DEBUG)
    assert TOKEN not in caplog.text
    assert TOKEN not in repr(remote) and TOKEN not in str(remote.card_sync())


async def test_an_unreachable_server_is_a_connect_error(closed_port: str) -> None:
    with pytest.raises(ConnectError, match=f"cannot reach the remote agent at {closed_port}"):
        await RemoteAgent(closed_port).send("hello")


async def test_stream_yields_the_text_as_it_comes_then_the_answer(
    town: str, locus_peer: str
) -> None:
    stream = RemoteAgent(town).stream("streamed")
    assert [text async for text in stream] == ["echo: ", "streamed"]
    assert stream.answer is not None and stream.answer.text == "echo: streamed"

    helper = RemoteAgent(f"{locus_peer}/a2a/helper", token=TOKEN)
    said = helper.stream("hello")
    assert "".join([text async for text in said]) == "you said 1 things; last: hello"
    assert said.answer is not None and said.answer.state == "TASK_STATE_COMPLETED"


async def test_a_streamed_task_that_fails_raises_at_the_end(town: str) -> None:
    with pytest.raises(RemoteTaskError, match="the weather service is down"):
        async for _ in RemoteAgent(town).stream("fail"):
            pass


class _Unfinished(AgentExecutor):
    """Leaves its task ``working`` and returns: the SDK then answers ``SendMessage`` with
    the task as it is, and ``GetTask`` finds it working from then on."""

    async def execute(self, context: RequestContext, event_queue: EventQueue) -> None:
        assert context.task_id is not None and context.context_id is not None
        status = TaskStatus(state=TaskState.TASK_STATE_SUBMITTED)
        await event_queue.enqueue_event(
            Task(id=context.task_id, context_id=context.context_id, status=status)
        )
        await TaskUpdater(event_queue, context.task_id, context.context_id).start_work()

    async def cancel(self, context: RequestContext, event_queue: EventQueue) -> None:
        raise NotImplementedError


async def test_a_task_still_working_is_polled_until_the_timeout_and_a_stream_says_it_ended() -> (
    None
):
    with ServerThread(lambda url: sdk_app(url, _Unfinished())) as server:
        remote = RemoteAgent(server.url, timeout=1)
        with pytest.raises(ModelTimeoutError, match=r"is still working after 1 s; pass a larger"):
            await remote.send("hello")
        with pytest.raises(StreamError, match=r"ended while its task was working"):
            async for _ in remote.stream("hello"):
                pass


class _FinishedOnSecondLook(DefaultRequestHandler):
    """A server whose task (left working by ``_Unfinished``) ends while the client polls:
    the second ``GetTask`` finds it completed, with its answer as an artifact."""

    looks = 0

    async def on_get_task(self, params: GetTaskRequest, context: ServerCallContext) -> Task | None:
        type(self).looks += 1
        if type(self).looks == 2:
            store = self.task_store
            assert isinstance(store, InMemoryTaskStore)
            task = await store.get(params.id, context)
            assert task is not None and task.status.state == TaskState.TASK_STATE_WORKING
            task.artifacts.append(Artifact(artifact_id="a1", parts=[Part(text="Done at last.")]))
            task.status.state = TaskState.TASK_STATE_COMPLETED
            await store.save(task, context)
        found: Task | None = await super().on_get_task(params, context)
        return found


async def test_a_task_answered_while_working_is_polled_until_it_ends() -> None:
    make = lambda url: sdk_app(url, _Unfinished(), handler_type=_FinishedOnSecondLook)  # noqa: E731
    with ServerThread(make) as server:
        answer = await RemoteAgent(server.url, timeout=10).send("hello")
    assert _FinishedOnSecondLook.looks == 2  # working at the first look, ended at the second
    assert answer.state == "TASK_STATE_COMPLETED" and answer.text == "Done at last."


async def test_a_streamed_plain_message_is_the_answer(town: str) -> None:
    stream = RemoteAgent(town).stream("hi")
    assert [text async for text in stream] == ["Hello from the town agent."]
    assert stream.answer is not None and stream.answer.state is None


def test_importing_locus_leaves_the_a2a_client_out_and_it_needs_no_sdk() -> None:
    assert modules_after("import locus, locus.agent", ("locus.a2a",)) == set()
    assert modules_after("import locus.a2a", ("a2a", "locus.serve")) == set()
