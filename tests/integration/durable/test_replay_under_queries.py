"""Every history replays, however its workflow tasks fell: runs polled by queries while
their model calls (local activities) are in flight, with a sub-agent and an approval.

Found by the CI run of the sub-agent example of docs/durable.md: its last query failed
with "Non-deprecated patch marker encountered for change locus.sub_agents_in_workflow".
The patches were asked where they are used (the first sub-agent call, the first call that
waits); when a local activity had resolved just as a workflow task closed (here, while
queries came in), the marker was written in the next task, but a replay reaches that
point in the first one. Twenty such runs at once gave 18 of 30 histories that did not
replay; the patches are now asked when the run starts.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import pytest
from temporalio.client import Client
from temporalio.worker import Replayer, UnsandboxedWorkflowRunner

from locus.agent import Agent
from locus.core.model import Model
from locus.durable.temporal import DurableRun, create_worker, start_run
from locus.durable.temporal._workflow import AgentWorkflow
from locus.emulator import Emulator
from locus.models import get_model
from locus.tools import tool
from tests.deadlines import wait_until, within

RUNS = 16


@tool(requires_approval=True)
def refund(order_id: str) -> str:
    """Refund an order."""
    return f"refunded order {order_id}"


@pytest.fixture
def desk() -> Iterator[Agent]:
    emu = Emulator().start()  # (its default answers: call the tool asked for, then say it)

    def model() -> Model:
        return get_model(
            "oci:meta.llama-3.3-70b-instruct",
            compartment_id=emu.compartment_id,
            config_file=emu.config_file,
            service_endpoint=emu.service_endpoint,
        )

    clerk = Agent(model(), tools=[refund], name="clerk", description="Handles refunds.")
    yield Agent(model(), tools=[clerk.as_tool()], name="desk")
    emu.stop()


async def _approved_run(client: Client, spec: str, queue: str) -> DurableRun:
    prompt = "Use clerk: use refund for order A17."
    durable = await start_run(client, spec, prompt, task_queue=queue)
    # (queries while the run's tasks run)
    what = "a call of the run waits for a decision"
    pending = await wait_until(durable.pending, what, every=0.02)
    await durable.approve(pending[0].id)
    result = await within(durable.result(), "the run's result")
    assert result.text.startswith("The result of clerk is")
    return durable


async def test_histories_of_queried_sub_agent_runs_all_replay(client: Client, desk: Agent) -> None:
    queue, spec = f"q-{uuid.uuid4().hex[:8]}", f"tests.replay:{uuid.uuid4().hex[:8]}"
    async with create_worker(client, task_queue=queue, agents={spec: desk}):
        runs = await asyncio.gather(*(_approved_run(client, spec, queue) for _ in range(RUNS)))
        histories = [await run.handle.fetch_history() for run in runs]
        for run in runs:  # a query on a finished run (replayed by the worker) answers
            assert any(e["kind"] == "sub_agent_event" for e in await run.events())
    replayer = Replayer(workflows=[AgentWorkflow], workflow_runner=UnsandboxedWorkflowRunner())
    failures = []
    for history in histories:
        replayed = await replayer.replay_workflow(history, raise_on_replay_failure=False)
        if replayed.replay_failure is not None:
            failures.append(str(replayed.replay_failure)[:200])
    assert failures == []
