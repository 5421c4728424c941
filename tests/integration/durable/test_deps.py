"""Per-run deps in durable runs, on a real Temporal dev server: ``start_run(deps=...)`` (a
JSON value, or a pydantic model) reaches the tools as the worker turns it into an object
(``create_worker(deps=...)``: nothing, a factory, a plain object), approval rule functions
see what the tools see, hooks in the workflow see the JSON value, a sub-agent used as a
tool gets the caller's deps, a run keeps its deps across an approval and across a worker
killed mid-run, a value that is not JSON is refused before anything starts, and histories
replay (a run with deps, and one recorded before deps existed). Tool messages are compared
with ``agent.arun``'s where the same deps object can be given to both."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
import json
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pydantic
import pytest
from temporalio.client import Client, WorkflowHistory
from temporalio.service import RPCError
from temporalio.worker import Replayer, UnsandboxedWorkflowRunner

from locus.agent import Agent, AgentResult, Approve, Hook, RunContext
from locus.core.errors import ConfigurationError
from locus.core.messages import Message, ToolCall
from locus.core.toolspec import ToolSpec
from locus.durable.temporal import create_worker, run, start_run
from locus.durable.temporal._agents import serve
from locus.durable.temporal._workflow import AgentWorkflow
from locus.testing import FunctionModel
from locus.tools import tool
from tests.deadlines import wait_until, within
from tests.integration.durable.conftest import TRIP, Workers, tool_log, tool_log_by_pid
from tests.integration.durable.test_worker_crash import history_text


@dataclasses.dataclass(frozen=True)
class Pool:
    """A worker's resource: it must never reach the history (its DSN holds a password)."""

    name: str
    dsn: str


@dataclasses.dataclass(frozen=True)
class Account:
    """What the tools see: the worker's pool and the run's user."""

    pool: Pool
    user_id: str
    limit: int = 1000


class User(pydantic.BaseModel):
    user_id: str
    limit: int = 1000


POOL = Pool("accounts", "postgresql://svc:s3cr3t-pool-password@db/accounts")
SEEN: list[Any] = []
"""The ``ctx.deps`` each tool call saw, in order."""


def shown(deps: Any) -> str:
    if isinstance(deps, Account):
        return f"user {deps.user_id} via {deps.pool.name}"
    if isinstance(deps, Pool):
        return f"pool {deps.name}"
    return f"value {json.dumps(deps, sort_keys=True)}"


@tool
def whoami(topic: str, ctx: RunContext[Any]) -> str:
    """Who the run acts for."""
    SEEN.append(ctx.deps)
    return f"{topic}: {shown(ctx.deps)}"


def over_limit(call: ToolCall, ctx: RunContext[Any]) -> bool:
    """A person decides when the amount is over the run's user's limit."""
    return int(call.arguments["amount"]) > int(ctx.deps.limit)


@tool(requires_approval=over_limit)
def pay(amount: int, ctx: RunContext[Account]) -> str:
    """Pay an amount of euros from the run's user's account."""
    return f"paid {amount} euros for {ctx.deps.user_id}"


def turns(*calls: Sequence[ToolCall]) -> FunctionModel:
    """A model that asks for each turn's calls in order, then answers with the results."""

    def answer(messages: list[Message], tools: list[ToolSpec]) -> Any:
        results = [m.text for m in messages if m.role == "tool"]
        asked = 0
        for turn in calls:
            if len(results) == asked:
                return list(turn)
            asked += len(turn)
        return "Done: " + " | ".join(results)

    return FunctionModel(answer)


def asker(name: str = "asker") -> Agent[Any]:
    """Two turns: one call of ``whoami``, then two at once."""
    first = [ToolCall("w1", "whoami", {"topic": "one"})]
    second = [ToolCall(f"w{i}", "whoami", {"topic": t}) for i, t in ((2, "two"), (3, "three"))]
    return Agent(turns(first, second), tools=[whoami], name=name)


def tool_messages(result: AgentResult[Any]) -> list[tuple[str | None, str, bool]]:
    return [(m.name, m.text, m.is_error) for m in result.messages if m.role == "tool"]


