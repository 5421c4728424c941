"""A2A task records in the agent's thread store (``_a2a_records``): written twice a run,
never per streamed event; kept with their context, bounded; and ``ListTasks`` over them."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from a2a.types import ListTasksResponse, TaskState
from a2a.utils.proto_utils import parse_lenient

from locus.agent import Agent
from locus.core.errors import ThreadConflictError
from locus.core.messages import Message
from locus.serve import _a2a_records as a2a_records
from locus.serve import create_app
from locus.serve._a2a_records import MAX_PER_CONTEXT, RECORDS_KEY, context_of, new_task_id
from locus.stores import InMemoryThreadStore
from locus.testing import FunctionModel, ScriptedModel
from tests.deadlines import wait_until
from tests.unit.serve.conftest import AppClient
from tests.unit.serve.test_a2a_errors import error_of, rpc, send, task_of

URL = "/a2a/talker"


class CountingStore(InMemoryThreadStore):
    """The in-memory store, counting the calls each method gets."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: dict[str, int] = {}

    def _count(self, name: str) -> None:
        self.calls[name] = self.calls.get(name, 0) + 1

    async def load(self, thread_id: str) -> list[Message]:
        self._count("load")
        return await super().load(thread_id)

    async def append(self, thread_id: str, messages: Sequence[Message]) -> None:
        self._count("append")
        await super().append(thread_id, messages)

    async def get_metadata(self, thread_id: str) -> dict[str, Any]:
        self._count("get_metadata")
        return await super().get_metadata(thread_id)

    async def set_metadata(self, thread_id: str, metadata: Mapping[str, Any]) -> None:
        self._count("set_metadata")
        await super().set_metadata(thread_id, metadata)

    def lock(self, thread_id: str, *, timeout: float | None = None) -> Any:
        self._count("lock")
        return super().lock(thread_id, timeout=timeout)


def streamed(text: str, context_id: str) -> dict[str, Any]:
    body = send({"text": text}, contextId=context_id)
    return {**body, "method": "SendStreamingMessage"}


def frames(response: httpx.Response) -> list[dict[str, Any]]:
    return [
        json.loads(f.removeprefix("data: "))["result"] for f in response.text.split("\n\n") if f
    ]


async def test_a_streamed_task_costs_the_store_the_same_calls_however_many_events_it_streams(
    client: AppClient,
) -> None:
    calls = []
    for answer in ("Hi.", "word " * 400):  # one chunk, then 500 chunks (4 characters each)
        store = CountingStore()
        app = create_app({"talker": Agent(ScriptedModel([answer]), thread_store=store)})
        response = await client(app).post(URL, json=streamed("hello", "ctx"))
        events = frames(response)
        assert events[-1]["statusUpdate"]["status"]["state"] == "TASK_STATE_COMPLETED"
        calls.append((len(events), store.calls))
    (few, small), (many, large) = calls
    assert many > few + 400
    assert small == large  # (the records' two writes, and the run's own calls)
    assert small["set_metadata"] == 2


async def test_records_are_kept_with_their_context_bounded_to_the_latest(
    client: AppClient,
) -> None:
    store = InMemoryThreadStore()
    answers = [f"answer {n}" for n in range(MAX_PER_CONTEXT + 3)]
    app = create_app({"talker": Agent(ScriptedModel(answers), thread_store=store)})
    http = client(app)
    made = [
        task_of(await http.post(URL, json=send({"text": f"#{n}"}, contextId="ctx"))).id
        for n in range(len(answers))
    ]
    assert all(context_of(task_id) == "ctx" for task_id in made)
    kept = (await store.get_metadata("ctx"))[RECORDS_KEY]
    assert [r["id"] for r in kept] == made[-MAX_PER_CONTEXT:]
    assert kept[-1]["status"]["state"] == "TASK_STATE_COMPLETED"
    assert kept[-1]["artifacts"][0]["parts"] == [{"text": f"answer {len(answers) - 1}"}]


def test_a_task_id_names_its_context_and_others_name_none() -> None:
    for context_id in ("c1", "a2a-0f", "ctx with spaces/and.dots", "ünïcode"):
        assert context_of(new_task_id(context_id)) == context_id
    for other in ("", "0123abcd", "task..x", "task.!!.x", "task.YQ", "run.t.a.YQ.x"):
        assert context_of(other) is None


