"""An agent used as a tool (``agent.as_tool``) runs durably inside a durable run, on a real
Temporal dev server with ``locus worker`` processes and the emulator: the sub-agent's
model calls are markers and its tool calls activities of the caller's workflow (each tool
runs once), its events reach ``DurableRun.events()`` wrapped as ``sub_agent_event``s, its
approval-gated tool waits for a decision sent from another process (ids
``<calling call id>/<its id>``, also when two parallel sub-runs' ids collide), and a worker
killed during the sub-agent's tool call is replaced without repeating the sub-agent's
completed model and tool calls. A history recorded before (the sub-run one
``locus.tool_call`` activity) still replays."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHistory
from temporalio.worker import Replayer, UnsandboxedWorkflowRunner

from locus.agent import PendingCall
from locus.core.messages import ToolCall
from locus.durable.temporal import DurableRun, start_run
from locus.durable.temporal._agents import serve
from locus.durable.temporal._workflow import AgentWorkflow
from locus.emulator import Emulator
from tests.deadlines import wait_until, within
from tests.integration.durable._decide import in_another_process
from tests.integration.durable.conftest import Workers, tool_log, tool_log_by_pid

DATA = Path(__file__).parent / "data"
DESK = "tests.integration.durable.agents:desk"
TWINS = "tests.integration.durable.agents:twins"
LISBON = "Done: Done: 3 hotels in Lisbon, confirmed the hotel"


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator(rules=str(DATA / "desk_rules.json")) as emulator:
        yield emulator


def chats(emu: Emulator) -> int:
    return sum(1 for r in emu.requests if r.operation == "chat")


async def recorded(client: Client, run_id: str) -> Counter[str]:
    history = await client.get_workflow_handle(run_id).fetch_history()
    return Counter(EventType.Name(e.event_type).removeprefix("EVENT_TYPE_") for e in history.events)


async def pending_calls(durable: DurableRun, count: int = 1) -> list[PendingCall]:
    async def enough() -> list[PendingCall]:
        found = await durable.pending()
        return found if len(found) >= count else []

    return await wait_until(enough, f"{count} call(s) of the run wait for a decision")


def calling(result: Any) -> ToolCall:
    """The caller's (first) tool call."""
    found: ToolCall = next(m for m in result.messages if m.tool_calls).tool_calls[0]
    return found


def unwrapped(event: dict[str, Any]) -> tuple[list[tuple[str, str]], dict[str, Any]]:
    """The (agent, calling call id) wrappers of an event, outermost first, and the event."""
    wrappers = []
    while event["kind"] == "sub_agent_event":
        wrappers.append((event["agent_name"], event["call_id"]))
        event = event["event"]
    return wrappers, event