@asynccontextmanager
async def serving(client: Client, agent: Agent[Any], deps: Any = None) -> AsyncIterator[Any]:
    """A worker in this process serving ``agent`` with ``deps``; yields ``(spec, queue)``."""
    queue, spec = f"q-{uuid.uuid4().hex[:8]}", f"tests.durable_deps:{uuid.uuid4().hex[:8]}"
    async with create_worker(client, task_queue=queue, agents={spec: agent}, deps=deps):
        yield spec, queue


@pytest.mark.parametrize("given", [{"user_id": "u-17", "limit": 1000}, User(user_id="u-17")])
async def test_without_worker_deps_tools_read_the_runs_json_value(
    client: Client, given: Any
) -> None:
    agent = asker()
    plain = await agent.arun("Who am I?", deps={"user_id": "u-17", "limit": 1000})
    SEEN.clear()
    async with serving(client, agent) as (spec, queue):
        durable = await within(
            run(client, spec, "Who am I?", task_queue=queue, deps=given), "the run's result"
        )
    assert tool_messages(durable) == tool_messages(plain)
    assert (
        durable.text
        == plain.text
        == (
            'Done: one: value {"limit": 1000, "user_id": "u-17"} | '
            'two: value {"limit": 1000, "user_id": "u-17"} | '
            'three: value {"limit": 1000, "user_id": "u-17"}'
        )
    )
    assert SEEN == [{"user_id": "u-17", "limit": 1000}] * 3


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_a_factory_builds_each_runs_deps_once_in_the_worker(
    client: Client, kind: str
) -> None:
    built: list[Any] = []

    def build(value: Any) -> Account:
        built.append(value)
        return Account(POOL, value["user_id"])

    async def build_async(value: Any) -> Account:
        await asyncio.sleep(0)  # (a factory may await: read the user's account, say)
        return build(value)

    agent = asker()
    plain = await agent.arun("Who am I?", deps=Account(POOL, "u-1"))
    SEEN.clear()
    async with serving(client, agent, build if kind == "sync" else build_async) as (spec, q):
        first = await within(
            run(client, spec, "Who am I?", task_queue=q, deps={"user_id": "u-1"}),
            "the run's result",
        )
        second = await within(
            run(client, spec, "Who am I?", task_queue=q, deps={"user_id": "u-2"}),
            "the run's result",
        )
    assert tool_messages(first) == tool_messages(plain)
    assert first.text == "Done: one: user u-1 via accounts | two: user u-1 via accounts | " + (
        "three: user u-1 via accounts"
    )
    assert second.text == first.text.replace("u-1", "u-2")
    assert built == [{"user_id": "u-1"}, {"user_id": "u-2"}]  # once per run, not per call
    assert SEEN[0] is SEEN[1] is SEEN[2] and SEEN[3] is SEEN[4] is SEEN[5]
    assert [deps.user_id for deps in SEEN] == ["u-1"] * 3 + ["u-2"] * 3


async def test_a_plain_object_is_every_runs_deps_and_never_enters_the_history(
    client: Client,
) -> None:
    SEEN.clear()
    async with serving(client, asker(), POOL) as (spec, queue):
        with_value = await start_run(
            client, spec, "Who am I?", task_queue=queue, deps={"user_id": "u-9"}
        )
        with_result = await within(with_value.result(), "the run's result")
        assert with_result.text.count("pool accounts") == 3
        without = await within(run(client, spec, "Who am I?", task_queue=queue), "the run's result")
    assert without.text == "Done: one: pool accounts | two: pool accounts | three: pool accounts"
    assert len(SEEN) == 6 and all(deps is POOL for deps in SEEN)
    history = await history_text(client, with_value.id)
    assert '"user_id": "u-9"' in history or '"user_id":"u-9"' in history  # the run's value is
    assert "s3cr3t-pool-password" not in history and "postgresql://" not in history


