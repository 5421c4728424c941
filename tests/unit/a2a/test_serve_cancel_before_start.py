"""An A2A task whose run is cancelled before its first step (``_a2a_tasks.Driver``): an
asyncio task cancelled before it starts never runs its coroutine, so the task stayed
``working`` (recorded so, its process's presence held, its stream never ended). It now
ends ``canceled``, recorded for every process, its presence let go of, as a task cancelled
later in its run.

A new task's run always starts before anything that happens after the message (asyncio
runs ready callbacks in order), so the cancel must already be on its way in the same turn
of the loop: a ``CancelTask`` whose body arrives in the turn where an approval resumes its
task (its id is known), or the loop ending in the turn that made the run. Each test lines
those turns up with events: the store holds the approval's claim of its task until the
``CancelTask`` request waits for the same event, so both wake in that order.

Apps are called as ASGI applications by ``call`` below (an HTTP client would add turns of
its own between the body and the handler); two apps sharing one SQLite file stand for two
server processes.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, MutableMapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette

from locus.agent import Agent
from locus.core.messages import Message, ToolCall
from locus.core.toolspec import ToolSpec
from locus.serve import create_app
from locus.serve._a2a_presence import gone
from locus.serve._a2a_records import RECORDS_KEY
from locus.stores import SQLiteThreadStore
from locus.testing import FunctionModel
from locus.tools import tool
from tests.deadlines import within

URL = "/a2a/ops"
CONTEXT = "ctx-early"
CANCELED = "TASK_STATE_CANCELED"
ran: list[str] = []


@tool(requires_approval=True)
def remove(path: str) -> str:
    """Remove a file."""
    ran.append(path)
    return f"removed {path}"


def remover(messages: list[Message], tools: list[ToolSpec]) -> Any:
    if messages[-1].role == "tool":
        return f"Result: {messages[-1].content}"
    return ToolCall(id="call-1", name="remove", arguments={"path": "/tmp/x"})


class HeldStore(SQLiteThreadStore):
    """A SQLite store that, once the test calls ``hold_next_claim``, holds the next run
    that writes a conversation's metadata under its lock (an approval claiming its task)
    just after it lets go of the lock, until ``release`` is done: what follows in the
    approval's handler, up to making its task's run, then happens in one step."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.release: Awaitable[Any] | None = None
        self.holding = asyncio.Event()
        self.wrote = False

    def hold_next_claim(self, release: Awaitable[Any]) -> None:
        self.release, self.holding = release, asyncio.Event()

    async def set_metadata(self, thread_id: str, metadata: Mapping[str, Any]) -> None:
        await super().set_metadata(thread_id, metadata)
        self.wrote = self.wrote or thread_id == CONTEXT

    def lock(
        self, thread_id: str, *, timeout: float | None = None
    ) -> AbstractAsyncContextManager[None]:
        return self._held_after_claim(thread_id, timeout)

    @asynccontextmanager
    async def _held_after_claim(self, thread_id: str, timeout: float | None) -> AsyncIterator[None]:
        self.wrote = False
        async with super().lock(thread_id, timeout=timeout):
            yield
        release = self.release
        if release is not None and thread_id == CONTEXT and self.wrote:
            self.release = None
            self.holding.set()
            await release


def ops(store: Any) -> Starlette:
    """An app ("a server process") serving the agent that asks before removing a file."""
    return create_app({"ops": Agent(FunctionModel(remover), tools=[remove], thread_store=store)})


Wait = Callable[[], Awaitable[None]]


async def call(app: Starlette, body: dict[str, Any], before: Wait | None = None) -> list[Any]:
    """POST ``body`` to the app's agent (its body sent once ``before`` returns; the client
    stays connected): the JSON-RPC envelopes of the answer (one, or each SSE event's)."""
    raw, sent = json.dumps(body).encode(), False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            if before is not None:
                await before()
            sent = True
            return {"type": "http.request", "body": raw, "more_body": False}
        await asyncio.Event().wait()  # (connected until the answer ends)
        raise AssertionError("unreachable")

    chunks: list[bytes] = []

    async def send(message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    headers = [(b"content-type", b"application/json"), (b"host", b"127.0.0.1")]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": URL,
        "raw_path": URL.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    await app(scope, receive, send)
    text = b"".join(chunks).decode()
    if text.startswith("data: "):
        return [json.loads(f.removeprefix("data: ")) for f in text.split("\n\n") if f]
    return [json.loads(text)]


def rpc(method: str, params: dict[str, Any]) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}


def message(*parts: dict[str, Any], **more: Any) -> dict[str, Any]:
    found = {"messageId": "m1", "role": "ROLE_USER", "parts": list(parts), "contextId": CONTEXT}
    return {"message": {**found, **more}}


def state_of(envelope: dict[str, Any]) -> str:
    result = envelope["result"]
    found = result.get("task") or result.get("statusUpdate") or result
    return str(found["status"]["state"])


