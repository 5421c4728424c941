"""``SendMessage`` with ``returnImmediately`` across real ``locus serve`` processes sharing
one thread store (a SQLite file, or the test PostgreSQL), with the official ``a2a-sdk``
client: answered while the run waits at its gate, followed by ``GetTask`` on the other
process to its end, not stopped by its client going away, stopped by ``CancelTask``, and,
on ``SIGTERM``, finished within the shutdown timeout or canceled and recorded after it
(docs/serving.md, "A2A")."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

from a2a.client import Client
from a2a.types import CancelTaskRequest, ListTasksRequest, SendMessageRequest, Task, TaskState
from google.protobuf.json_format import MessageToDict

from locus.serve._a2a_background import STOPPING
from tests.deadlines import SECONDS, wait_until, wait_until_sync
from tests.integration.serve.conftest import ServeProcess
from tests.integration.serve.test_a2a_across_servers import (
    WAIT,
    ask,
    get,
    open_gate,
    postgres_server,
    store_url,
    text_of,
    two_servers,
)
from tests.integration.serve.test_a2a_http import client_of, collect

__all__ = ["postgres_server", "store_url"]  # (fixtures of test_a2a_across_servers)

WORKING = TaskState.TASK_STATE_WORKING
COMPLETED = TaskState.TASK_STATE_COMPLETED
CANCELED = TaskState.TASK_STATE_CANCELED


def at_once(context_id: str) -> SendMessageRequest:
    request = ask(WAIT, context_id=context_id)
    request.configuration.return_immediately = True
    return request


async def answered_at_once(client: Client, context_id: str) -> Task:
    (answer,) = await collect(client.send_message(at_once(context_id)))
    return answer.task


async def until_state(client: Client, task_id: str, state: int) -> Task:
    async def check() -> Task | None:
        task = await get(client, task_id)
        return task if task.status.state == state else None

    found = await wait_until(check, f"GetTask says {TaskState.Name(state)}")
    assert found is not None
    return found


async def until_tool_runs(client: Client, task_id: str) -> None:
    """Until the process running the task says its tool call runs (it waits at its gate)."""

    async def check() -> bool:
        task = await get(client, task_id)
        return "toolCall" in json.dumps(MessageToDict(task.status.message))

    await wait_until(check, "the task's tool runs")


def test_return_immediately_answers_before_the_run_ends_and_the_other_process_follows_it(
    emulator_json: Path, tmp_path: Path, store_url: str
) -> None:
    with two_servers(emulator_json, tmp_path, store_url) as (one, two):

        async def talk() -> tuple[Task, Task, Task]:
            async with (
                client_of(one.url, token=None, streaming=False) as first,
                client_of(two.url, token=None, streaming=False) as other,
            ):
                answer = await answered_at_once(first, "ctx-at-once")
                working = await get(other, answer.id)
                open_gate(tmp_path)
                return answer, working, await until_state(other, answer.id, COMPLETED)

        answer, working, done = asyncio.run(talk())
    assert answer.status.state == WORKING  # (its gate was shut: the run had not ended)
    assert working.status.state == WORKING and working.context_id == "ctx-at-once"
    assert "gate g1 is open" in text_of(done)


def test_a_client_that_goes_away_at_once_does_not_stop_the_run(
    emulator_json: Path, tmp_path: Path, store_url: str
) -> None:
    with two_servers(emulator_json, tmp_path, store_url) as (one, two):
        request = at_once("ctx-gone")
        body = json.dumps(
            {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "SendMessage",
                "params": MessageToDict(request),
            }
        ).encode()
        address = urlsplit(one.url)
        with socket.create_connection((address.hostname, address.port), timeout=30) as sock:
            head = (
                f"POST /a2a/relay HTTP/1.1\r\nHost: {address.netloc}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
            )
            sock.sendall(head.encode() + body)  # and gone, without reading the answer

        async def talk() -> Task:
            async with client_of(two.url, token=None, streaming=False) as other:

                async def listed() -> list[Task]:
                    found = await other.list_tasks(ListTasksRequest(context_id="ctx-gone"))
                    return list(found.tasks)

                (task,) = await wait_until(listed, "the task is recorded")
                open_gate(tmp_path)
                return await until_state(other, task.id, COMPLETED)

        done = asyncio.run(talk())
    assert "gate g1 is open" in text_of(done)


def test_cancel_task_stops_a_task_answered_at_once(
    emulator_json: Path, tmp_path: Path, store_url: str
) -> None:
    with two_servers(emulator_json, tmp_path, store_url) as (one, two):

        async def talk() -> tuple[Task, Task]:
            async with (
                client_of(one.url, token=None, streaming=False) as first,
                client_of(two.url, token=None, streaming=False) as other,
            ):
                answer = await answered_at_once(first, "ctx-cancel-at-once")
                await until_tool_runs(first, answer.id)
                canceled = await first.cancel_task(CancelTaskRequest(id=answer.id))
                return canceled, await get(other, answer.id)

        canceled, seen = asyncio.run(talk())
    assert canceled.status.state == CANCELED
    assert seen.status.state == CANCELED  # recorded for every process


def refuses_connections(server: ServeProcess) -> bool:
    """Whether the server stopped listening (it has begun to stop)."""
    address = urlsplit(server.url)
    try:
        socket.create_connection((address.hostname, address.port), timeout=1).close()
    except OSError:
        return True
    return False


async def recorded(server: ServeProcess, task_id: str, state: int) -> Task:
    """The task once the other process reads ``state`` in its record."""
    async with client_of(server.url, token=None, streaming=False) as other:
        return await until_state(other, task_id, state)


def exited(server: ServeProcess) -> int:
    """The stopping server's exit status, once it has exited (it closes its agents'
    stores: with PostgreSQL, a pool's worker still resetting a lock connection when the
    event loop ended kept the process from ever exiting)."""
    try:
        return server.proc.wait(timeout=SECONDS)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"the stopped server did not exit within {SECONDS:g} s") from None


def test_a_stopping_server_lets_a_task_answered_at_once_finish(
    emulator_json: Path, tmp_path: Path, store_url: str
) -> None:
    with two_servers(emulator_json, tmp_path, store_url) as (one, two):

        async def start() -> Task:
            async with client_of(one.url, token=None, streaming=False) as first:
                answer = await answered_at_once(first, "ctx-stop")
                await until_tool_runs(first, answer.id)
                return answer

        answer = asyncio.run(start())
        one.proc.send_signal(signal.SIGTERM)
        wait_until_sync(lambda: refuses_connections(one), "the server begins to stop")
        open_gate(tmp_path)  # (it stopped listening before the run could end)
        done = asyncio.run(recorded(two, answer.id, COMPLETED))
        assert exited(one) == 0
    assert done.status.state == COMPLETED and "gate g1 is open" in text_of(done)


def test_a_stopping_server_cancels_a_task_answered_at_once_after_its_timeout_and_records_it(
    emulator_json: Path, tmp_path: Path, store_url: str
) -> None:
    args = ("--shutdown-timeout", "1")
    with two_servers(emulator_json, tmp_path, store_url, first_args=args) as (one, two):

        async def start() -> Task:
            async with client_of(one.url, token=None, streaming=False) as first:
                answer = await answered_at_once(first, "ctx-stop-late")
                await until_tool_runs(first, answer.id)
                return answer

        answer = asyncio.run(start())
        one.proc.send_signal(signal.SIGTERM)  # (its gate never opens)
        done = asyncio.run(recorded(two, answer.id, CANCELED))
        assert exited(one) == 0
    assert done.status.state == CANCELED
    assert STOPPING in done.status.message.parts[0].text
