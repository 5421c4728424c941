"""A2A tasks whose server process is gone (``_a2a_orphans``, ``_a2a_presence``): a
``working`` record whose owner no longer holds its presence is answered, and recorded
once, as failed; a task running anywhere, even where its record says ``working`` while
its run does not hold the thread's lock, never is; a paused task stays paused.

Two apps sharing one store stand for two server processes; a process that died is a
record naming a presence nobody holds, or (SQLite) a lease row of another machine's
process that stopped renewing it.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from a2a.types import Task, TaskState
from a2a.utils.proto_utils import parse_lenient
from starlette.applications import Starlette

from locus.agent import Agent
from locus.agent._threads import thread_lock
from locus.core.errors import StoreError
from locus.core.messages import Message, ToolCall
from locus.core.toolspec import ToolSpec
from locus.serve import _a2a_records as a2a_records
from locus.serve import create_app
from locus.serve._a2a_orphans import STOPPED
from locus.serve._a2a_presence import Presence, Presences, gone, judged, presence_key
from locus.serve._a2a_records import RECORDS_KEY, new_task_id
from locus.serve._a2a_wire import INPUT_REQUIRED, WORKING, status
from locus.stores import InMemoryThreadStore, SQLiteThreadStore
from locus.stores import _sqlite_lease as lease
from locus.testing import FunctionModel
from locus.tools import tool
from tests.deadlines import wait_until, within
from tests.unit.serve.conftest import AppClient
from tests.unit.serve.test_a2a_errors import delete_file, deleter, rpc, send, task_of

URL = "/a2a/talker"
FAILED_STATE = "TASK_STATE_FAILED"
DEAD_OWNER = "elsewhere:4026531836:4242:0123456789ab"  # (another machine's process)


class Gate:
    """A tool that waits until the test opens the gate: a run known to be running."""

    def __init__(self) -> None:
        self.entered = asyncio.Event()
        self.opened = asyncio.Event()

        @tool
        async def wait_for_gate() -> str:
            """Wait for the gate."""
            self.entered.set()
            await self.opened.wait()
            return "open"

        self.tool = wait_for_gate


def gated_model(messages: list[Message], tools: list[ToolSpec]) -> Any:
    if messages[-1].role == "tool":
        return f"the gate is {messages[-1].content}"
    return ToolCall(id="call-1", name="wait_for_gate", arguments={})


def talker(store: Any, gate: Gate) -> Starlette:
    """An app ("a server process") serving the gated agent on ``store``."""
    agent = Agent(FunctionModel(gated_model), tools=[gate.tool], thread_store=store)
    return create_app({"talker": agent})


class CountingStore(InMemoryThreadStore):
    """The in-memory store, counting the writes of each thread's metadata."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: dict[str, int] = {}

    async def set_metadata(self, thread_id: str, metadata: Mapping[str, Any]) -> None:
        self.writes[thread_id] = self.writes.get(thread_id, 0) + 1
        await super().set_metadata(thread_id, metadata)