async def paused_task(app: Starlette) -> str:
    (answer,) = await call(app, rpc("SendMessage", message({"text": "remove /tmp/x"})))
    assert state_of(answer) == "TASK_STATE_INPUT_REQUIRED"
    return str(answer["result"]["task"]["id"])


def approval(task_id: str, method: str, **configuration: Any) -> dict[str, Any]:
    params = message({"data": {"approvals": {"call-1": {"approved": True}}}}, taskId=task_id)
    if configuration:
        params["configuration"] = configuration
    return rpc(method, params)


async def cancel_as_the_run_is_made(
    app: Starlette, store: HeldStore, body: dict[str, Any], task_id: str
) -> tuple[list[Any], dict[str, Any]]:
    """Send the approval ``body``, and a ``CancelTask`` of its task that the app reads in
    the turn where the approval makes the task's run (before that run's first step): the
    approval's answer and the cancel's."""
    release = asyncio.Event()
    store.hold_next_claim(release.wait())
    approving = asyncio.create_task(call(app, body))
    await within(store.holding.wait(), "the approval claims its task")
    reading = asyncio.Event()

    async def after_the_claim() -> None:
        reading.set()
        await release.wait()  # (woken right after the approval)

    canceling = asyncio.create_task(call(app, rpc("CancelTask", {"id": task_id}), after_the_claim))
    await within(reading.wait(), "the CancelTask request is read")
    release.set()
    (canceled,) = await within(canceling, "CancelTask answers")
    return await within(approving, "the approval's answer ends"), canceled


async def ended_everywhere(app: Starlette, store: HeldStore, task_id: str) -> None:
    """The task is canceled for this process and another sharing the store, its record
    says so, and its process's presence in the store is let go of."""
    other = ops(store)  # (another server process)
    for process in (app, other):
        (found,) = await call(process, rpc("GetTask", {"id": task_id}))
        assert state_of(found) == CANCELED
    (record,) = (await store.get_metadata(CONTEXT))[RECORDS_KEY]
    assert record["status"]["state"] == CANCELED and record["owner"]
    assert await gone(store, record["owner"])  # (held until the process exited, before)
    assert app.state.served.state.active_runs == 0 and not ran


@pytest.fixture
def store(tmp_path: Path) -> HeldStore:
    ran.clear()
    return HeldStore(tmp_path / "threads.db")


@pytest.mark.parametrize("at_once", [True, False], ids=["returnImmediately", "whole"])
async def test_a_cancel_task_that_comes_before_the_resumed_runs_first_step_cancels_it(
    store: HeldStore, at_once: bool
) -> None:
    app = ops(store)
    task_id = await paused_task(app)
    body = approval(task_id, "SendMessage", returnImmediately=at_once)
    (answer,), canceled = await cancel_as_the_run_is_made(app, store, body, task_id)
    assert state_of(canceled) == CANCELED  # (was "working": the run never ran its end)
    assert state_of(answer) == CANCELED
    await ended_everywhere(app, store, task_id)


async def test_a_streamed_approval_canceled_before_its_runs_first_step_ends_its_stream(
    store: HeldStore,
) -> None:
    app = ops(store)
    task_id = await paused_task(app)
    body = approval(task_id, "SendStreamingMessage")
    events, canceled = await cancel_as_the_run_is_made(app, store, body, task_id)
    assert state_of(canceled) == CANCELED
    assert [state_of(e) for e in events] == ["TASK_STATE_WORKING", "TASK_STATE_WORKING", CANCELED]
    await ended_everywhere(app, store, task_id)


def test_a_run_made_in_the_event_loops_last_turn_is_recorded_canceled(tmp_path: Path) -> None:
    """The loop ends (its server stopped) in the turn where an approval makes its task's
    run: ``asyncio.run`` cancels that run before its first step."""
    path = tmp_path / "threads.db"

    async def stop_as_the_run_is_made() -> str:
        store = HeldStore(path)
        app = ops(store)
        task_id = await paused_task(app)
        this = asyncio.current_task()
        assert this is not None
        store.hold_next_claim(this)  # (the approval goes on in the turn where the loop stops)
        at_once = approval(task_id, "SendMessage", returnImmediately=True)
        asyncio.get_running_loop().create_task(call(app, at_once))
        await within(store.holding.wait(), "the approval claims its task")
        return task_id

    task_id = asyncio.run(stop_as_the_run_is_made())

    async def recorded() -> dict[str, Any]:
        store = SQLiteThreadStore(path)
        try:
            (record,) = (await store.get_metadata(CONTEXT))[RECORDS_KEY]
            assert await gone(store, record["owner"])
            return dict(record)
        finally:
            await store.aclose()

    record = asyncio.run(recorded())
    assert record["id"] == task_id and record["status"]["state"] == CANCELED
