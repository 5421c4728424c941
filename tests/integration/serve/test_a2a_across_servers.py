"""A2A tasks across server processes: two ``locus serve`` processes share one thread store
(a SQLite file, or the test PostgreSQL), as workers or replicas behind a load balancer do,
and the official ``a2a-sdk`` client talks to one, then the other (docs/serving.md, "A2A").

The agent's ``wait_for_gate`` tool waits, in whichever process runs it, until the test
opens its gate (a file), so a task is known to be running while the other process is
asked about it; ``delete_file`` needs approval and writes a line each time it runs, so
"once" is counted across both processes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import threading
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path
from typing import Any

import psycopg
import pytest
from a2a.client import Client
from a2a.types import (
    CancelTaskRequest,
    GetTaskRequest,
    ListTasksRequest,
    Message,
    Part,
    Role,
    SendMessageRequest,
    StreamResponse,
    Task,
    TaskState,
)
from a2a.utils.errors import (
    TaskNotCancelableError,
    TaskNotFoundError,
    UnsupportedOperationError,
)
from google.protobuf.json_format import MessageToDict

from locus.agent import Agent
from locus.core.messages import Message as LocusMessage
from locus.stores import open_thread_store
from locus.tools import tool
from tests.integration.serve.conftest import ServeProcess, locus_serve, serve_env
from tests.integration.serve.emulator_agent import model, recorded_delete
from tests.integration.serve.test_a2a_http import client_of, collect
from tests.integration.stores.services import service_dsn, stop_started_services

HERE = "tests.integration.serve.test_a2a_across_servers"
WAIT = "Use the wait_for_gate tool with 'g1'."
WORKING = TaskState.TASK_STATE_WORKING
COMPLETED = TaskState.TASK_STATE_COMPLETED


@tool
async def wait_for_gate(gate: str) -> str:
    """Wait until the gate named ``gate`` opens, then say so."""
    path = Path(os.environ["LOCUS_TEST_GATES"]) / gate
    for _ in range(3000):  # (at most a minute: a test that never opens it fails, not hangs)
        if path.exists():
            return f"gate {gate} is open"
        await asyncio.sleep(0.02)
    raise TimeoutError(f"gate {gate} never opened")


def _info() -> dict[str, Any]:
    return dict(json.loads(Path(os.environ["LOCUS_TEST_EMULATOR"]).read_text()))


def relay() -> Agent:
    """``HERE:relay``: waits at gates and deletes files (with approval), its threads in the
    store ``LOCUS_TEST_THREADS`` names."""
    return Agent(
        model(_info()),
        tools=[wait_for_gate, recorded_delete],
        system_prompt="Use the tools when asked.",
        thread_store=os.environ["LOCUS_TEST_THREADS"],
        name="relay",
    )


class TwoMethodStore:
    """A user's own store: ``load`` and ``append`` only (on the shared SQLite file), so it
    keeps no metadata: no task records."""

    def __init__(self, url: str) -> None:
        self.inner = open_thread_store(url)

    async def load(self, thread_id: str) -> list[LocusMessage]:
        found: list[LocusMessage] = await self.inner.load(thread_id)
        return found

    async def append(self, thread_id: str, messages: Sequence[LocusMessage]) -> None:
        await self.inner.append(thread_id, messages)


def plain_relay() -> Agent:
    """``HERE:plain_relay``: ``relay`` on a two-method store."""
    return Agent(
        model(_info()),
        tools=[wait_for_gate],
        thread_store=TwoMethodStore(os.environ["LOCUS_TEST_THREADS"]),
        name="relay",
    )


@pytest.fixture(scope="module")
def postgres_server() -> Iterator[str]:
    """The test PostgreSQL server's DSN (``scripts/test-services.sh``; stopped after, if
    this session started it)."""
    yield service_dsn("LOCUS_TEST_POSTGRES_DSN")
    stop_started_services()


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The shared store: a SQLite file, or a new database on the test PostgreSQL (dropped
    after the test; a missing server is a failure, never a skip)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/threads.db"
        return
    server = request.getfixturevalue("postgres_server")
    name = f"locus_a2a_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base, _, query = server.partition("?")
    base = base.rsplit("/", 1)[0] if base.count("/") > 2 else base
    yield f"{base}/{name}" + (f"?{query}" if query else "")
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def two_servers(
    emulator_json: Path,
    tmp_path: Path,
    store: str,
    target: str = "relay",
    *,
    module: str = HERE,
    first_args: tuple[str, ...] = (),
) -> Iterator[tuple[ServeProcess, ServeProcess]]:
    """Two ``locus serve`` processes of ``module:target`` (the gated agents) on ``store``,
    the first with ``first_args`` too."""
    (tmp_path / "gates").mkdir(exist_ok=True)
    env = serve_env(
        emulator_json,
        LOCUS_TEST_THREADS=store,
        LOCUS_TEST_RAN=str(tmp_path / "ran.txt"),
        LOCUS_TEST_GATES=str(tmp_path / "gates"),
    )
    with (
        locus_serve([f"{module}:{target}", *first_args], env) as one,
        locus_serve([f"{module}:{target}"], env) as two,
    ):
        yield one, two


def open_gate(tmp_path: Path, gate: str = "g1") -> None:
    (tmp_path / "gates" / gate).touch()


def ran(tmp_path: Path) -> list[str]:
    path = tmp_path / "ran.txt"
    return path.read_text().splitlines() if path.exists() else []


def ask(text: str, context_id: str = "", message_id: str = "m-1") -> SendMessageRequest:
    message = Message(message_id=message_id, role=Role.ROLE_USER, parts=[Part(text=text)])
    if context_id:
        message.context_id = context_id
    return SendMessageRequest(message=message)


def approval(task: Task, approved: bool = True) -> SendMessageRequest:
    pending = MessageToDict(task.status.message)["parts"][1]["data"]["pending"]
    part = Part()
    part.data.struct_value.update({"approvals": {p["id"]: {"approved": approved} for p in pending}})
    message = Message(
        message_id=f"m-{uuid.uuid4().hex}",
        role=Role.ROLE_USER,
        task_id=task.id,
        context_id=task.context_id,
        parts=[part],
    )
    return SendMessageRequest(message=message)


def text_of(task: Task) -> str:
    return "".join(part.text for artifact in task.artifacts for part in artifact.parts)


async def until_tool_runs(stream: AsyncIterator[StreamResponse]) -> list[StreamResponse]:
    """The stream's events up to the status update naming the tool call (it runs now)."""
    seen = []
    async for event in stream:
        seen.append(event)
        if event.HasField("status_update") and "toolCall" in str(
            MessageToDict(event.status_update.status.message)
        ):
            return seen
    raise AssertionError(f"the stream ended before the tool ran: {seen}")


