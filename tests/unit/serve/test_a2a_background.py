"""``SendMessage`` with ``configuration.returnImmediately`` (``_a2a_send``,
``_a2a_background``): answered at once while the run goes on in the background, tied to no
request; recorded at its start and end like any task; canceled by ``CancelTask``; bounded
per process; finished (or canceled and recorded) when the app stops."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
from a2a.types import Task, TaskState
from a2a.utils.proto_utils import parse_lenient
from starlette.applications import Starlette

from locus.agent import Agent
from locus.serve import create_app
from locus.serve._a2a_background import STOPPING
from locus.serve._a2a_records import RECORDS_KEY
from locus.stores import InMemoryThreadStore
from locus.testing import FunctionModel
from tests.deadlines import wait_until, within
from tests.unit.serve.conftest import AppClient
from tests.unit.serve.test_a2a_errors import delete_file, deleter, rpc, send, task_of
from tests.unit.serve.test_a2a_orphans import URL, Gate, gated_model, get, store, talker

__all__ = ["store"]  # (the fixture of test_a2a_orphans: a memory and a SQLite store)

COMPLETED = TaskState.TASK_STATE_COMPLETED


def at_once(context_id: str = "ctx", **configuration: Any) -> dict[str, Any]:
    """A ``SendMessage`` asking to be answered at once."""
    body = send({"text": "go"}, contextId=context_id)
    body["params"]["configuration"] = {"returnImmediately": True, **configuration}
    return body


async def completed(http: httpx.AsyncClient, task_id: str) -> Task:
    async def check() -> Task | None:
        task = await get(http, task_id)
        return task if task.status.state == COMPLETED else None

    found = await wait_until(check, "GetTask says the task completed")
    assert found is not None
    return found


async def test_return_immediately_answers_while_the_run_goes_on_and_get_task_follows_it(
    store: Any, client: AppClient
) -> None:
    gate = Gate()
    app = talker(store, gate)
    http, other = client(app), client(talker(store, Gate()))  # (another process)
    answer = task_of(await http.post(URL, json=at_once(historyLength=1)))
    assert answer.status.state == TaskState.TASK_STATE_WORKING  # answered before the run ended
    assert not gate.opened.is_set() and len(answer.history) == 1
    await within(gate.entered.wait(), "the run goes on after the answer")
    assert (await get(other, answer.id)).status.state == TaskState.TASK_STATE_WORKING
    gate.opened.set()
    done = await completed(other, answer.id)  # its end is recorded for every process
    assert "the gate is open" in done.artifacts[-1].parts[0].text
    assert (await completed(http, answer.id)).artifacts == done.artifacts
    state = app.state.served.state
    await wait_until(lambda: state.active_runs == 0, "the run is no longer counted")


async def test_cancel_task_stops_a_task_answered_at_once(store: Any, client: AppClient) -> None:
    gate = Gate()
    http = client(talker(store, gate))
    answer = task_of(await http.post(URL, json=at_once()))
    await within(gate.entered.wait(), "the run reaches its tool")
    canceled = (await http.post(URL, json=rpc("CancelTask", {"id": answer.id}))).json()
    assert canceled["result"]["status"]["state"] == "TASK_STATE_CANCELED"
    assert (await get(http, answer.id)).status.state == TaskState.TASK_STATE_CANCELED
    records = (await store.get_metadata("ctx"))[RECORDS_KEY]
    assert [r["status"]["state"] for r in records] == ["TASK_STATE_CANCELED"]


async def test_a_request_that_goes_away_does_not_stop_a_task_answered_at_once(
    store: Any, client: AppClient
) -> None:
    gate = Gate()
    http = client(talker(store, gate))
    asking = asyncio.create_task(http.post(URL, json=at_once()))
    await within(gate.entered.wait(), "the run reaches its tool")
    asking.cancel()  # (its answer may or may not have been read: either way)
    await asyncio.wait((asking,))
    (record,) = (await store.get_metadata("ctx"))[RECORDS_KEY]
    gate.opened.set()
    assert "the gate is open" in (await completed(http, record["id"])).artifacts[-1].parts[0].text


async def test_past_its_limit_a_process_refuses_more_background_runs_saying_which(
    client: AppClient,
) -> None:
    gate = Gate()
    app = talker(InMemoryThreadStore(), gate)
    http = client(app)
    first = task_of(await http.post(URL, json=at_once("a")))
    app.state.a2a_tasks.background.limit = 1
    refused = (await http.post(URL, json=at_once("b"))).json()["error"]
    assert refused["code"] == -32603
    assert (
        "MAX_BACKGROUND_RUNS = 1" in refused["message"]
        and "returnImmediately" in refused["message"]
    )
    whole = asyncio.create_task(http.post(URL, json=send({"text": "go"}, contextId="c")))
    gate.opened.set()  # (a message answered when its run ends is not bounded by it)
    assert task_of(await within(whole, "the whole answer")).status.state == COMPLETED
    assert (await completed(http, first.id)).status.state == COMPLETED


def stopping_app(tmp_path: Path, gate: Gate, shutdown_timeout: float) -> Starlette:
    agent = Agent(
        FunctionModel(gated_model), tools=[gate.tool], thread_store=f"sqlite:///{tmp_path}/t.db"
    )
    return create_app({"talker": agent}, shutdown_timeout=shutdown_timeout)


async def test_a_stopping_app_lets_a_background_run_finish_within_its_timeout(
    tmp_path: Path, client: AppClient
) -> None:
    gate = Gate()
    app = stopping_app(tmp_path, gate, 30.0)
    lifespan = app.router.lifespan_context(app)
    await lifespan.__aenter__()
    answer = task_of(await client(app).post(URL, json=at_once()))
    await within(gate.entered.wait(), "the run reaches its tool")
    stopping = asyncio.create_task(lifespan.__aexit__(None, None, None))
    await wait_until(lambda: app.state.served.state.draining, "the app starts to stop")
    gate.opened.set()
    await within(stopping, "the app stops")
    store = app.state.served.agents.get("talker").thread_store
    (record,) = (await store.get_metadata("ctx"))[RECORDS_KEY]
    assert record["id"] == answer.id and record["status"]["state"] == "TASK_STATE_COMPLETED"


async def test_a_stopping_app_cancels_background_runs_left_after_its_timeout_and_records_them(
    tmp_path: Path, client: AppClient
) -> None:
    gate = Gate()
    app = stopping_app(tmp_path, gate, 0.2)
    store = app.state.served.agents.get("talker").thread_store
    async with app.router.lifespan_context(app):
        answer = task_of(await client(app).post(URL, json=at_once()))
        await within(gate.entered.wait(), "the run reaches its tool")
    (record,) = (await store.get_metadata("ctx"))[RECORDS_KEY]
    assert record["id"] == answer.id
    assert record["status"]["state"] == "TASK_STATE_CANCELED"
    assert STOPPING in record["status"]["message"]["parts"][0]["text"]


async def test_a_task_answered_at_once_that_pauses_for_approval_ends_input_required(
    client: AppClient,
) -> None:
    app = create_app({"ops": Agent(FunctionModel(deleter), tools=[delete_file])})
    http = client(app)
    body = send({"text": "delete /tmp/x"}, contextId="ctx-ops")
    body["params"]["configuration"] = {"returnImmediately": True}
    answer = task_of(await http.post("/a2a/ops", json=body))

    async def paused() -> Task | None:
        found = await http.post("/a2a/ops", json=rpc("GetTask", {"id": answer.id}))
        task = parse_lenient(found.json()["result"], Task())
        return task if task.status.state == TaskState.TASK_STATE_INPUT_REQUIRED else None

    assert await wait_until(paused, "the task pauses for approval")
    approval = send(
        {"data": {"approvals": {"call-9": {"approved": True}}}},
        contextId="ctx-ops",
        taskId=answer.id,
    )
    approval["params"]["configuration"] = {"returnImmediately": True}
    resumed = task_of(await http.post("/a2a/ops", json=approval))
    assert resumed.id == answer.id

    async def done() -> bool:
        found = await http.post("/a2a/ops", json=rpc("GetTask", {"id": answer.id}))
        return bool(found.json()["result"]["status"]["state"] == "TASK_STATE_COMPLETED")

    await wait_until(done, "the resumed task completes")
