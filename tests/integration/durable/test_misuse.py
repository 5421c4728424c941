"""A durable run used as an outside user would misuse it, on a real Temporal dev server:
runs cancelled while a tool or the model call is in flight, runs that do not exist or have
ended, approvals answered twice or for a call that does not wait. Each is a typed Locus
error that says what to do, and the run loses nothing (its events, its history, its one
run of each tool)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from temporalio import workflow
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.worker import Worker

from locus.agent import Agent
from locus.core.errors import (
    AlreadyResumedError,
    ConfigurationError,
    RunCancelledError,
    RunError,
)
from locus.core.messages import Message, ToolCall
from locus.core.toolspec import ToolSpec
from locus.durable.temporal import DurableRun, create_worker, run, start_run
from locus.testing import FunctionModel
from locus.tools import tool
from tests.deadlines import wait_until, within
from tests.integration.durable.test_deps import turns


class Gate:
    """Released by a test: the slow tool and the slow model wait for it (a new event for
    each test: an event belongs to the loop that first waits on it)."""

    event = asyncio.Event()

    @classmethod
    async def wait(cls) -> None:
        await cls.event.wait()

    @classmethod
    def set(cls) -> None:
        cls.event.set()


NOTES: list[str] = []
"""What the tools did, in order."""


@tool
async def slow(what: str) -> str:
    """Works until released."""
    NOTES.append(f"slow-started {what}")
    try:
        await Gate.wait()
    except asyncio.CancelledError:
        NOTES.append(f"slow-cancelled {what}")
        raise
    NOTES.append(f"slow-done {what}")
    return f"did {what}"


@tool(requires_approval=True)
async def pay(amount: int) -> str:
    """Pay an amount (waits for the gate, so a test can answer again while it runs)."""
    NOTES.append(f"pay {amount}")
    await Gate.wait()
    return f"paid {amount}"


async def _slow_answer(messages: list[Message], tools: list[ToolSpec]) -> Any:
    NOTES.append("model-asked")
    await Gate.wait()
    return "late"


class Odd:
    """Not JSON."""


@tool
def odd() -> object:
    """Answers with a value that is not JSON."""
    return {"when": Odd()}


AGENTS: dict[str, Agent[Any]] = {
    "odd": Agent(
        turns([ToolCall("o1", "odd", {}), ToolCall("u1", "nowhere", {"a": 1})]),
        tools=[odd],
        name="o",
    ),
    "tool": Agent(turns([ToolCall("s1", "slow", {"what": "work"})]), tools=[slow], name="t"),
    "model": Agent(FunctionModel(_slow_answer), name="m"),
    "pay": Agent(turns([ToolCall("p1", "pay", {"amount": 3})]), tools=[pay], name="p"),
}


@asynccontextmanager
async def worker(client: Client) -> AsyncIterator[tuple[str, str]]:
    """A worker in this process serving ``AGENTS`` as ``<prefix>:<key>``; yields
    ``(prefix, queue)``."""
    prefix, queue = f"tests.misuse{uuid.uuid4().hex[:8]}", f"q-{uuid.uuid4().hex[:8]}"
    agents = {f"{prefix}:{key}": agent for key, agent in AGENTS.items()}
    Gate.event = asyncio.Event()
    NOTES.clear()
    try:
        async with create_worker(client, task_queue=queue, agents=agents):
            yield prefix, queue
    finally:
        Gate.set()


async def test_a_run_cancelled_while_its_tool_runs_is_a_run_cancelled_error(
    client: Client,
) -> None:
    async with worker(client) as (prefix, queue):
        started = await start_run(
            client, f"{prefix}:tool", "Go.", task_queue=queue, heartbeat_timeout=1.5
        )
        await wait_until(lambda: NOTES == ["slow-started work"], "the tool started")
        await started.cancel()
        with pytest.raises(RunCancelledError, match="was cancelled") as raised:
            await within(started.result(), "the run's result")
        assert started.id in str(raised.value)
        # the tool learns it at its next heartbeat (a third of heartbeat_timeout)
        await wait_until(lambda: "slow-cancelled work" in NOTES, "the tool was cancelled", 10)
        kinds = [event["kind"] for event in await started.events()]  # nothing is lost
    assert kinds == ["iteration_started", "tool_call_started"]
    assert (await started.handle.describe()).status == WorkflowExecutionStatus.CANCELED


async def test_a_run_cancelled_while_the_model_answers_is_a_run_cancelled_error(
    client: Client,
) -> None:
    async with worker(client) as (prefix, queue):
        started = await start_run(client, f"{prefix}:model", "Go.", task_queue=queue)
        await wait_until(lambda: NOTES == ["model-asked"], "the model call started")
        await started.cancel()
        # (a model call is a local activity, inside a workflow task that the worker holds
        # open: the cancel is seen when it extends that task, within 8 s)
        with pytest.raises(RunCancelledError, match="was cancelled"):
            await within(started.result(), "the run's result", 30)


async def test_a_run_that_does_not_exist_is_a_configuration_error_everywhere(
    client: Client,
) -> None:
    run_id = f"locus-run-nowhere-{uuid.uuid4().hex}"
    unknown = DurableRun(client, run_id)
    asks: list[Callable[[], Awaitable[Any]]] = [
        unknown.result,
        unknown.pending,
        unknown.events,
        lambda: unknown.approve("c1"),
        lambda: unknown.deny("c1"),
        unknown.cancel,
    ]
    for ask in asks:
        with pytest.raises(ConfigurationError) as raised:
            await ask()
        assert f"no durable run {run_id!r}" in str(raised.value)
        assert "DurableRun.id" in str(raised.value)


async def test_a_decision_for_an_ended_run_is_a_run_error_and_its_events_remain(
    client: Client,
) -> None:
    async with worker(client) as (prefix, queue):
        Gate.set()
        started = await start_run(client, f"{prefix}:pay", "Pay 3.", task_queue=queue)
        await wait_until(started.pending, "a call of the run waits for a decision")
        await started.approve("p1")
        assert (await within(started.result(), "the run's result")).text == "Done: paid 3"
        decisions: list[Callable[[], Awaitable[None]]] = [
            lambda: started.approve("p1"),
            lambda: started.deny("p1", "no"),
        ]
        for decide in decisions:
            with pytest.raises(RunError, match="has ended \\(completed\\)") as raised:
                await decide()
            assert "nothing waits for a decision" in str(raised.value)
        assert await started.pending() == []
        events = await started.events()
        await started.cancel()  # (nothing to stop: it stays completed)
    assert events[-1]["kind"] == "run_finished"
    assert (await started.handle.describe()).status == WorkflowExecutionStatus.COMPLETED


async def test_an_approval_for_a_call_that_does_not_wait_is_refused_and_changes_nothing(
    client: Client,
) -> None:
    async with worker(client) as (prefix, queue):
        started = await start_run(client, f"{prefix}:pay", "Pay 3.", task_queue=queue)
        await wait_until(started.pending, "a call of the run waits for a decision")
        with pytest.raises(ConfigurationError) as raised:
            await started.approve("p9")
        assert "no call 'p9' waits for a decision" in str(raised.value)
        assert "waiting: p1" in str(raised.value)
        assert [call.id for call in await started.pending()] == ["p1"]  # still waits
        await started.approve("p1")
        await wait_until(lambda: NOTES == ["pay 3"], "the approved call runs")
        # the call runs (it waits for the gate): a second answer is refused, typed
        answers: list[Callable[[], Awaitable[None]]] = [
            lambda: started.approve("p1"),
            lambda: started.deny("p1", "too late"),
        ]
        for again in answers:
            with pytest.raises(AlreadyResumedError, match="already approved") as twice:
                await again()
            assert "the first decision stands" in str(twice.value)
        Gate.set()
        result = await within(started.result(), "the run's result")
    assert result.text == "Done: paid 3" and NOTES == ["pay 3"]  # it ran once


async def test_two_answers_at_once_one_wins_the_other_is_refused(client: Client) -> None:
    async with worker(client) as (prefix, queue):
        Gate.set()
        started = await start_run(client, f"{prefix}:pay", "Pay 3.", task_queue=queue)
        await wait_until(started.pending, "a call of the run waits for a decision")
        answers = await asyncio.gather(
            started.approve("p1"), started.deny("p1", "no"), return_exceptions=True
        )
        result = await within(started.result(), "the run's result")
    # the loser is refused: AlreadyResumedError while the run is still going, or, when the
    # winner's decision let the run finish before the loser's reached it (seen in CI under
    # load), the RunError that says the run has ended and nothing sent to it changes it
    refused = [a for a in answers if isinstance(a, AlreadyResumedError) or _ended(a)]
    assert len(refused) == 1 and answers.count(None) == 1, answers
    if answers[0] is None:  # the approval won: the call ran, once
        assert result.text == "Done: paid 3" and NOTES == ["pay 3"]
    else:
        assert result.text.startswith("Done: Not run: a person denied") and NOTES == []


async def test_a_tool_answer_that_is_not_json_and_an_unknown_tool_are_arun_s_tool_errors(
    client: Client,
) -> None:
    agent = AGENTS["odd"]
    plain = await agent.arun("Go.")
    async with worker(client) as (prefix, queue):
        durable = await within(
            run(client, f"{prefix}:odd", "Go.", task_queue=queue), "the run's result"
        )
    shown = [(m.name, m.text, m.is_error) for m in durable.messages if m.role == "tool"]
    assert shown == [(m.name, m.text, m.is_error) for m in plain.messages if m.role == "tool"]
    assert shown == [
        (
            "odd",
            "Error: tool 'odd' returned a dict that cannot be turned into JSON text; return a "
            "str, a dict/list of plain values, or a pydantic model",
            True,
        ),
        ("nowhere", "Error: there is no tool named 'nowhere'; available tools: odd", True),
    ]
    assert durable.text == plain.text


async def test_a_run_cancelled_while_a_call_waits_for_approval_ends_cancelled(
    client: Client,
) -> None:
    async with worker(client) as (prefix, queue):
        started = await start_run(client, f"{prefix}:pay", "Pay 3.", task_queue=queue)
        await wait_until(started.pending, "a call of the run waits for a decision")
        await started.cancel()
        with pytest.raises(RunCancelledError):
            await within(started.result(), "the run's result")
        assert await started.pending() == []  # (answered from the replayed history)
        with pytest.raises(RunError, match="has ended \\(canceled\\)"):
            await started.approve("p1")
        kinds = [event["kind"] for event in await started.events()]
    assert kinds[-1] == "approval_requested" and NOTES == []  # the call never ran


@workflow.defn(name="locus.agent_run", sandboxed=False)
class WorkflowFromBefore:
    """The run's workflow as a worker from before ``locus.decide_call`` has it: decisions
    come only as the ``locus.decide`` signal."""

    def __init__(self) -> None:
        self.decisions: list[dict[str, Any]] = []

    @workflow.run
    async def run(self, request: dict[str, Any]) -> list[dict[str, Any]]:
        await workflow.wait_condition(lambda: bool(self.decisions))
        return self.decisions

    @workflow.signal(name="locus.decide")
    def decide(self, decision: dict[str, Any]) -> None:
        self.decisions.append(decision)


async def test_a_worker_from_before_the_update_still_takes_decisions(client: Client) -> None:
    queue = f"q-{uuid.uuid4().hex[:8]}"
    async with Worker(client, task_queue=queue, workflows=[WorkflowFromBefore]):
        handle = await client.start_workflow(
            "locus.agent_run", {}, id=f"locus-run-{uuid.uuid4().hex}", task_queue=queue
        )
        await DurableRun(client, handle.id).approve("p1", arguments={"amount": 4})
        decisions = await within(handle.result(), "the workflow's result")
    assert decisions == [{"call_id": "p1", "approved": True, "arguments": {"amount": 4}}]


async def test_a_question_no_worker_answers_says_which_task_queue_needs_one(
    client: Client,
) -> None:
    queue = f"q-nobody-{uuid.uuid4().hex[:8]}"
    started = await start_run(client, "tests.nobody:agent", "Hi.", task_queue=queue)
    try:
        with pytest.raises(ConfigurationError) as raised:  # (after Temporal's 30 s)
            await started.pending()
    finally:
        await started.handle.terminate()
    message = str(raised.value)
    assert f"task queue {queue!r}" in message and f"locus worker --task-queue {queue}" in message


def _ended(answer: object) -> bool:
    """The refusal of a decision sent to a run that has ended (``missing_or_ended``)."""
    return type(answer) is RunError and "has ended" in str(answer)
