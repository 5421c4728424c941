"""A2A tasks of a server process that died: two ``locus serve`` processes share one thread
store (a SQLite file with a short lease, or the test PostgreSQL); one is killed
(``SIGKILL``: no shutdown, no last record) while it runs a task, and the other answers
for the task, ``TASK_STATE_FAILED`` with a message saying to send the message again, once
the dead one's locks are free (docs/serving.md, "A2A"). While the process lives, its task
is ``WORKING`` however often another asks; a paused task stays ``INPUT_REQUIRED``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

from a2a.client import Client
from a2a.types import ListTasksRequest, StreamResponse, Task, TaskState

from locus.agent import Agent
from locus.serve._a2a_orphans import STOPPED
from locus.stores import SQLiteThreadStore
from tests.deadlines import wait_until
from tests.integration.serve import test_a2a_across_servers as across_servers
from tests.integration.serve.conftest import ServeProcess
from tests.integration.serve.emulator_agent import model, recorded_delete
from tests.integration.serve.test_a2a_across_servers import (
    WAIT,
    _info,
    approval,
    ask,
    get,
    open_gate,
    postgres_server,
    ran,
    store_url,
    until_tool_runs,
    wait_for_gate,
)
from tests.integration.serve.test_a2a_http import client_of, collect

__all__ = ["postgres_server", "store_url"]  # (fixtures of test_a2a_across_servers)

HERE = "tests.integration.serve.test_a2a_dead_process"
LEASE_SECONDS = 3.0
"""The SQLite store's lease here: a lock of a process that died is free this long after
(on one machine, at once: a waiter asks the kernel whether the holder still runs)."""
WORKING = TaskState.TASK_STATE_WORKING
FAILED = TaskState.TASK_STATE_FAILED
PAUSED = TaskState.TASK_STATE_INPUT_REQUIRED


def relay() -> Agent:
    """``HERE:relay``: waits at gates and deletes files (with approval), its threads in the
    store ``LOCUS_TEST_THREADS`` names (a SQLite one with a short lease)."""
    url = os.environ["LOCUS_TEST_THREADS"]
    store: Any = url
    if url.startswith("sqlite:///"):
        store = SQLiteThreadStore(url.removeprefix("sqlite:///"), lease_seconds=LEASE_SECONDS)
    return Agent(
        model(_info()),
        tools=[wait_for_gate, recorded_delete],
        system_prompt="Use the tools when asked.",
        thread_store=store,
        name="relay",
    )


@contextlib.contextmanager
def two_servers(
    emulator_json: Path, tmp_path: Path, store: str
) -> Iterator[tuple[ServeProcess, ServeProcess]]:
    """Two ``locus serve`` processes of this module's relay agent (its short lease)."""
    with across_servers.two_servers(emulator_json, tmp_path, store, module=HERE) as both:
        yield both


def kill(server: ServeProcess) -> None:
    """``SIGKILL`` (as the OOM killer, or a node going away): nothing more is written."""
    os.killpg(server.proc.pid, signal.SIGKILL)


async def close(stream: AsyncIterator[StreamResponse]) -> None:
    """Let go of a stream whose server was killed (its connection is gone)."""
    aclose = getattr(stream, "aclose", None)
    if aclose is not None:
        with contextlib.suppress(Exception):
            await aclose()


async def listed(client: Client, context_id: str) -> list[Task]:
    return list((await client.list_tasks(ListTasksRequest(context_id=context_id))).tasks)


def test_a_task_of_a_killed_process_is_failed_on_the_other_saying_to_send_it_again(
    emulator_json: Path, tmp_path: Path, store_url: str
) -> None:
    with two_servers(emulator_json, tmp_path, store_url) as (one, two):

        async def talk() -> tuple[Task, Task, list[Task], Task]:
            async with client_of(two.url, token=None, streaming=False) as other:
                async with client_of(one.url, token=None) as first:
                    stream = first.send_message(ask(WAIT, context_id="ctx-dead"))
                    task_id = (await until_tool_runs(stream))[0].task.id
                    assert (await get(other, task_id)).status.state == WORKING
                    kill(one)
                    await close(stream)

                async def failed() -> Task | None:
                    task = await get(other, task_id)
                    return task if task.status.state == FAILED else None

                ended = await wait_until(failed, "the other process says the task failed")
                assert ended is not None
                again, tasks = await get(other, task_id), await listed(other, "ctx-dead")
                open_gate(tmp_path)  # (the message sent again runs to its end)
                (answer,) = await collect(other.send_message(ask(WAIT, context_id="ctx-dead")))
                return ended, again, tasks, answer.task

        ended, again, tasks, resent = asyncio.run(talk())
    assert ended.status.message.parts[0].text == STOPPED
    assert "stopped before the task ended" in STOPPED and "send the message again" in STOPPED
    assert again.status.state == FAILED and again.status.timestamp == ended.status.timestamp
    assert [(t.id, t.status.state) for t in tasks] == [(ended.id, FAILED)]
    assert resent.status.state == TaskState.TASK_STATE_COMPLETED  # (the context goes on)


def test_a_task_of_a_live_process_stays_working_however_often_the_other_asks(
    emulator_json: Path, tmp_path: Path, store_url: str
) -> None:
    with two_servers(emulator_json, tmp_path, store_url) as (one, two):

        async def talk() -> tuple[list[Any], list[Any], Task]:
            async with (
                client_of(one.url, token=None) as first,
                client_of(two.url, token=None, streaming=False) as other,
            ):
                stream = first.send_message(ask(WAIT, context_id="ctx-live"))
                events = await until_tool_runs(stream)
                task_id = events[0].task.id
                seen = [(await get(other, task_id)).status.state for _ in range(30)]
                tasks = [t.status.state for t in await listed(other, "ctx-live")]
                open_gate(tmp_path)
                events += [event async for event in stream]
                assert events[-1].status_update.status.state == TaskState.TASK_STATE_COMPLETED
                return seen, tasks, await get(other, task_id)

        seen, tasks, done = asyncio.run(talk())
    assert seen == [WORKING] * 30
    assert tasks == [WORKING]
    assert done.status.state == TaskState.TASK_STATE_COMPLETED


def test_a_paused_task_of_a_killed_process_stays_input_required_and_resumes_on_the_other(
    emulator_json: Path, tmp_path: Path, store_url: str
) -> None:
    with two_servers(emulator_json, tmp_path, store_url) as (one, two):

        async def talk() -> tuple[Task, list[Any], list[StreamResponse]]:
            async with client_of(one.url, token=None, streaming=False) as first:
                (paused,) = await collect(
                    first.send_message(ask("Use the delete_file tool to delete alpha"))
                )
            kill(one)
            async with client_of(two.url, token=None) as other:
                seen = [(await get(other, paused.task.id)).status.state for _ in range(10)]
                resumed = await collect(other.send_message(approval(paused.task)))
            return paused.task, seen, resumed

        paused, seen, resumed = asyncio.run(talk())
    assert paused.status.state == PAUSED
    assert seen == [PAUSED] * 10
    assert resumed[-1].status_update.status.state == TaskState.TASK_STATE_COMPLETED
    assert ran(tmp_path) == ["alpha"]
