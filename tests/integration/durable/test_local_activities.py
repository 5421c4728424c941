"""What a durable run records on a real Temporal dev server, read from its history: with
local activities (the default) each model answer is a marker and only the tool call is an
activity scheduled through the server; without them every call is an activity. The
answers are the same either way, and a worker without Temporal's sandbox runs the same
workflow."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from locus.durable.temporal import start_run
from locus.emulator import Emulator
from tests.integration.durable.conftest import TRIP, Workers, tool_log

LISBON = "Done: 3 hotels in Lisbon, confirmed the hotel"


async def recorded(client: Client, run_id: str) -> Counter[str]:
    """How many events of each type the run's history holds."""
    history = await client.get_workflow_handle(run_id).fetch_history()
    return Counter(EventType.Name(e.event_type).removeprefix("EVENT_TYPE_") for e in history.events)


def chats(emu: Emulator) -> int:
    return sum(1 for r in emu.requests if r.operation == "chat")


@pytest.mark.parametrize("options", [(), ("--no-sandbox",)], ids=["sandboxed", "unsandboxed"])
async def test_model_answers_are_markers_and_tools_are_activities(
    client: Client,
    workers: Workers,
    env: dict[str, str],
    emu: Emulator,
    task_queue: str,
    options: tuple[str, ...],
) -> None:
    Path(env["LOCUS_RELEASE"]).touch()
    workers.start(TRIP, *options)
    started = await start_run(client, TRIP, "Plan a trip to Lisbon.", task_queue=task_queue)
    result = await asyncio.wait_for(started.result(), 60)
    assert result.text == LISBON
    assert result.metrics.model_calls == 3 and chats(emu) == 3
    events = await recorded(client, started.id)
    assert events["MARKER_RECORDED"] == 3  # three model answers
    assert events["ACTIVITY_TASK_SCHEDULED"] == 2  # lookup, confirm
    assert events["ACTIVITY_TASK_COMPLETED"] == 2
    assert tool_log(env) == ["lookup Lisbon", "confirm-started the hotel", "confirm-done the hotel"]


async def test_without_local_activities_every_call_is_an_activity(
    client: Client, workers: Workers, env: dict[str, str], emu: Emulator, task_queue: str
) -> None:
    Path(env["LOCUS_RELEASE"]).touch()
    workers.start()
    started = await start_run(
        client, TRIP, "Plan a trip to Lisbon.", task_queue=task_queue, local_activities=False
    )
    result = await asyncio.wait_for(started.result(), 60)
    assert result.text == LISBON and chats(emu) == 3
    events = await recorded(client, started.id)
    assert events["MARKER_RECORDED"] == 0
    assert events["ACTIVITY_TASK_SCHEDULED"] == 5  # three model calls, two tool calls
