"""``SubscribeToTask`` on a ``locus serve`` process that does not run the task, the other
process sharing its thread store (a SQLite file, or the test PostgreSQL), with the official
``a2a-sdk`` client: the task, then each change its record shows, in order and once, to
where the stream ends: its pause for approval (the calls it waits for), and, subscribed
again once an approval resumed it, its answer and its completion (docs/serving.md, "A2A").

The agent (``HERE:stepper``) waits at the file gate ``g1``, then asks to remove a file (a
call needing approval), which once approved waits at ``g2``.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from a2a.client import Client
from a2a.types import Role, StreamResponse, Task, TaskState
from google.protobuf.json_format import MessageToDict

from locus.agent import Agent
from locus.core.messages import Message, ToolCall
from locus.core.toolspec import ToolSpec
from locus.testing import FunctionModel
from locus.tools import tool
from tests.deadlines import within
from tests.integration.serve.test_a2a_across_servers import (
    approval,
    ask,
    get,
    postgres_server,
    store_url,
    two_servers,
    wait_for_gate,
)
from tests.integration.serve.test_a2a_http import client_of, collect
from tests.integration.serve.test_a2a_return_immediately import until_state, until_tool_runs
from tests.integration.serve.test_a2a_subscribe_servers import first_of, subscription

__all__ = ["postgres_server", "store_url"]  # (fixtures of test_a2a_across_servers)

HERE = "tests.integration.serve.test_a2a_subscribe_changes"
WORKING = TaskState.TASK_STATE_WORKING
INPUT_REQUIRED = TaskState.TASK_STATE_INPUT_REQUIRED
COMPLETED = TaskState.TASK_STATE_COMPLETED


@tool(requires_approval=True)
async def remove(path: str) -> str:
    """Remove the file at path once the gate g2 opens (asks a person first)."""
    gate = Path(os.environ["LOCUS_TEST_GATES"]) / "g2"
    for _ in range(3000):  # (at most a minute: a test that never opens it fails, not hangs)
        if gate.exists():
            return f"removed {path}"
        await asyncio.sleep(0.02)
    raise TimeoutError("gate g2 never opened")


def script(messages: list[Message], tools: list[ToolSpec]) -> Any:
    """Wait at ``g1``, then ask to remove a file, then say it is done."""
    last = messages[-1]
    if last.role == "tool" and "removed" in str(last.content):
        return f"Result: {last.content}"
    if last.role == "tool":
        return ToolCall(id="call-remove", name="remove", arguments={"path": "alpha"})
    return ToolCall(id="call-gate", name="wait_for_gate", arguments={"gate": "g1"})


def stepper() -> Agent:
    """``HERE:stepper``: its threads in the store ``LOCUS_TEST_THREADS`` names."""
    return Agent(
        FunctionModel(script),
        tools=[wait_for_gate, remove],
        thread_store=os.environ["LOCUS_TEST_THREADS"],
        name="stepper",
    )


def states(events: list[StreamResponse]) -> list[int]:
    return [e.status_update.status.state for e in events if e.HasField("status_update")]


def texts(events: list[StreamResponse]) -> list[str]:
    found = [e.artifact_update.artifact for e in events if e.HasField("artifact_update")]
    return ["".join(p.text for p in artifact.parts) for artifact in found]


async def started(sender: Client) -> Task:
    """A task of process one, answered at once, its run at the gate ``g1``."""
    request = ask("go", context_id="ctx-changes")
    request.configuration.return_immediately = True
    (answer,) = await collect(sender.send_message(request))
    await until_tool_runs(sender, answer.task.id)
    return answer.task


async def followed(other: Client, task_id: str, gate: Path) -> list[StreamResponse]:
    """Subscribe on process two (the task at a gate), open ``gate``: all it was sent."""
    stream = subscription(other, task_id)
    head = await first_of(stream)
    gate.touch()
    return [head, *await within(collect(stream), "the subscription ends")]


def test_a_subscriber_on_the_other_process_gets_each_change_of_the_task_in_order(
    emulator_json: Path, tmp_path: Path, store_url: str
) -> None:
    gates = tmp_path / "gates"
    with two_servers(emulator_json, tmp_path, store_url, "stepper", module=HERE) as (one, two):

        async def talk() -> tuple[list[StreamResponse], list[StreamResponse], Task]:
            async with (
                client_of(one.url, token=None, streaming=False) as sender,
                client_of(two.url, token=None) as other,
            ):
                task = await started(sender)
                paused = await followed(other, task.id, gates / "g1")
                resume = approval(await until_state(sender, task.id, INPUT_REQUIRED))
                resume.configuration.return_immediately = True
                await collect(sender.send_message(resume))
                await until_tool_runs(sender, task.id)  # (the approved call waits at g2)
                resumed = await followed(other, task.id, gates / "g2")
                return paused, resumed, await get(other, task.id)

        paused, resumed, final = asyncio.run(talk())
    assert paused[0].task.status.state == WORKING
    assert states(paused) == [INPUT_REQUIRED] and len(paused) == 2  # (its pause, and the end)
    data = MessageToDict(paused[-1].status_update.status.message)["parts"][1]["data"]
    assert [p["tool"] for p in data["pending"]] == ["remove"]
    assert resumed[0].task.status.state == WORKING
    assert resumed[0].task.history[-1].role == Role.ROLE_USER  # (the approval)
    assert texts(resumed) == ["Result: removed alpha"]  # its answer, once
    assert states(resumed) == [COMPLETED] and len(resumed) == 3
    assert final.status.state == COMPLETED
