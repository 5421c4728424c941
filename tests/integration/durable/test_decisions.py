"""A decision belongs to the call that was waiting for it: a model that gives a later call
the id of an earlier one (Cohere's calls have no ids: Locus numbers them per turn) has the
later call wait for its own decision, and a decision for a call that is not waiting is
refused (``DurableRun.approve``: a ``ConfigurationError``) or, sent as a signal by a client
from before, ignored and shown in the run's events. Real Temporal dev server, worker in
this process."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from temporalio.client import Client, WorkflowExecutionStatus

from locus.agent import Agent
from locus.core.errors import AlreadyResumedError, ConfigurationError
from locus.core.messages import Message, ToolCall
from locus.core.toolspec import ToolSpec
from locus.durable.temporal import DurableRun, create_worker, start_run
from locus.testing import FunctionModel
from locus.tools import tool
from tests.deadlines import wait_until, within

PAID: list[int] = []


@tool(requires_approval=True)
def pay(amount: int) -> str:
    """Pay an amount, in euros."""
    PAID.append(amount)
    return f"paid {amount}"


def twice() -> FunctionModel:
    """Asks for ``pay`` 10, then ``pay`` 900 under the same id, then answers."""

    def answer(messages: list[Message], tools: list[ToolSpec]) -> Any:
        done = [m.text for m in messages if m.role == "tool"]
        if len(done) < 2:
            return ToolCall("cohere_call_0", "pay", {"amount": 10 if not done else 900})
        return " / ".join(done)

    return FunctionModel(answer)


async def _wait_for(run: DurableRun, expected: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """Until the run's waiting calls are ``expected`` (``(id, arguments)``; an id of ``""``
    stands for any: the agent gives a call whose id is taken one of its own); their ids (a
    failure after 60 s, or as soon as the run ends without them)."""

    async def waiting() -> list[str]:
        found = await run.pending()
        shown = zip(found, expected, strict=False)
        waiting = [(p.id if i else "", p.arguments) for p, (i, _) in shown]
        if len(found) == len(expected) and waiting == expected:
            return [p.id for p in found]
        description = await run.handle.describe()
        assert description.status == WorkflowExecutionStatus.RUNNING, (
            f"the run ended ({description.status}) while waiting for {expected}: {PAID}"
        )
        return []

    return await wait_until(waiting, f"the calls {expected} wait for a decision", every=0.02)


async def test_a_reused_call_id_waits_for_a_decision_of_its_own(client: Client) -> None:
    queue, name = f"q-{uuid.uuid4().hex[:8]}", f"tests.decisions:{uuid.uuid4().hex[:8]}"
    PAID.clear()
    async with create_worker(client, task_queue=queue, agents={name: Agent(twice(), tools=[pay])}):
        run = await start_run(client, name, "Pay twice.", task_queue=queue)
        await _wait_for(run, [("cohere_call_0", {"amount": 10})])
        await run.approve("cohere_call_0")
        # the second call, same id from the model: it waits for its own decision (the first
        # is not applied to it), under an id of its own (the agent renames a call whose id
        # the conversation holds: call_<run id>_<iteration>_<place>, since 9bcc078)
        (second,) = await _wait_for(run, [("", {"amount": 900})])
        assert second == f"call_{run.id}_2_0"
        assert PAID == [10]
        with pytest.raises(AlreadyResumedError):  # (the old id's decision is used up)
            await run.approve("cohere_call_0")
        await run.deny(second, "too much")
        result = await within(run.result(), "the run's result")
    assert PAID == [10]
    assert result.text.startswith("paid 10 / ") and "too much" in result.text


async def test_a_decision_for_a_call_that_is_not_waiting_is_refused_or_ignored(
    client: Client,
) -> None:
    queue, name = f"q-{uuid.uuid4().hex[:8]}", f"tests.decisions:{uuid.uuid4().hex[:8]}"
    PAID.clear()
    async with create_worker(client, task_queue=queue, agents={name: Agent(twice(), tools=[pay])}):
        run = await start_run(client, name, "Pay twice.", task_queue=queue)
        await _wait_for(run, [("cohere_call_0", {"amount": 10})])
        with pytest.raises(ConfigurationError, match="no call 'no-such-call' waits"):
            await run.approve("no-such-call")
        # a client from before sends a signal: dropped, and the events say so
        await run.handle.signal("locus.decide", {"call_id": "no-such-call", "approved": True})
        await run.approve("cohere_call_0")
        (second,) = await _wait_for(run, [("", {"amount": 900})])
        ignored = [e for e in await run.events() if e["kind"] == "decision_ignored"]
        assert [e["call_id"] for e in ignored] == ["no-such-call"]
        await run.deny(second)
        await within(run.result(), "the run's result")
    assert PAID == [10]