class Recorder(Hook):
    """Notes what hooks (in the workflow) see as ``ctx.deps``."""

    def __init__(self) -> None:
        self.seen: list[Any] = []

    def on_run_start(self, ctx: RunContext[Any]) -> None:
        self.seen.append(ctx.deps)

    def before_tool_call(self, ctx: RunContext[Any], call: ToolCall) -> None:
        self.seen.append(ctx.deps)


async def test_hooks_in_the_workflow_see_the_json_value_and_tools_the_workers_object(
    client: Client,
) -> None:
    recorder = Recorder()
    agent = Agent(
        turns([ToolCall("w1", "whoami", {"topic": "one"})]),
        tools=[whoami],
        hooks=[recorder],
        name="hooked",
    )
    SEEN.clear()
    async with serving(client, agent, lambda value: Account(POOL, value["user_id"])) as (s, q):
        result = await within(
            run(client, s, "Who?", task_queue=q, deps=User(user_id="u-3")), "the run's result"
        )
    assert result.text == "Done: one: user u-3 via accounts"
    assert [Account(POOL, "u-3")] == SEEN
    # the workflow may be replayed in this process: every note is the JSON value
    assert recorder.seen and all(
        seen == {"user_id": "u-3", "limit": 1000} for seen in recorder.seen
    )


async def test_a_sub_agents_tools_get_the_callers_deps(client: Client) -> None:
    clerk = Agent(
        turns([ToolCall("c1", "whoami", {"topic": "clerk"})]),
        tools=[whoami],
        name="clerk",
        description="Answers who the user is.",
    )
    desk = Agent(
        turns([ToolCall("d1", "clerk", {"input": "who is it?"})]),
        tools=[clerk.as_tool()],
        name="desk",
    )
    plain = await desk.arun("Who?", deps=Account(POOL, "u-5"))
    SEEN.clear()
    async with serving(client, desk, lambda value: Account(POOL, value["user_id"])) as (s, q):
        durable = await within(
            run(client, s, "Who?", task_queue=q, deps={"user_id": "u-5"}), "the run's result"
        )
    assert tool_messages(durable) == tool_messages(plain)
    assert durable.text == plain.text == "Done: Done: clerk: user u-5 via accounts"
    assert [Account(POOL, "u-5")] == SEEN and durable.metrics.sub_runs == 1


async def test_an_approval_rule_sees_the_deps_and_the_approved_call_keeps_them(
    client: Client,
) -> None:
    agent = Agent(turns([ToolCall("p1", "pay", {"amount": 300})]), tools=[pay], name="payer")
    paused = await agent.arun("Pay 300.", deps=Account(POOL, "u-2", limit=100))
    assert [p.tool for p in paused.pending] == ["pay"]
    approved = {p.id: Approve() for p in paused.pending}
    plain = await agent.resume(paused.state, approvals=approved, deps=Account(POOL, "u-2", 100))

    def build(value: Any) -> Account:
        return Account(POOL, value["user_id"], int(value["limit"]))

    async with serving(client, agent, build) as (spec, queue):
        rich = await within(
            run(client, spec, "Pay 300.", task_queue=queue, deps={"user_id": "u-1", "limit": 500}),
            "the run's result",
        )
        assert rich.text == "Done: paid 300 euros for u-1"  # under the limit: no approval
        durable = await start_run(
            client, spec, "Pay 300.", task_queue=queue, deps={"user_id": "u-2", "limit": 100}
        )
        pending = await wait_until(durable.pending, "a call of the run waits for a decision")
        assert [(p.id, p.tool) for p in pending] == [("p1", "pay")]
        await durable.approve("p1")
        result = await within(durable.result(), "the run's result")
    assert result.text == plain.text == "Done: paid 300 euros for u-2"
    assert tool_messages(result) == tool_messages(plain)