async def get(client: Client, task_id: str) -> Task:
    return await client.get_task(GetTaskRequest(id=task_id))


def test_get_task_on_another_process_sees_it_working_then_completed_with_its_artifacts(
    emulator_json: Path, tmp_path: Path, store_url: str
) -> None:
    with two_servers(emulator_json, tmp_path, store_url) as (one, two):

        async def talk() -> tuple[Task, Task, list[StreamResponse]]:
            async with (
                client_of(one.url, token=None) as first,
                client_of(two.url, token=None) as other,
            ):
                stream = first.send_message(ask(WAIT, context_id="ctx-get"))
                events = await until_tool_runs(stream)
                working = await get(other, events[0].task.id)
                open_gate(tmp_path)
                events += [event async for event in stream]
                return working, await get(other, events[0].task.id), events

        working, done, events = asyncio.run(talk())
    assert working.id == events[0].task.id and working.context_id == "ctx-get"
    assert working.status.state == WORKING
    assert events[-1].status_update.status.state == COMPLETED
    assert done.status.state == COMPLETED
    streamed = "".join(
        p.text
        for e in events
        if e.HasField("artifact_update")
        for p in e.artifact_update.artifact.parts
    )
    assert "gate g1 is open" in streamed and text_of(done) == streamed
    assert [m.role for m in done.history] == [Role.ROLE_USER, Role.ROLE_AGENT]
    assert done.history[0].parts[0].text == WAIT