async def test_a_sub_agent_runs_in_the_workflow_and_its_events_reach_the_caller(
    client: Client,
    workers: Workers,
    env: dict[str, str],
    emu: Emulator,
    task_queue: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    Path(env["LOCUS_RELEASE"]).touch()
    workers.start(DESK)
    durable = await start_run(client, DESK, "Ask the clerk about Lisbon.", task_queue=task_queue)
    result = await within(durable.result(), "the run's result")
    assert result.text == LISBON
    assert tool_log(env) == ["lookup Lisbon", "confirm-started the hotel", "confirm-done the hotel"]
    assert chats(emu) == 5 and result.metrics.sub_runs == 1
    assert result.metrics.model_calls == 2  # the caller's own; the clerk's 3 are in usage
    # the clerk's tokens are rolled up: the desk's own two calls spent 42 (the history
    # recorded before, where the clerk's run was one activity, shows only those)
    assert result.usage["total_tokens"] > 42
    events = await recorded(client, durable.id)
    assert events["ACTIVITY_TASK_SCHEDULED"] == 2  # lookup and confirm, not the clerk
    assert events["MARKER_RECORDED"] == 8  # five model answers and the three patch markers

    shown = await durable.events()
    desk_call = calling(result).id
    inner = [unwrapped(e) for e in shown if e["kind"] == "sub_agent_event"]
    assert {tuple(w) for w, _ in inner} == {(("clerk", desk_call),)}
    kinds = [e["kind"] for _, e in inner]
    assert kinds.count("tool_call_started") == 2 and kinds[-1] == "run_finished"
    assert [e["call"]["name"] for _, e in inner if e["kind"] == "tool_call_finished"] == [
        "lookup",
        "confirm",
    ]
    top = [e["kind"] for e in shown]
    started, finished = top.index("tool_call_started"), top.index("tool_call_finished")
    assert set(top[started + 1 : finished]) == {"sub_agent_event"}  # in between, in order

    history = await client.get_workflow_handle(durable.id).fetch_history()
    monkeypatch.setenv("LOCUS_EMU", env["LOCUS_EMU"])
    serve(DESK)
    replayer = Replayer(workflows=[AgentWorkflow], workflow_runner=UnsandboxedWorkflowRunner())
    assert (await replayer.replay_workflow(history)).replay_failure is None


async def test_a_history_recorded_with_the_sub_agent_as_one_activity_replays(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    saved = json.loads((DATA / "history_sub_agent_activity.json").read_text(encoding="utf-8"))
    history = WorkflowHistory.from_json(saved["workflow_id"], saved["history"])
    kinds = Counter(EventType.Name(e.event_type) for e in history.events)
    assert kinds["EVENT_TYPE_ACTIVITY_TASK_SCHEDULED"] == 1  # the clerk's whole run
    assert kinds["EVENT_TYPE_MARKER_RECORDED"] == 2  # the desk's two model answers
    monkeypatch.setenv("LOCUS_EMU", env["LOCUS_EMU"])
    serve(DESK)
    replayer = Replayer(workflows=[AgentWorkflow], workflow_runner=UnsandboxedWorkflowRunner())
    replayed = await replayer.replay_workflow(history)
    assert replayed.replay_failure is None


async def test_a_worker_killed_in_a_sub_agents_tool_call_repeats_none_of_its_steps(
    client: Client, workers: Workers, env: dict[str, str], emu: Emulator, task_queue: str
) -> None:
    first = workers.start(DESK)
    durable = await start_run(
        client, DESK, "Ask the clerk about Lisbon.", task_queue=task_queue, heartbeat_timeout=2.0
    )
    await wait_until(lambda: "confirm-started the hotel" in tool_log(env), "confirm started")
    assert chats(emu) == 3  # the desk's first answer, the clerk's two
    workers.kill(first)
    Path(env["LOCUS_RELEASE"]).touch()
    second = workers.start(DESK)
    result = await within(durable.result(), "the run's result after the new worker started")
    assert result.text == LISBON
    log = tool_log_by_pid(env)
    # the clerk's completed tool call ran once, on the killed worker; the interrupted one
    # ran again on the new worker (at least once: an attempt slower than the 2 s heartbeat
    # timeout is tried again) and finished there
    assert log[first.pid] == ["lookup Lisbon", "confirm-started the hotel"]
    again = log[second.pid]
    assert set(again) == {"confirm-started the hotel", "confirm-done the hotel"}, log
    assert again[-1] == "confirm-done the hotel" and set(log) == {first.pid, second.pid}
    assert chats(emu) == 5  # the three answers in the history were not asked again


@pytest.mark.parametrize("decision", ["approve", "deny"])
async def test_a_sub_agents_gated_call_is_decided_from_another_process(
    client: Client,
    workers: Workers,
    env: dict[str, str],
    task_queue: str,
    temporal_address: str,
    decision: str,
) -> None:
    workers.start(DESK)
    durable = await start_run(client, DESK, "Ask the clerk to pay Ada.", task_queue=task_queue)
    (pending,) = await pending_calls(durable)
    assert (pending.tool, pending.arguments) == ("pay", {"to": "Ada", "amount": 300})
    assert pending.path == ("clerk",) and pending.agent == "clerk"
    outer, inner = pending.id.split("/")
    asked = [unwrapped(e) for e in await durable.events() if e["kind"] == "sub_agent_event"]
    assert ([("clerk", outer)], {"kind": "approval_requested", "id": pending.id}) in [
        (w, {"kind": e["kind"], "id": e.get("id")}) for w, e in asked
    ]
    assert tool_log(env) == []
    in_another_process(temporal_address, durable.id, pending.id, decision, env)
    result = await within(durable.result(), "the run's result")
    if decision == "approve":
        assert result.text == "Done: Done: paid 300 euros to Ada"
        assert tool_log(env) == ["pay Ada 300"]
    else:
        assert result.text.startswith("Done: Done: Not run: a person denied this call")
        assert "refused from another process" in result.text and tool_log(env) == []
    assert (calling(result).name, calling(result).id) == ("clerk", outer) and inner


async def test_parallel_sub_runs_whose_call_ids_collide_are_decided_apart(
    client: Client, workers: Workers, env: dict[str, str], task_queue: str, temporal_address: str
) -> None:
    workers.start(TWINS)
    durable = await start_run(client, TWINS, "Pay both.", task_queue=task_queue)
    found = await pending_calls(durable, 2)
    shown = sorted((p.id, p.tool, p.arguments["to"], p.path) for p in found)
    assert shown == [
        ("call_1/call_1", "pay", "Ada", ("clerk",)),
        ("call_2/call_1", "pay", "Bob", ("clerk",)),
    ]
    in_another_process(temporal_address, durable.id, "call_2/call_1", "deny", env)
    in_another_process(temporal_address, durable.id, "call_1/call_1", "approve", env)
    result = await within(durable.result(), "the run's result")
    assert result.text == (
        "Done: Done: paid 300 euros to Ada; Done: Not run: a person denied this call. "
        "Reason: refused from another process"
    )
    assert tool_log(env) == ["pay Ada 300"]
    assert result.metrics.sub_runs == 2 and result.metrics.tool_calls == 2