async def test_list_tasks_pages_a_context_filtered_by_state(client: AppClient) -> None:
    app = create_app({"talker": Agent(ScriptedModel(["one", "two", "three"]))})
    http = client(app)
    made = [
        task_of(await http.post(URL, json=send({"text": f"#{n}"}, contextId="ctx"))).id
        for n in range(3)
    ]
    await http.post(URL, json=send({"text": "elsewhere"}, contextId="other"))
    first = await http.post(URL, json=rpc("ListTasks", {"contextId": "ctx", "pageSize": 2}))
    page: ListTasksResponse = parse_lenient(first.json()["result"], ListTasksResponse())
    assert [t.id for t in page.tasks] == made[:0:-1] and page.total_size == 3
    params = {"contextId": "ctx", "pageSize": 2, "pageToken": page.next_page_token}
    second = await http.post(URL, json=rpc("ListTasks", params))
    rest: ListTasksResponse = parse_lenient(second.json()["result"], ListTasksResponse())
    assert [t.id for t in rest.tasks] == made[:1] and rest.next_page_token == ""
    params = {"contextId": "ctx", "status": "TASK_STATE_FAILED"}
    none = await http.post(URL, json=rpc("ListTasks", params))
    assert none.json()["result"]["tasks"] == [] and none.json()["result"]["totalSize"] == 0
    params = {"contextId": "ctx", "status": "TASK_STATE_COMPLETED", "historyLength": 0}
    done = (await http.post(URL, json=rpc("ListTasks", params))).json()["result"]
    assert len(done["tasks"]) == 3 and all(t["history"] == [] for t in done["tasks"])
    assert all("artifacts" not in t for t in done["tasks"])
    states = {t["status"]["state"] for t in done["tasks"]}
    assert states == {TaskState.Name(TaskState.TASK_STATE_COMPLETED)}


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({}, "needs 'contextId'"),
        ({"contextId": "ctx", "pageSize": 0}, "'pageSize'"),
        ({"contextId": "ctx", "pageSize": 101}, "'pageSize'"),
        ({"contextId": "ctx", "pageToken": "not-a-token"}, "'pageToken'"),
        ({"contextId": "ctx", "status": "DONE"}, "'status'"),
        ({"contextId": "ctx", "statusTimestampAfter": "yesterday"}, "RFC 3339"),
        ({"contextId": "ctx", "historyLength": -1}, "'historyLength'"),
    ],
)
async def test_list_tasks_refuses_bad_params_saying_which(
    client: AppClient, params: dict[str, Any], says: str
) -> None:
    app = create_app({"talker": Agent(ScriptedModel([]))})
    error = await error_of(client(app), rpc("ListTasks", params), URL)
    assert error["code"] == -32602 and says in error["message"]


async def test_a_record_keeps_only_as_much_history_as_fits(client: AppClient) -> None:
    store = InMemoryThreadStore()
    app = create_app({"talker": Agent(ScriptedModel(["short answer"]), thread_store=store)})
    big = "x" * 70_000  # (over MAX_HISTORY_BYTES)
    task = task_of(await client(app).post(URL, json=send({"text": big}, contextId="ctx")))
    assert len(task.history) == 2  # (this process remembers it whole)
    (kept,) = (await store.get_metadata("ctx"))[RECORDS_KEY]
    assert [m["role"] for m in kept["history"]] == ["ROLE_AGENT"]
    assert kept["bytes"] < 10_000 and kept["status"]["state"] == "TASK_STATE_COMPLETED"


class HeldStore(InMemoryThreadStore):
    """The in-memory store whose context lock, once ``hold()`` is called, is held by
    "another run" until ``release()``: a write with a timeout gets ``ThreadConflictError``
    when it runs out, one without waits."""

    def __init__(self) -> None:
        super().__init__()
        self.held = False
        self.released = asyncio.Event()

    def lock(self, thread_id: str, *, timeout: float | None = None) -> Any:
        if not self.held:
            return super().lock(thread_id, timeout=timeout)
        return self._after_release(thread_id, timeout)

    @asynccontextmanager
    async def _after_release(self, thread_id: str, timeout: float | None) -> AsyncIterator[None]:
        try:
            async with asyncio.timeout(timeout):
                await self.released.wait()
        except TimeoutError:
            raise ThreadConflictError(f"thread {thread_id!r} is locked by another run") from None
        async with super().lock(thread_id):
            yield


async def test_a_record_left_to_write_in_the_background_is_written_before_the_app_stops(
    client: AppClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When another run of the context holds its lock as a task ends, the task's last
    record is written in the background (the answer does not wait); a stopping server
    waits for it, or every other process would see the task running for ever."""
    monkeypatch.setattr(a2a_records, "END_WAIT", 0.05)
    store = HeldStore()

    def answer(messages: list[Message], tools: list[Any]) -> str:
        store.held = True  # (the run holds its own lock now: the task's end finds it taken)
        return "done"

    app = create_app({"talker": Agent(FunctionModel(answer), thread_store=store)})
    served_state = app.state.served.state

    async def release_when_draining() -> None:
        await wait_until(lambda: served_state.draining, "the app drains")
        store.released.set()

    async with app.router.lifespan_context(app):
        task = task_of(await client(app).post(URL, json=send({"text": "hi"}, contextId="ctx")))
        assert task.status.state == TaskState.TASK_STATE_COMPLETED  # (this process knows)
        kept = (await store.get_metadata("ctx"))[RECORDS_KEY]
        assert kept[-1]["status"]["state"] == "TASK_STATE_WORKING"  # (the store not yet)
        releaser = asyncio.create_task(release_when_draining())
    # read as the app's stop returns (get_metadata does not give the loop a turn), before
    # the process would go away with a write still pending
    kept = (await store.get_metadata("ctx"))[RECORDS_KEY]
    await releaser
    assert kept[-1]["id"] == task.id
    assert kept[-1]["status"]["state"] == "TASK_STATE_COMPLETED"


async def test_a_record_that_cannot_be_written_does_not_hold_the_stop_past_its_timeout(
    client: AppClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(a2a_records, "END_WAIT", 0.05)
    store = HeldStore()

    def answer(messages: list[Message], tools: list[Any]) -> str:
        store.held = True
        return "done"

    app = create_app(
        {"talker": Agent(FunctionModel(answer), thread_store=store)}, shutdown_timeout=0.1
    )
    async with app.router.lifespan_context(app):
        await client(app).post(URL, json=send({"text": "hi"}, contextId="ctx"))
    assert "1 A2A task record(s) not written in time" in caplog.text
    store.released.set()  # (the other run lets go: the write ends, no task is left behind)
    await wait_until(lambda: not app.state.a2a_tasks.later, "the late record is written")
    kept = (await store.get_metadata("ctx"))[RECORDS_KEY]
    assert kept[-1]["status"]["state"] == "TASK_STATE_COMPLETED"