def test_an_approval_sent_to_another_process_resumes_the_task_once(
    emulator_json: Path, tmp_path: Path, store_url: str
) -> None:
    with two_servers(emulator_json, tmp_path, store_url) as (one, two):

        async def talk() -> tuple[Task, list[StreamResponse], Task, str]:
            async with client_of(one.url, token=None, streaming=False) as first:
                (paused,) = await collect(
                    first.send_message(ask("Use the delete_file tool to delete alpha"))
                )
                async with client_of(two.url, token=None) as other:
                    resumed = await collect(other.send_message(approval(paused.task)))
                with pytest.raises(UnsupportedOperationError) as again:  # where it paused
                    await collect(first.send_message(approval(paused.task)))
                return paused.task, resumed, await get(first, paused.task.id), str(again.value)

        paused, resumed, final, refused = asyncio.run(talk())
    assert paused.status.state == TaskState.TASK_STATE_INPUT_REQUIRED
    assert resumed[0].task.id == paused.id
    assert resumed[-1].status_update.status.state == COMPLETED
    assert ran(tmp_path) == ["alpha"]
    assert "completed" in refused and "takes no more messages" in refused
    assert final.status.state == COMPLETED  # the process that paused it sees where it went
    assert "deleted alpha" in text_of(final)
    assert [m.role for m in final.history] == [Role.ROLE_USER, Role.ROLE_USER, Role.ROLE_AGENT]


def test_two_approvals_at_once_on_two_processes_resume_the_task_once(
    emulator_json: Path, tmp_path: Path, store_url: str
) -> None:
    with two_servers(emulator_json, tmp_path, store_url) as (one, two):

        async def pause() -> Task:
            async with client_of(two.url, token=None, streaming=False) as client:
                (paused,) = await collect(
                    client.send_message(ask("Use the delete_file tool to delete twice"))
                )
                return paused.task

        paused = asyncio.run(pause())
        outcomes: list[Any] = []
        start = threading.Barrier(2)

        def approve(server: ServeProcess) -> None:
            async def send() -> Any:
                async with client_of(server.url, token=None, streaming=False) as client:
                    start.wait()
                    try:
                        (answer,) = await collect(client.send_message(approval(paused)))
                        return answer.task.status.state
                    except UnsupportedOperationError as exc:
                        return str(exc)

            outcomes.append(asyncio.run(send()))

        approvers = [threading.Thread(target=approve, args=(s,)) for s in (one, two)]
        for approver in approvers:
            approver.start()
        for approver in approvers:
            approver.join(60)
    assert len(outcomes) == 2
    assert ran(tmp_path) == ["twice"]
    completed = [o for o in outcomes if o == COMPLETED]
    others = [o for o in outcomes if o != COMPLETED]
    assert len(completed) == 1, outcomes
    (other,) = others
    # refused (-32004): the task claimed by the other, or its paused run already resumed
    assert isinstance(other, str), outcomes
    assert "takes no more messages" in other or "already resumed" in other, outcomes


def test_cancel_task_of_a_task_running_in_another_process_is_refused_saying_so(
    emulator_json: Path, tmp_path: Path, store_url: str
) -> None:
    with two_servers(emulator_json, tmp_path, store_url) as (one, two):

        async def talk() -> tuple[str, Task, Task, list[StreamResponse]]:
            async with (
                client_of(one.url, token=None) as first,
                client_of(two.url, token=None) as other,
            ):
                stream = first.send_message(ask(WAIT, context_id="ctx-cancel"))
                events = await until_tool_runs(stream)
                task_id = events[0].task.id
                with pytest.raises(TaskNotCancelableError) as elsewhere:
                    await other.cancel_task(CancelTaskRequest(id=task_id))
                canceled = await first.cancel_task(CancelTaskRequest(id=task_id))
                events += [event async for event in stream]
                return str(elsewhere.value), canceled, await get(other, task_id), events

        refused, canceled, seen, events = asyncio.run(talk())
    assert "another server process" in refused and "working" in refused
    assert canceled.status.state == TaskState.TASK_STATE_CANCELED
    assert events[-1].status_update.status.state == TaskState.TASK_STATE_CANCELED
    assert seen.status.state == TaskState.TASK_STATE_CANCELED  # recorded for every process


