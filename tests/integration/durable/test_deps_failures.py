"""What goes wrong with a durable run's deps, on a real Temporal dev server: a worker's deps
factory that raises fails the run at once with a ``ConfigurationError`` naming the factory
and the exception (it is not retried: the same value gives the same error), and the run's
history is kept; deps over the size limit are refused before the run starts. The run's
deps are in its workflow input only, not in each tool call's payload, and a history
recorded when every call carried them replays."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHistory
from temporalio.service import RPCError
from temporalio.worker import Replayer, UnsandboxedWorkflowRunner

from locus.core.errors import ConfigurationError, RunError
from locus.durable.temporal import start_run
from locus.durable.temporal._agents import serve
from locus.durable.temporal._deps import MAX_DEPS_BYTES
from locus.durable.temporal._workflow import AgentWorkflow
from tests.deadlines import within
from tests.integration.durable.test_deps import POOL, Account, asker, serving
from tests.integration.durable.test_worker_crash import history_text

DATA = Path(__file__).parents[2] / "data" / "durable"

BUILDS: list[Any] = []

RECORDED = asker()
"""The agent of ``history_deps_per_call.json``, served under this module's spec."""


def account_of(value: Any) -> Account:
    """A factory that needs ``user_id`` in the run's deps."""
    BUILDS.append(value)
    return Account(POOL, value["user_id"])


async def test_a_factory_that_raises_fails_the_run_at_once_and_keeps_its_history(
    client: Client,
) -> None:
    BUILDS.clear()
    async with serving(client, asker(), account_of) as (spec, queue):
        started = await start_run(client, spec, "Who am I?", task_queue=queue, deps={"user": "u-1"})
        with pytest.raises(ConfigurationError) as raised:
            await within(started.result(), "the run's result")
        # the failed run still answers: what it did, and that nothing waits
        kinds = [event["kind"] for event in await started.events()]
        assert kinds[:2] == ["iteration_started", "tool_call_started"]
        assert await started.pending() == []
        with pytest.raises(RunError, match="has ended \\(failed\\)"):
            await started.approve("w1")
    message = str(raised.value)
    assert "deps factory" in message and "account_of" in message
    assert "KeyError: 'user_id'" in message
    assert BUILDS == [{"user": "u-1"}]  # one attempt: a factory error is never retried
    described = await started.handle.describe()
    assert described.status == WorkflowExecutionStatus.FAILED
    history = await started.handle.fetch_history()
    kinds = [event.event_type for event in history.events]
    assert kinds.count(EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED) == 1
    assert EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED in kinds


async def test_deps_over_the_limit_are_refused_before_the_run_starts(client: Client) -> None:
    run_id = f"locus-run-{uuid.uuid4().hex}"
    big = {"user_id": "u-1", "notes": "x" * MAX_DEPS_BYTES}
    with pytest.raises(ConfigurationError) as raised:
        await start_run(client, "x.y:z", "hi", task_queue="nowhere", run_id=run_id, deps=big)
    message = str(raised.value)
    assert f"over the limit of {MAX_DEPS_BYTES} bytes" in message
    assert "create_worker(..., deps=" in message  # what to do: ids in, data in the worker
    with pytest.raises(RPCError, match="not found"):
        await client.get_workflow_handle(run_id).describe()


async def test_the_deps_are_in_the_workflow_input_once_not_in_each_call(client: Client) -> None:
    marker = f"only-once-{uuid.uuid4().hex}"
    async with serving(client, asker(), lambda v: Account(POOL, v["user_id"])) as (spec, q):
        started = await start_run(
            client, spec, "Who?", task_queue=q, deps={"user_id": "u-4", "tag": marker}
        )
        result = await within(started.result(), "the run's result")
    assert result.text.count("user u-4 via accounts") == 3  # three tool calls saw them
    history = await history_text(client, started.id)
    # (history_text holds the raw JSON, base64 payloads, then each payload decoded)
    assert history.count(marker) == 1


async def test_a_history_recorded_with_deps_in_every_call_replays() -> None:
    saved = json.loads((DATA / "history_deps_per_call.json").read_text())
    history = WorkflowHistory.from_json(saved["workflow_id"], saved["history"])
    serve(f"{__name__}:RECORDED", RECORDED)
    replayer = Replayer(workflows=[AgentWorkflow], workflow_runner=UnsandboxedWorkflowRunner())
    assert (await replayer.replay_workflow(history)).replay_failure is None