@pytest.fixture(params=["memory", "sqlite"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Any]:
    if request.param == "memory":
        yield CountingStore()
        return
    made = SQLiteThreadStore(tmp_path / "threads.db")
    yield made
    await made.aclose()


async def working_record(store: Any, owner: str | None, state: str = WORKING) -> str:
    """A task's record as a process that ran it left it (written as stored, under the
    thread's lock); the task's id."""
    task_id = new_task_id("ctx")
    user = {"messageId": "m1", "role": "ROLE_USER", "parts": [{"text": "hi"}]}
    record = {"id": task_id, "agent": "talker", "status": status(state), "history": [user]}
    if owner is not None:
        record["owner"] = owner
    async with thread_lock(store, "ctx", None):
        metadata = dict(await store.get_metadata("ctx"))
        metadata[RECORDS_KEY] = [*metadata.get(RECORDS_KEY, []), {**record, "artifacts": []}]
        await store.set_metadata("ctx", metadata)
    return task_id


async def get(http: httpx.AsyncClient, task_id: str) -> Task:
    answer = await http.post(URL, json=rpc("GetTask", {"id": task_id}))
    assert "result" in answer.json(), answer.text
    task: Task = parse_lenient(answer.json()["result"], Task())
    return task


async def stored_state(store: Any, task_id: str) -> dict[str, Any]:
    found = [r for r in (await store.get_metadata("ctx"))[RECORDS_KEY] if r["id"] == task_id]
    return dict(found[0]["status"])


async def test_a_working_task_whose_process_is_gone_is_failed_and_recorded_so_once(
    store: Any, client: AppClient
) -> None:
    task_id = await working_record(store, owner="a-presence-nobody-holds")
    http = client(talker(store, Gate()))
    task = await get(http, task_id)
    assert task.status.state == TaskState.TASK_STATE_FAILED
    assert task.status.message.parts[0].text == STOPPED
    assert "send the message again" in STOPPED
    recorded = await stored_state(store, task_id)
    assert recorded["state"] == FAILED_STATE
    again = await get(http, task_id)
    listed = (await http.post(URL, json=rpc("ListTasks", {"contextId": "ctx"}))).json()
    assert again.status.state == TaskState.TASK_STATE_FAILED
    assert [t["status"]["state"] for t in listed["result"]["tasks"]] == [FAILED_STATE]
    assert await stored_state(store, task_id) == recorded  # written once, not per look
    if isinstance(store, CountingStore):
        assert store.writes["ctx"] == 2  # (its start, then its correction)


async def test_list_tasks_shows_a_task_whose_process_is_gone_as_failed(
    store: Any, client: AppClient
) -> None:
    task_id = await working_record(store, owner="a-presence-nobody-holds")
    http = client(talker(store, Gate()))
    params = {"contextId": "ctx", "status": "TASK_STATE_WORKING"}
    working = (await http.post(URL, json=rpc("ListTasks", params))).json()["result"]
    listed = (await http.post(URL, json=rpc("ListTasks", {"contextId": "ctx"}))).json()
    assert working["tasks"] == []
    (task,) = listed["result"]["tasks"]
    assert task["id"] == task_id and task["status"]["state"] == FAILED_STATE
    assert task["status"]["message"]["parts"] == [{"text": STOPPED}]
    assert (await stored_state(store, task_id))["state"] == FAILED_STATE


async def test_a_task_running_in_another_process_stays_working_however_often_it_is_asked(
    store: Any, client: AppClient
) -> None:
    gate = Gate()
    running, other = client(talker(store, gate)), client(talker(store, gate))
    sending = asyncio.create_task(running.post(URL, json=send({"text": "go"}, contextId="ctx")))
    await within(gate.entered.wait(), "the run reaches its tool")
    (task_id,) = [r["id"] for r in (await store.get_metadata("ctx"))[RECORDS_KEY]]
    for _ in range(20):
        assert (await get(other, task_id)).status.state == TaskState.TASK_STATE_WORKING
    listed = (await other.post(URL, json=rpc("ListTasks", {"contextId": "ctx"}))).json()
    assert [t["status"]["state"] for t in listed["result"]["tasks"]] == ["TASK_STATE_WORKING"]
    gate.opened.set()
    done = task_of(await within(sending, "the run ends"))
    assert done.status.state == TaskState.TASK_STATE_COMPLETED
    assert (await get(other, task_id)).status.state == TaskState.TASK_STATE_COMPLETED


class GatedLockStore(InMemoryThreadStore):
    """The in-memory store, whose ``lock`` of the thread ``ctx``, on its ``stop_at``-th
    call, waits until the test opens ``go`` before it takes the lock: a window where the
    task's record says ``working`` while its run does not hold the thread's lock."""

    def __init__(self, stop_at: int) -> None:
        super().__init__()
        self.stop_at = stop_at
        self.calls = 0
        self.waiting = asyncio.Event()
        self.go = asyncio.Event()

    def lock(self, thread_id: str, *, timeout: float | None = None) -> Any:
        if thread_id != "ctx":
            return super().lock(thread_id, timeout=timeout)
        self.calls += 1
        if self.calls != self.stop_at:
            return super().lock(thread_id, timeout=timeout)
        return self._after_go(thread_id, timeout)

    @asynccontextmanager
    async def _after_go(self, thread_id: str, timeout: float | None) -> AsyncIterator[None]:
        self.waiting.set()
        await self.go.wait()
        async with super().lock(thread_id, timeout=timeout):
            yield


def answering(messages: list[Message], tools: list[ToolSpec]) -> str:
    return "done"


@pytest.mark.parametrize(
    ("stop_at", "window"),
    [
        (2, "its start record is written; its run waits for the thread"),
        (3, "its run let go of the thread; its end record waits for it"),
    ],
)
async def test_a_running_task_whose_run_does_not_hold_the_thread_is_not_judged_gone(
    client: AppClient, stop_at: int, window: str
) -> None:
    store = GatedLockStore(stop_at)  # lock calls on ctx: 1 the start record, 2 the run, 3 the end
    running = create_app({"talker": Agent(FunctionModel(answering), thread_store=store)})
    other = client(talker(store, Gate()))
    body = send({"text": "go"}, contextId="ctx")
    sending = asyncio.create_task(client(running).post(URL, json=body))
    await within(store.waiting.wait(), window)
    (task_id,) = [r["id"] for r in (await store.get_metadata("ctx"))[RECORDS_KEY]]
    async with thread_lock(store, "ctx", 0):  # (the thread's lock is free: no run holds it)
        pass
    for _ in range(5):
        assert (await get(other, task_id)).status.state == TaskState.TASK_STATE_WORKING
    assert (await stored_state(store, task_id))["state"] == "TASK_STATE_WORKING"
    store.go.set()
    done = task_of(await within(sending, "the run ends"))
    assert done.status.state == TaskState.TASK_STATE_COMPLETED
    assert (await get(other, task_id)).status.state == TaskState.TASK_STATE_COMPLETED


async def test_a_paused_task_stays_input_required_when_its_process_is_gone(
    client: AppClient,
) -> None:
    store = InMemoryThreadStore()
    ops = Agent(FunctionModel(deleter), tools=[delete_file], thread_store=store)
    paused_here = create_app({"ops": ops})
    body = send({"text": "delete /tmp/x"}, contextId="ctx")
    task = task_of(await client(paused_here).post("/a2a/ops", json=body))
    assert task.status.state == TaskState.TASK_STATE_INPUT_REQUIRED
    other = client(create_app({"ops": ops}))  # (the process that paused it holds nothing)
    seen = await other.post("/a2a/ops", json=rpc("GetTask", {"id": task.id}))
    assert seen.json()["result"]["status"]["state"] == "TASK_STATE_INPUT_REQUIRED"
    left = await working_record(store, owner="a-presence-nobody-holds", state=INPUT_REQUIRED)
    http = client(talker(store, Gate()))
    assert (await get(http, left)).status.state == TaskState.TASK_STATE_INPUT_REQUIRED


class MetadataOnlyStore:
    """A user's store keeping metadata, but with no lock of its own (so none across
    processes): its tasks are never judged gone."""

    def __init__(self) -> None:
        self.inner = InMemoryThreadStore()

    async def load(self, thread_id: str) -> list[Message]:
        return await self.inner.load(thread_id)

    async def append(self, thread_id: str, messages: Any) -> None:
        await self.inner.append(thread_id, messages)

    async def get_metadata(self, thread_id: str) -> dict[str, Any]:
        return await self.inner.get_metadata(thread_id)

    async def set_metadata(self, thread_id: str, metadata: Mapping[str, Any]) -> None:
        await self.inner.set_metadata(thread_id, metadata)


async def test_a_record_naming_no_owner_or_in_a_store_locked_per_process_is_left_as_it_is(
    client: AppClient,
) -> None:
    store = InMemoryThreadStore()
    older = await working_record(store, owner=None)  # (written by an older server)
    http = client(talker(store, Gate()))
    assert (await get(http, older)).status.state == TaskState.TASK_STATE_WORKING
    unlocked = MetadataOnlyStore()
    assert not judged(unlocked) and judged(store)
    task_id = await working_record(unlocked, owner="a-presence-nobody-holds")
    other = client(talker(unlocked, Gate()))
    assert (await get(other, task_id)).status.state == TaskState.TASK_STATE_WORKING


async def test_a_sqlite_task_is_judged_gone_only_once_its_owners_lease_expired(
    tmp_path: Path, client: AppClient
) -> None:
    """Another machine's process held its presence and the thread, then stopped renewing
    their leases (it died): its task is working until they expire, then failed."""
    sqlite_file = tmp_path / "threads.db"
    store = SQLiteThreadStore(sqlite_file)
    try:
        task_id = await working_record(store, owner="their-token")
        db = sqlite3.connect(sqlite_file, isolation_level=None)
        for key in (presence_key("their-token"), "ctx"):
            assert lease.try_take(db, key, DEAD_OWNER, 3600.0)
        http = client(talker(store, Gate()))
        assert (await get(http, task_id)).status.state == TaskState.TASK_STATE_WORKING
        db.execute("UPDATE locus_locks SET expires_at = ?", (time.time() - 1,))  # (expired)
        db.close()
        task = await get(http, task_id)
        assert task.status.state == TaskState.TASK_STATE_FAILED
        assert (await stored_state(store, task_id))["state"] == FAILED_STATE
    finally:
        await store.aclose()


async def test_a_failed_task_is_answered_even_while_another_run_holds_its_thread(
    client: AppClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its record is corrected by a later look, once the thread is free."""
    monkeypatch.setattr(a2a_records, "FIX_WAIT", 0.01)
    store = CountingStore()
    task_id = await working_record(store, owner="a-presence-nobody-holds")
    http = client(talker(store, Gate()))
    async with thread_lock(store, "ctx", None):  # (a new run on the context)
        assert (await get(http, task_id)).status.state == TaskState.TASK_STATE_FAILED
        assert (await stored_state(store, task_id))["state"] == "TASK_STATE_WORKING"
    assert (await get(http, task_id)).status.state == TaskState.TASK_STATE_FAILED
    assert (await stored_state(store, task_id))["state"] == FAILED_STATE


async def test_a_presence_is_held_while_entered_and_never_again_under_its_token() -> None:
    store = InMemoryThreadStore()
    presence, other = Presence(store), Presence(store)
    first = await presence.enter()
    assert await presence.enter() == first and presence.holds(first)
    assert not other.holds(first) and not await gone(store, first)
    presence.leave()
    assert presence.holds(first) and not await gone(store, first)  # (one task still runs)
    presence.leave()
    assert not presence.holds(first)
    await wait_until(lambda: gone(store, first), "the presence is let go")
    second = await presence.enter()
    assert second != first and not await gone(store, second)
    presence.leave()


def test_a_presence_held_on_an_event_loop_that_ended_is_not_held_on_the_next() -> None:
    """A task left running when its loop ended (a test client's portal, say) keeps no
    presence held on the next loop, whose tasks let theirs go."""
    store, presences = InMemoryThreadStore(), Presences()

    async def enter(leave: bool) -> str:
        hold = presences.hold(store)
        assert hold is not None
        token = await hold.enter()
        if leave:
            hold.leave()
            await wait_until(lambda: gone(store, token), "the presence is let go")
        return token

    first = asyncio.run(enter(leave=False))  # (its loop ends with the task entered)
    assert asyncio.run(enter(leave=True)) != first


class BrokenPresenceStore(InMemoryThreadStore):
    """The in-memory store, whose presence locks cannot be taken."""

    def lock(self, thread_id: str, *, timeout: float | None = None) -> Any:
        if thread_id.startswith("locus.a2a.presence."):
            return self._refused()
        return super().lock(thread_id, timeout=timeout)

    @asynccontextmanager
    async def _refused(self) -> AsyncIterator[None]:
        raise StoreError("no locks today")
        yield  # pragma: no cover


async def test_a_presence_that_cannot_be_taken_fails_the_task_saying_why(
    client: AppClient,
) -> None:
    store = BrokenPresenceStore()
    app = create_app({"talker": Agent(FunctionModel(answering), thread_store=store)})
    task = task_of(await client(app).post(URL, json=send({"text": "go"}, contextId="ctx")))
    assert task.status.state == TaskState.TASK_STATE_FAILED
    assert "no locks today" in task.status.message.parts[0].text
    presence = app.state.a2a_tasks.presences.of(store)
    assert presence.users == 0 and presence.token is None
