"""``SubscribeToTask`` across real ``locus serve`` processes sharing one thread store (a
SQLite file, or the test PostgreSQL), with the official ``a2a-sdk`` client: on the process
running the task, two subscribers each get the task and then its events to its end, and
one that goes away stops nothing; on the other process, the task and then its end; an
ended task is the protocol's error (docs/serving.md, "A2A")."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from a2a.client import Client
from a2a.types import StreamResponse, SubscribeToTaskRequest, Task, TaskState
from a2a.utils.errors import UnsupportedOperationError

from tests.deadlines import within
from tests.integration.serve.test_a2a_across_servers import (
    get,
    open_gate,
    postgres_server,
    store_url,
    two_servers,
)
from tests.integration.serve.test_a2a_http import client_of, collect, text_of
from tests.integration.serve.test_a2a_return_immediately import (
    answered_at_once,
    until_state,
    until_tool_runs,
)

__all__ = ["postgres_server", "store_url"]  # (fixtures of test_a2a_across_servers)

WORKING = TaskState.TASK_STATE_WORKING
COMPLETED = TaskState.TASK_STATE_COMPLETED


def subscription(client: Client, task_id: str) -> AsyncIterator[StreamResponse]:
    return client.subscribe(SubscribeToTaskRequest(id=task_id))


async def first_of(stream: AsyncIterator[StreamResponse]) -> StreamResponse:
    return await within(anext(stream), "the subscription's first event")


def test_subscribers_on_the_running_process_get_the_task_then_its_events_to_the_end(
    emulator_json: Path, tmp_path: Path, store_url: str
) -> None:
    with two_servers(emulator_json, tmp_path, store_url) as (one, two):

        async def talk() -> tuple[list[list[StreamResponse]], Task]:
            async with (
                client_of(one.url, token=None, streaming=False) as sender,
                client_of(one.url, token=None) as first,
                client_of(one.url, token=None) as second,
                client_of(two.url, token=None, streaming=False) as other,
            ):
                task = await answered_at_once(sender, "ctx-sub-here")
                await until_tool_runs(sender, task.id)
                streams = [subscription(c, task.id) for c in (first, second)]
                heads = [await first_of(s) for s in streams]  # (both joined)
                open_gate(tmp_path)
                seen = [[head, *await collect(s)] for head, s in zip(heads, streams, strict=True)]
                return seen, await get(other, task.id)

        seen, recorded = asyncio.run(talk())
    for events in seen:
        assert events[0].task.status.state == WORKING
        assert events[-1].status_update.status.state == COMPLETED
        assert "gate g1 is open" in text_of(events)
    assert [e.SerializeToString() for e in seen[0][1:]] == [
        e.SerializeToString() for e in seen[1][1:]
    ]
    assert recorded.status.state == COMPLETED


def test_a_subscriber_that_goes_away_does_not_stop_the_run(
    emulator_json: Path, tmp_path: Path, store_url: str
) -> None:
    with two_servers(emulator_json, tmp_path, store_url) as (one, two):

        async def talk() -> tuple[StreamResponse, Task]:
            async with client_of(one.url, token=None, streaming=False) as sender:
                task = await answered_at_once(sender, "ctx-sub-gone")
                await until_tool_runs(sender, task.id)
            async with client_of(one.url, token=None) as first:
                stream = subscription(first, task.id)
                head = await first_of(stream)
                await stream.aclose()  # type: ignore[attr-defined]
            open_gate(tmp_path)  # (the subscriber and its connection are gone)
            async with client_of(two.url, token=None, streaming=False) as other:
                return head, await until_state(other, task.id, COMPLETED)

        head, done = asyncio.run(talk())
    assert head.task.status.state == WORKING
    assert "gate g1 is open" in "".join(p.text for a in done.artifacts for p in a.parts)


def test_a_subscriber_on_the_other_process_gets_the_task_then_its_end(
    emulator_json: Path, tmp_path: Path, store_url: str
) -> None:
    with two_servers(emulator_json, tmp_path, store_url) as (one, two):

        async def talk() -> list[StreamResponse]:
            async with (
                client_of(one.url, token=None, streaming=False) as sender,
                client_of(two.url, token=None) as other,
            ):
                task = await answered_at_once(sender, "ctx-sub-there")
                await until_tool_runs(sender, task.id)
                stream = subscription(other, task.id)
                head = await first_of(stream)
                open_gate(tmp_path)
                return [head, *await within(collect(stream), "the subscription ends")]

        events = asyncio.run(talk())
    assert events[0].task.status.state == WORKING
    assert events[-1].status_update.status.state == COMPLETED
    assert "gate g1 is open" in text_of(events)


def test_subscribing_to_an_ended_task_is_the_protocols_error_on_either_process(
    emulator_json: Path, tmp_path: Path, store_url: str
) -> None:
    with two_servers(emulator_json, tmp_path, store_url) as (one, two):
        open_gate(tmp_path)  # (the task runs to its end)

        async def talk() -> list[str]:
            refusals = []
            async with client_of(one.url, token=None, streaming=False) as sender:
                task = await answered_at_once(sender, "ctx-sub-ended")
                await until_state(sender, task.id, COMPLETED)
            for url in (one.url, two.url):
                async with client_of(url, token=None) as client:
                    with pytest.raises(UnsupportedOperationError) as refused:
                        await collect(subscription(client, task.id))
                    refusals.append(str(refused.value))
            return refusals

        refusals = asyncio.run(talk())
    assert all("terminal state (completed)" in r and "GetTask" in r for r in refusals)
