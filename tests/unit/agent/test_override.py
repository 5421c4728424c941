"""``agent.override(model=..., deps=...)``: runs started inside the block use the given
model or deps; runs elsewhere, before and after, use the agent's own."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pytest

from locus.agent import Agent, Approve, RunContext
from locus.core.errors import ConfigurationError
from locus.core.messages import ToolCall
from locus.testing import ScriptedModel, ScriptedTurn
from locus.tools import tool
from tests.deadlines import within


@dataclass
class Db:
    name: str


@tool
def which_db(ctx: RunContext[Db]) -> str:
    """Name the database in use."""
    return ctx.deps.name


def _calls_which_db(answer: str) -> ScriptedModel:
    return ScriptedModel([ScriptedTurn(tool_calls=[ToolCall("c1", "which_db", {})]), answer])


async def test_runs_inside_the_block_use_the_override_and_outside_the_agents_model() -> None:
    production = ScriptedModel(["from production", "from production again"])
    agent = Agent(production, name="app")
    scripted = ScriptedModel(["from the test"])
    with agent.override(model=scripted):
        assert (await agent.arun("hi")).message == "from the test"
        assert agent.model is production  # the agent itself is not changed
    assert (await agent.arun("hi")).message == "from production"
    assert len(scripted.requests) == 1 and len(production.requests) == 1


async def test_a_model_string_is_built_like_the_agents() -> None:
    agent = Agent(ScriptedModel([]))
    with agent.override(model="mock:echo"):
        assert (await agent.arun("echo me")).message.endswith("echo me")


async def test_deps_override_what_the_run_passes() -> None:
    agent = Agent(_calls_which_db("done"), tools=[which_db], deps_type=Db)
    with agent.override(deps=Db("test-db")):
        result = await agent.arun("which?", deps=Db("prod-db"))
    assert [m.text for m in result.messages if m.role == "tool"] == ["test-db"]


async def test_blocks_nest_and_the_inner_one_wins_then_unwinds() -> None:
    agent = Agent(ScriptedModel(["own"]))
    outer, inner = ScriptedModel(["outer", "outer again"]), ScriptedModel(["inner"])
    with agent.override(model=outer, deps=Db("outer-db")):
        with agent.override(model=inner):
            assert (await agent.arun("x")).message == "inner"
        assert (await agent.arun("x")).message == "outer"
    assert (await agent.arun("x")).message == "own"


async def test_an_override_does_not_reach_runs_started_elsewhere_meanwhile() -> None:
    agent = Agent(ScriptedModel(["own"]))
    inside = asyncio.Event()
    release = asyncio.Event()

    async def under_override() -> str:
        with agent.override(model=ScriptedModel(["overridden"])):
            inside.set()
            await release.wait()
            return (await agent.arun("x")).message

    task = asyncio.create_task(under_override())
    await within(inside.wait(), "the override is in place")
    elsewhere = (await agent.arun("x")).message  # while the other task holds its override
    release.set()
    assert elsewhere == "own" and await task == "overridden"


async def test_an_agent_used_as_a_tool_is_overridden_inside_its_callers_run() -> None:
    helper = Agent(ScriptedModel(["helper's own"]), name="helper", description="Helps.")
    boss_model = ScriptedModel(
        [ScriptedTurn(tool_calls=[ToolCall("h1", "helper", {"input": "help"})]), "thanks"]
    )
    boss = Agent(boss_model, tools=[helper.as_tool()])
    with helper.override(model=ScriptedModel(["helper, overridden"])):
        result = await boss.arun("go")
    assert [m.text for m in result.messages if m.role == "tool"] == ["helper, overridden"]


async def test_a_handoff_reaches_the_overridden_agent() -> None:
    billing = Agent(ScriptedModel(["billing's own"]), name="billing", description="Bills.")
    front_model = ScriptedModel(
        [ScriptedTurn(tool_calls=[ToolCall("t1", "transfer_to_billing", {})])]
    )
    front = Agent(front_model, handoffs=[billing])
    with billing.override(model=ScriptedModel(["billing, overridden"])):
        result = await front.arun("refund me")
    assert result.message == "billing, overridden" and result.last_agent == "billing"


async def test_threads_are_shared_with_the_agents_own_runs() -> None:
    agent = Agent(ScriptedModel(["second"]))
    with agent.override(model=ScriptedModel(["first"])):
        await agent.arun("one", thread_id="t")
    result = await agent.arun("two", thread_id="t")
    assert [m.text for m in result.messages if m.role == "user"] == ["one", "two"]


async def test_a_resumed_run_uses_the_override() -> None:
    @tool(requires_approval=True)
    def delete_file(path: str) -> str:
        """Delete a file."""
        return f"deleted {path}"

    call = ToolCall("d1", "delete_file", {"path": "a.txt"})
    agent = Agent(ScriptedModel([ScriptedTurn(tool_calls=[call]), "own"]), tools=[delete_file])
    paused = await agent.arun("delete a.txt")
    assert paused.stop_reason == "awaiting_approval" and paused.state is not None
    with agent.override(model=ScriptedModel(["overridden after approval"])):
        done = await agent.resume(paused.state, approvals={"d1": Approve()})
    assert done.message == "overridden after approval"


def test_the_override_is_checked_like_the_agents_model() -> None:
    agent = Agent(ScriptedModel([]))
    with pytest.raises(ConfigurationError, match="model must be"), agent.override(model=42):  # type: ignore[arg-type]
        pass


async def test_a_run_paused_after_a_handoff_resumes_on_the_overridden_agent() -> None:
    @tool(requires_approval=True)
    def refund(order: str) -> str:
        """Refund an order."""
        return f"refunded {order}"

    billing = Agent(
        ScriptedModel(["billing's own"]), name="billing", description="Bills.", tools=[refund]
    )
    front_model = ScriptedModel(
        [ScriptedTurn(tool_calls=[ToolCall("t1", "transfer_to_billing", {})])]
    )
    front = Agent(front_model, handoffs=[billing])
    scripted = ScriptedModel(
        [ScriptedTurn(tool_calls=[ToolCall("r1", "refund", {"order": "A1"})]), "refunded, test"]
    )
    with billing.override(model=scripted):
        paused = await front.arun("refund A1")
        assert paused.stop_reason == "awaiting_approval" and paused.state is not None
        done = await front.resume(paused.state, approvals={"r1": Approve()})
    assert done.message == "refunded, test" and done.last_agent == "billing"