@pytest.mark.parametrize(
    ("deps", "where"),
    [
        (POOL, "deps is of type Pool"),
        ({"user_id": "u-1", "since": datetime.date(2026, 1, 1)}, "deps['since'] is of type date"),
        ({1: "u-1"}, "deps has the int key 1 (JSON keys are strings)"),
        ([float("inf")], "deps[0] is inf, not a JSON number"),
    ],
)
async def test_deps_that_are_not_json_are_refused_before_the_run_starts(
    client: Client, deps: Any, where: str
) -> None:
    run_id = f"locus-run-{uuid.uuid4().hex}"
    with pytest.raises(ConfigurationError) as raised:
        await start_run(client, "x.y:z", "hi", task_queue="nowhere", run_id=run_id, deps=deps)
    message = str(raised.value)
    assert message.startswith(where + ":")
    assert "Temporal's history" in message and "create_worker(..., deps=" in message
    with pytest.raises(RPCError, match="not found"):
        await client.get_workflow_handle(run_id).describe()


async def test_tools_that_need_a_deps_type_say_so_when_the_worker_gives_another(
    client: Client,
) -> None:
    @tool
    def whose(ctx: RunContext[Account]) -> str:
        """Whose account."""
        return ctx.deps.user_id

    agent = Agent(
        turns([ToolCall("a1", "whose", {})]), tools=[whose], name="typed", deps_type=Account
    )
    async with serving(client, agent) as (spec, queue):  # no factory: tools get the dict
        started = await start_run(client, spec, "Whose?", task_queue=queue, deps={"user_id": "x"})
        with pytest.raises(ConfigurationError, match="deps_type=Account") as raised:
            await within(started.result(), "the run's result")
    assert "create_worker(..., deps=lambda value: Account(...))" in str(raised.value)


TELLER = "tests.integration.durable.agents:teller"
TELLER_DEPS = "tests.integration.durable.agents:account_deps"


async def test_a_worker_that_replaces_a_killed_one_builds_the_runs_deps_again(
    client: Client, workers: Workers, env: dict[str, str], task_queue: str
) -> None:
    first = workers.start(TELLER, "--deps", TELLER_DEPS)
    started = await start_run(
        client,
        TELLER,
        "Hold 30 euros.",
        task_queue=task_queue,
        heartbeat_timeout=2.0,
        deps={"user_id": "u-17"},
    )
    await wait_until(lambda: "hold-started u-17 30" in tool_log(env), "hold started")
    workers.kill(first)
    Path(env["LOCUS_RELEASE"]).touch()
    second = workers.start(TELLER, "--deps", TELLER_DEPS)
    result = await within(started.result(), "the run's result after the new worker started")
    assert result.text == "Done: u-17 has 40 euros; held 30 euros for u-17"
    log = tool_log_by_pid(env)
    # built once for the run's two calls on the first worker
    assert log[first.pid] == ["deps u-17", "balance u-17", "hold-started u-17 30"]
    # and again, from the run's value, on the second, which runs hold again and finishes it
    # (at least once: an attempt slower than the 2 s heartbeat timeout is tried again)
    done = f"hold-done u-17 30 by {second.pid}"
    again = log[second.pid]
    assert again[0] == "deps u-17" and again[-1] == done, log
    assert set(again) == {"deps u-17", "hold-started u-17 30", done}, log
    assert set(log) == {first.pid, second.pid}


async def test_a_run_with_deps_and_one_recorded_before_deps_replay(
    client: Client, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    async with serving(client, asker(), lambda v: Account(POOL, v["user_id"])) as (spec, q):
        started = await start_run(client, spec, "Who?", task_queue=q, deps={"user_id": "u-4"})
        assert "user u-4" in (await within(started.result(), "the run's result")).text
    replayer = Replayer(workflows=[AgentWorkflow], workflow_runner=UnsandboxedWorkflowRunner())
    history = await client.get_workflow_handle(started.id).fetch_history()
    assert (await replayer.replay_workflow(history)).replay_failure is None
    # recorded before deps existed (no deps in its input or its tool calls)
    saved = json.loads(
        (Path(__file__).parent / "data" / "history_activities_only.json").read_text()
    )
    old = WorkflowHistory.from_json(saved["workflow_id"], saved["history"])
    monkeypatch.setenv("LOCUS_EMU", env["LOCUS_EMU"])
    serve(TRIP)
    assert (await replayer.replay_workflow(old)).replay_failure is None
