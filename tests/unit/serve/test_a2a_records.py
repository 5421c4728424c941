"""A2A task records in the agent's thread store (``_a2a_records``): written twice a run,
never per streamed event; kept with their context, bounded; and ``ListTasks`` over them."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import httpx
import pytest
from a2a.types import ListTasksResponse, TaskState
from a2a.utils.proto_utils import parse_lenient

from locus.agent import Agent
from locus.core.messages import Message
from locus.serve import create_app
from locus.serve._a2a_records import MAX_PER_CONTEXT, RECORDS_KEY, context_of, new_task_id
from locus.stores import InMemoryThreadStore
from locus.testing import ScriptedModel
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