def test_list_tasks_pages_the_tasks_of_a_context_made_on_both_processes(
    emulator_json: Path, tmp_path: Path, store_url: str
) -> None:
    with two_servers(emulator_json, tmp_path, store_url) as (one, two):

        async def talk() -> tuple[list[str], list[Any], Any]:
            made = []
            async with (
                client_of(one.url, token=None, streaming=False) as first,
                client_of(two.url, token=None, streaming=False) as other,
            ):
                for n in range(5):
                    client = first if n % 2 else other
                    (answer,) = await collect(
                        client.send_message(ask(f"Say hello #{n}", "ctx-list", f"m-{n}"))
                    )
                    made.append(answer.task.id)
                await collect(other.send_message(ask("Say hello elsewhere", "ctx-other")))
                pages, token = [], ""
                while True:
                    page = await first.list_tasks(
                        ListTasksRequest(context_id="ctx-list", page_size=2, page_token=token)
                    )
                    pages.append(page)
                    token = page.next_page_token
                    if not token:
                        break
                whole = await other.list_tasks(
                    ListTasksRequest(
                        context_id="ctx-list", include_artifacts=True, history_length=1
                    )
                )
            return made, pages, whole

        made, pages, whole = asyncio.run(talk())
    assert [len(p.tasks) for p in pages] == [2, 2, 1]
    assert {p.total_size for p in pages} == {5} and {p.page_size for p in pages} == {2}
    listed = [t.id for p in pages for t in p.tasks]
    assert listed == list(reversed(made))  # newest first, each once
    assert all(not t.artifacts for p in pages for t in p.tasks)  # (not asked for)
    assert [t.id for t in whole.tasks] == listed and whole.next_page_token == ""
    assert all(t.artifacts and len(t.history) == 1 for t in whole.tasks)
    assert all(t.status.state == COMPLETED and t.context_id == "ctx-list" for t in whole.tasks)


def test_a_store_without_metadata_keeps_tasks_in_the_process_that_ran_them(
    emulator_json: Path, tmp_path: Path
) -> None:
    store = f"sqlite:///{tmp_path}/threads.db"
    with two_servers(emulator_json, tmp_path, store, target="plain_relay") as (one, two):
        open_gate(tmp_path)

        async def talk() -> tuple[Task, Task, str, list[list[str]]]:
            async with (
                client_of(one.url, token=None, streaming=False) as first,
                client_of(two.url, token=None, streaming=False) as other,
            ):
                (answer,) = await collect(first.send_message(ask(WAIT, context_id="ctx-plain")))
                task = answer.task
                with pytest.raises(TaskNotFoundError) as elsewhere:
                    await get(other, task.id)
                listed = [
                    [
                        t.id
                        for t in (
                            await c.list_tasks(ListTasksRequest(context_id="ctx-plain"))
                        ).tasks
                    ]
                    for c in (first, other)
                ]
                return task, await get(first, task.id), str(elsewhere.value), listed

        task, here, refused, listed = asyncio.run(talk())
    assert task.status.state == COMPLETED and here.status.state == COMPLETED
    assert "keeps no metadata" in refused and "memory of the server process" in refused
    assert listed == [[task.id], []]  # each process lists what it remembers


def test_with_workers_every_get_task_finds_the_task_whichever_worker_answers(
    emulator_json: Path, tmp_path: Path
) -> None:
    (tmp_path / "gates").mkdir()
    env = serve_env(
        emulator_json,
        LOCUS_TEST_THREADS=f"sqlite:///{tmp_path}/threads.db",
        LOCUS_TEST_RAN=str(tmp_path / "ran.txt"),
        LOCUS_TEST_GATES=str(tmp_path / "gates"),
    )
    with locus_serve([f"{HERE}:relay", "--workers", "2"], env) as server:

        async def states(task_id: str) -> list[Any]:
            """``GetTask`` 16 times, each on a new connection (the kernel hands each to
            either worker): the states, or the errors."""
            seen: list[Any] = []
            for _ in range(16):
                async with client_of(server.url, token=None) as client:
                    try:
                        seen.append((await get(client, task_id)).status.state)
                    except TaskNotFoundError as exc:
                        seen.append(str(exc))
            return seen

        async def talk() -> tuple[list[Any], list[Any]]:
            async with client_of(server.url, token=None) as client:
                stream = client.send_message(ask(WAIT, context_id="ctx-workers"))
                events = await until_tool_runs(stream)
                running = await states(events[0].task.id)
                open_gate(tmp_path)
                events += [event async for event in stream]
            assert events[-1].status_update.status.state == COMPLETED
            return running, await states(events[0].task.id)

        running, done = asyncio.run(talk())
    assert running == [WORKING] * 16
    assert done == [COMPLETED] * 16
