"""``SubscribeToTask`` answered by a process that does not run the task (``_a2a_subscribe``):
each change its record shows, in order and once, including a pause for approval that a
quick approval replaced before the subscriber's next read (the record keeps the statuses
it went through: ``_a2a_statuses``); before, such a subscriber saw the task working
again and then only its end.

Two apps on one SQLite file stand for two server processes; the subscriber's app reads
the file through a store of its own, whose reads the test can hold back.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from locus.agent import Agent
from locus.core.messages import Message, ToolCall
from locus.core.toolspec import ToolSpec
from locus.serve import _a2a_subscribe, create_app
from locus.stores import SQLiteThreadStore
from locus.testing import FunctionModel
from locus.tools import tool
from tests.deadlines import wait_until, within

URL = "/a2a/ops"
CONTEXT = "ctx-changes"


class Gates:
    """The agent's two tools: ``wait_for_gate`` waits for ``first``; ``remove`` (which needs
    approval) waits for ``second`` once approved."""

    def __init__(self) -> None:
        self.first, self.second = asyncio.Event(), asyncio.Event()
        self.at_first, self.at_second = asyncio.Event(), asyncio.Event()

        @tool
        async def wait_for_gate() -> str:
            """Wait for the gate."""
            self.at_first.set()
            await self.first.wait()
            return "open"

        @tool(requires_approval=True)
        async def remove(path: str) -> str:
            """Remove a file."""
            self.at_second.set()
            await self.second.wait()
            return f"removed {path}"

        self.tools = [wait_for_gate, remove]


def script(messages: list[Message], tools: list[ToolSpec]) -> Any:
    """Wait at the gate, then ask to remove a file, then say it is done."""
    last = messages[-1]
    if last.role == "tool" and "removed" in str(last.content):
        return f"Result: {last.content}"
    if last.role == "tool":
        return ToolCall(id="call-2", name="remove", arguments={"path": "/tmp/x"})
    return ToolCall(id="call-1", name="wait_for_gate", arguments={})


class HeldReads(SQLiteThreadStore):
    """The subscriber's store: counts reads of the conversation's metadata, and once the
    test ``hold``s it, its next such read waits until ``release`` is set."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.reads = 0
        self.release: asyncio.Event | None = None
        self.holding = asyncio.Event()

    def hold(self) -> asyncio.Event:
        self.release, self.holding = asyncio.Event(), asyncio.Event()
        return self.release

    async def get_metadata(self, thread_id: str) -> dict[str, Any]:
        release = self.release
        if release is not None and thread_id == CONTEXT:
            self.release = None
            self.holding.set()
            await release.wait()
        found = await super().get_metadata(thread_id)
        self.reads += thread_id == CONTEXT
        return found


def ops(store: Any, gates: Gates) -> Starlette:
    agent = Agent(FunctionModel(script), tools=gates.tools, thread_store=store)
    return create_app({"ops": agent})


def rpc(method: str, params: dict[str, Any]) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}


def at_once(*parts: dict[str, Any], **more: Any) -> dict[str, Any]:
    found = {"messageId": "m1", "role": "ROLE_USER", "parts": list(parts), "contextId": CONTEXT}
    params = {"message": {**found, **more}, "configuration": {"returnImmediately": True}}
    return rpc("SendMessage", params)


def events(response: httpx.Response) -> list[dict[str, Any]]:
    """The results of an SSE answer's events."""
    frames = [f.removeprefix("data: ") for f in response.text.split("\n\n") if f]
    return [json.loads(frame)["result"] for frame in frames]


def state_of(item: dict[str, Any]) -> str:
    found = item.get("task") or item.get("statusUpdate") or {}
    return str(found.get("status", {}).get("state"))


