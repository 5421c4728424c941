"""``SubscribeToTask`` (``_a2a_subscribe``, ``_a2a_followers``): on the process running the
task, the task then every further event, for each subscriber from its start, none of them
stopping the run by leaving; on another process sharing the store, the task then its end
as its record says (failed when its process is gone); a paused task, its snapshot; an
ended one, the protocol's error (the ``a2a-sdk`` client raises it); an unknown one,
``-32001``."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from a2a.types import SubscribeToTaskRequest, TaskState
from a2a.utils.errors import UnsupportedOperationError

from locus.agent import Agent
from locus.agent._threads import thread_lock
from locus.serve import _a2a_subscribe, create_app
from locus.serve._a2a_orphans import STOPPED
from locus.serve._a2a_presence import presence_key
from locus.serve._a2a_tasks import TaskRecord, TaskTable
from locus.stores import InMemoryThreadStore
from locus.testing import FunctionModel
from tests.deadlines import wait_until, within
from tests.unit.serve.conftest import AppClient
from tests.unit.serve.test_a2a_background import at_once
from tests.unit.serve.test_a2a_errors import delete_file, deleter, rpc, send, task_of
from tests.unit.serve.test_a2a_orphans import URL, Gate, store, talker, working_record
from tests.unit.serve.test_a2a_routes import Connect, connect

__all__ = ["connect", "store"]  # (fixtures)


def results(response: httpx.Response) -> list[dict[str, Any]]:
    """The JSON-RPC envelopes an SSE answer carried."""
    assert response.headers["content-type"].startswith("text/event-stream"), response.text
    frames = [f.removeprefix("data: ") for f in response.text.split("\n\n") if f]
    return [json.loads(frame) for frame in frames]


def state_of(item: dict[str, Any]) -> str:
    found = item.get("task") or item.get("statusUpdate") or {}
    return str(found.get("status", {}).get("state"))


def running(app: Any) -> TaskRecord:
    table: TaskTable = app.state.a2a_tasks
    (record,) = [r for r in table.tasks.values() if r.driver is not None]
    return record


def subscribe(http: httpx.AsyncClient, task_id: str) -> asyncio.Task[httpx.Response]:
    return asyncio.create_task(http.post(URL, json=rpc("SubscribeToTask", {"id": task_id})))


async def test_each_subscriber_gets_the_task_then_every_later_event_to_its_end(
    store: Any, client: AppClient
) -> None:
    gate = Gate()
    app = talker(store, gate)
    http = client(app)
    body = {**send({"text": "go"}, contextId="ctx"), "method": "SendStreamingMessage"}
    streaming = asyncio.create_task(http.post(URL, json=body))
    await within(gate.entered.wait(), "the run reaches its tool")
    record = running(app)
    subscribers = [subscribe(http, record.id) for _ in range(3)]
    followers = record.followers
    assert followers is not None
    await wait_until(lambda: len(followers.queues) == 4, "the subscribers join")
    gate.opened.set()
    streamed = [e["result"] for e in results(await within(streaming, "the stream ends"))]
    for subscriber in subscribers:
        got = [e["result"] for e in results(await within(subscriber, "a subscription ends"))]
        assert state_of(got[0]) == "TASK_STATE_WORKING" and got[0]["task"]["id"] == record.id
        assert "toolCall" in json.dumps(got[0]["task"]["status"])  # (the task as it stood)
        assert got[1:] == streamed[-(len(got) - 1) :]  # every event after it joined
        assert "toolResult" in json.dumps(got[1]) and any("artifactUpdate" in e for e in got)
        assert state_of(got[-1]) == "TASK_STATE_COMPLETED"


async def test_a_subscriber_that_goes_away_does_not_stop_the_run(
    store: Any, client: AppClient
) -> None:
    gate = Gate()
    app = talker(store, gate)
    http = client(app)
    task = task_of(await http.post(URL, json=at_once()))
    await within(gate.entered.wait(), "the run reaches its tool")
    subscriber = subscribe(http, task.id)
    followers = running(app).followers
    assert followers is not None
    await wait_until(lambda: len(followers.queues) == 1, "the subscriber joins")
    subscriber.cancel()  # (the client goes away)
    await asyncio.wait((subscriber,))
    await wait_until(lambda: not followers.queues, "the subscriber leaves")
    assert running(app).id == task.id  # the run goes on
    gate.opened.set()
    await wait_until(lambda: app.state.a2a_tasks.tasks[task.id].driver is None, "the run ends")
    assert app.state.a2a_tasks.tasks[task.id].state == "TASK_STATE_COMPLETED"


async def test_subscribing_to_an_ended_task_is_the_protocols_error(
    store: Any, client: AppClient, connect: Connect
) -> None:
    gate = Gate()
    gate.opened.set()
    app = talker(store, gate)
    done = task_of(await client(app).post(URL, json=send({"text": "go"}, contextId="ctx")))
    sdk = await connect(app, "talker")
    with pytest.raises(UnsupportedOperationError) as refused:
        async for _ in sdk.subscribe(SubscribeToTaskRequest(id=done.id)):
            pass
    assert f"task {done.id!r} is in a terminal state (completed)" in str(refused.value)
    assert "GetTask" in str(refused.value)


async def test_subscribing_to_a_paused_task_is_its_snapshot(client: AppClient) -> None:
    app = create_app({"ops": Agent(FunctionModel(deleter), tools=[delete_file])})
    http = client(app)
    task = task_of(await http.post("/a2a/ops", json=send({"text": "delete /tmp/x"})))
    answer = await http.post("/a2a/ops", json=rpc("SubscribeToTask", {"id": task.id}))
    (only,) = [e["result"] for e in results(answer)]
    assert only["task"]["id"] == task.id and state_of(only) == "TASK_STATE_INPUT_REQUIRED"
    assert task.status.state == TaskState.TASK_STATE_INPUT_REQUIRED


class ReadCountingStore(InMemoryThreadStore):
    """The in-memory store, counting reads of thread metadata (so a test knows that a
    subscriber on another process has read the task's record)."""

    def __init__(self) -> None:
        super().__init__()
        self.reads = 0

    async def get_metadata(self, thread_id: str) -> dict[str, Any]:
        self.reads += 1
        return await super().get_metadata(thread_id)


@pytest.fixture
def quick_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_a2a_subscribe, "POLL_EVERY", 0.02)


