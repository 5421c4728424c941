"""What a durable run records on a real Temporal dev server, read from its history: with
local activities (the default) each model answer is a marker and only the tool call is an
activity scheduled through the server; without them every call is an activity. The
answers are the same either way, and a worker without Temporal's sandbox runs the same
workflow. Histories recorded either way, and by a client that predates the setting,
replay with this code."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHistory
from temporalio.worker import Replayer, UnsandboxedWorkflowRunner

from locus.core.messages import Message
from locus.durable.temporal import DurableRun, start_run
from locus.durable.temporal import _wire as wire
from locus.durable.temporal._agents import serve
from locus.durable.temporal._workflow import WORKFLOW_NAME, AgentWorkflow
from locus.emulator import Emulator
from tests.deadlines import within
from tests.integration.durable.conftest import TRIP, Workers, tool_log

LISBON = "Done: 3 hotels in Lisbon, confirmed the hotel"


async def recorded(client: Client, run_id: str) -> Counter[str]:
    """How many events of each type the run's history holds; ``MARKER_RECORDED`` counts the
    local activities' markers, ``PATCH_MARKER`` the patches' (asked when a run starts)."""
    history = await client.get_workflow_handle(run_id).fetch_history()
    return Counter(_kind(e) for e in history.events)


def _kind(event: Any) -> str:
    name = EventType.Name(event.event_type).removeprefix("EVENT_TYPE_")
    marker = event.marker_recorded_event_attributes.marker_name
    if name == "MARKER_RECORDED" and marker == "core_patch":
        return "PATCH_MARKER"
    return name


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
    result = await within(started.result(), "the run's result")
    assert result.text == LISBON
    assert result.metrics.model_calls == 3 and chats(emu) == 3
    events = await recorded(client, started.id)
    assert events["MARKER_RECORDED"] == 3  # three model answers
    assert events["PATCH_MARKER"] == 3  # the run's patches, asked when it starts
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
    result = await within(started.result(), "the run's result")
    assert result.text == LISBON and chats(emu) == 3
    events = await recorded(client, started.id)
    assert events["MARKER_RECORDED"] == 0
    assert events["ACTIVITY_TASK_SCHEDULED"] == 5  # three model calls, two tool calls


@pytest.mark.parametrize("local", [True, False], ids=["local", "activities"])
async def test_recorded_histories_replay_with_this_code(
    client: Client,
    workers: Workers,
    env: dict[str, str],
    task_queue: str,
    monkeypatch: pytest.MonkeyPatch,
    local: bool,
) -> None:
    Path(env["LOCUS_RELEASE"]).touch()
    workers.start()
    settings = {"heartbeat": 30.0, "model": 600.0, "tool": 3600.0, "local": local}
    request = {
        "agent": TRIP,
        "prompt": wire.messages_to_json([Message.user("Plan a trip to Lisbon.")]),
        "thread_id": None,
        "settings": settings,
    }
    run_id = f"locus-run-{uuid.uuid4().hex}"
    await client.start_workflow(WORKFLOW_NAME, request, id=run_id, task_queue=task_queue)
    result = await within(DurableRun(client, run_id).result(), "the run's result")
    assert result.text == LISBON
    history = await client.get_workflow_handle(run_id).fetch_history()
    markers = (await recorded(client, run_id))["MARKER_RECORDED"]
    assert markers == (3 if local else 0)
    monkeypatch.setenv("LOCUS_EMU", env["LOCUS_EMU"])
    serve(TRIP)  # the replaying process serves the agent, as a worker does
    replayer = Replayer(workflows=[AgentWorkflow], workflow_runner=UnsandboxedWorkflowRunner())
    replayed = await replayer.replay_workflow(history)  # raises on a nondeterminism
    assert replayed.replay_failure is None


async def test_a_history_recorded_before_local_activities_replays(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # recorded by the code before this setting existed (every call an activity, no
    # "local" in the request): a worker upgraded mid-run must replay it unchanged
    recorded_file = Path(__file__).parent / "data" / "history_activities_only.json"
    saved = json.loads(recorded_file.read_text(encoding="utf-8"))
    history = WorkflowHistory.from_json(saved["workflow_id"], saved["history"])
    kinds = Counter(EventType.Name(e.event_type) for e in history.events)
    assert kinds["EVENT_TYPE_ACTIVITY_TASK_SCHEDULED"] == 5
    assert kinds["EVENT_TYPE_MARKER_RECORDED"] == 0
    monkeypatch.setenv("LOCUS_EMU", env["LOCUS_EMU"])
    serve(TRIP)
    replayer = Replayer(workflows=[AgentWorkflow], workflow_runner=UnsandboxedWorkflowRunner())
    replayed = await replayer.replay_workflow(history)
    assert replayed.replay_failure is None