class Processes:
    """Process one runs the task (``first``); the subscriber is on process two
    (``second``, reading through ``reads``)."""

    def __init__(self, tmp_path: Path) -> None:
        self.gates = Gates()
        self.reads = HeldReads(tmp_path / "threads.db")
        self.running = SQLiteThreadStore(tmp_path / "threads.db")
        self.first = self._client(ops(self.running, self.gates))
        self.second = self._client(ops(self.reads, Gates()))

    @staticmethod
    def _client(app: Starlette) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        return httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000")

    async def state(self, task_id: str) -> str:
        found = await self.first.post(URL, json=rpc("GetTask", {"id": task_id}))
        return str(found.json()["result"]["status"]["state"])

    def subscribe(self, task_id: str) -> asyncio.Task[httpx.Response]:
        body = rpc("SubscribeToTask", {"id": task_id})
        return asyncio.create_task(self.second.post(URL, json=body))

    async def read_again(self, times: int = 2) -> None:
        """Until the subscriber has read the record ``times`` more (a read that was under
        way when the test did something may have begun before it)."""
        before = self.reads.reads
        await wait_until(lambda: self.reads.reads >= before + times, "the subscriber reads")

    async def resumed(self, task_id: str) -> None:
        """The task, paused, approved on process one; its resumed run waits at ``second``."""
        approval = {"data": {"approvals": {"call-2": {"approved": True}}}}
        answer = await self.first.post(URL, json=at_once(approval, taskId=task_id))
        assert answer.json()["result"]["task"]["status"]["state"] == "TASK_STATE_WORKING"
        await within(self.gates.at_second.wait(), "the approved call runs")


@pytest.fixture
async def processes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Processes]:
    monkeypatch.setattr(_a2a_subscribe, "POLL_EVERY", 0.01)
    made = Processes(tmp_path)
    yield made
    for client in (made.first, made.second):
        await client.aclose()
    for store in (made.reads, made.running):
        await store.aclose()


async def started(processes: Processes) -> str:
    """A task of process one, at its first gate."""
    answer = await processes.first.post(URL, json=at_once({"text": "go"}))
    await within(processes.gates.at_first.wait(), "the run reaches its gate")
    return str(answer.json()["result"]["task"]["id"])


async def test_a_pause_resumed_between_two_reads_is_still_sent_and_ends_the_stream(
    processes: Processes,
) -> None:
    task_id = await started(processes)
    subscriber = processes.subscribe(task_id)
    await processes.read_again()
    release = processes.reads.hold()
    await within(processes.reads.holding.wait(), "the subscriber's next read waits")
    processes.gates.first.set()  # the run pauses for approval ...

    async def paused() -> bool:
        return await processes.state(task_id) == "TASK_STATE_INPUT_REQUIRED"

    await wait_until(paused, "the task pauses")
    await processes.resumed(task_id)  # ... and is resumed before the subscriber reads
    release.set()
    await processes.read_again(1)  # (the read that was held)
    processes.gates.second.set()
    got = events(await within(subscriber, "the subscription ends"))
    assert [state_of(e) for e in got] == ["TASK_STATE_WORKING", "TASK_STATE_INPUT_REQUIRED"]
    pending = got[-1]["statusUpdate"]["status"]["message"]["parts"][1]["data"]["pending"]
    assert [p["tool"] for p in pending] == ["remove"]

    async def completed() -> bool:
        return await processes.state(task_id) == "TASK_STATE_COMPLETED"

    await wait_until(completed, "the resumed task completes")


async def test_a_resumed_task_followed_elsewhere_sends_its_changes_once_to_its_end(
    processes: Processes,
) -> None:
    task_id = await started(processes)
    processes.gates.first.set()

    async def paused() -> bool:
        return await processes.state(task_id) == "TASK_STATE_INPUT_REQUIRED"

    await wait_until(paused, "the task pauses")
    await processes.resumed(task_id)
    subscriber = processes.subscribe(task_id)
    await processes.read_again()
    processes.gates.second.set()
    got = events(await within(subscriber, "the subscription ends"))
    states = [state_of(e) for e in got if "artifactUpdate" not in e]
    assert states == ["TASK_STATE_WORKING", "TASK_STATE_COMPLETED"]  # (not the earlier pause)
    (artifact,) = [e["artifactUpdate"]["artifact"] for e in got if "artifactUpdate" in e]
    assert artifact["parts"][0]["text"] == "Result: removed /tmp/x"
    assert "artifactUpdate" in got[1] and got[0]["task"]["artifacts"] == []