async def test_a_subscriber_on_another_process_gets_the_task_then_its_end(
    client: AppClient, quick_polls: None
) -> None:
    store, gate = ReadCountingStore(), Gate()
    http, other = client(talker(store, gate)), client(talker(store, Gate()))
    task = task_of(await http.post(URL, json=at_once()))
    await within(gate.entered.wait(), "the run reaches its tool")
    before = store.reads
    subscriber = subscribe(other, task.id)
    await wait_until(lambda: store.reads >= before + 2, "the subscriber reads the record again")
    gate.opened.set()
    got = [e["result"] for e in results(await within(subscriber, "the subscription ends"))]
    assert state_of(got[0]) == "TASK_STATE_WORKING" and got[0]["task"]["id"] == task.id
    assert state_of(got[-1]) == "TASK_STATE_COMPLETED"
    (artifact,) = [e["artifactUpdate"] for e in got if "artifactUpdate" in e]
    assert "the gate is open" in artifact["artifact"]["parts"][0]["text"]


async def test_a_subscriber_on_another_process_sees_a_task_whose_process_died_fail(
    client: AppClient, quick_polls: None
) -> None:
    store = ReadCountingStore()
    lock = thread_lock(store, presence_key("owner-1"), None)
    await lock.__aenter__()  # (a process running the task: it holds its presence)
    task_id = await working_record(store, "owner-1")
    other = client(talker(store, Gate()))
    before = store.reads
    subscriber = subscribe(other, task_id)
    await wait_until(lambda: store.reads >= before + 2, "the subscriber reads the record again")
    await lock.__aexit__(None, None, None)  # (that process dies)
    got = [e["result"] for e in results(await within(subscriber, "the subscription ends"))]
    assert [state_of(e) for e in got] == ["TASK_STATE_WORKING", "TASK_STATE_FAILED"]
    assert got[-1]["statusUpdate"]["status"]["message"]["parts"][0]["text"] == STOPPED
