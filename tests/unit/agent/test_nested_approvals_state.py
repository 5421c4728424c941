"""A caller paused by a sub-agent, as data: the nested state dumped and loaded (version 2),
resumed by fresh agents, on a thread (memory and SQLite), exactly once; a state that
cannot be resumed here is refused before it is claimed; a sub-run that pauses where no
caller can pause is a tool error, never an empty result."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from typing import Any

import pytest

from locus.agent import Agent, Approve, RunContext, RunState
from locus.core.errors import AlreadyResumedError, ConfigurationError, ThreadConflictError
from locus.core.messages import ToolCall
from locus.tools._executor import ToolExecutor
from tests.unit.agent.nested_models import asks, caller, clerk, lookup, refunded
from tests.unit.agent.test_approvals import store

__all__ = ["store"]  # a fixture (memory and SQLite), used by name


@pytest.fixture(autouse=True)
def _clear() -> None:
    refunded.clear()


def boss(**options: Any) -> Agent:
    agent = caller([asks("b1", "clerk", "A1")], [clerk().as_tool()])
    for name, value in options.items():
        setattr(agent._config, name, value)
    return agent


async def test_the_dump_holds_the_sub_run_and_fresh_agents_resume_it() -> None:
    paused = await boss().arun("go")
    assert paused.state is not None
    raw = json.loads(paused.state.dump())
    assert raw["v"] == 2
    assert raw["pending"] == [
        {"id": "c1", "tool": "refund", "arguments": {"order": "A1"}, "path": ["clerk"]}
    ]
    assert raw["nested"]["b1"]["agent_name"] == "clerk"
    assert raw["nested"]["b1"]["pending"] == [  # the sub-run's own view: written as v1
        {"id": "c1", "tool": "refund", "arguments": {"order": "A1"}}
    ]
    state = RunState.load(paused.state.dump())  # as another process would
    assert state.nested["b1"].pending[0].tool == "refund"
    done = await boss().resume(state, approvals={"c1": Approve()})
    assert done.text == "clerk: refunded A1" and refunded == ["A1"]
    with pytest.raises(AlreadyResumedError):
        await boss().resume(state, approvals={"c1": Approve()})
    assert refunded == ["A1"]


async def test_two_resumes_at_once_run_the_sub_agents_call_once() -> None:
    paused = await boss().arun("go")
    assert paused.state is not None
    data = paused.state.dump()
    outcomes = await asyncio.gather(
        boss().resume(RunState.load(data), approvals={"c1": Approve()}),
        boss().resume(RunState.load(data), approvals={"c1": Approve()}),
        return_exceptions=True,
    )
    assert sorted(type(o).__name__ for o in outcomes) == ["AgentResult", "AlreadyResumedError"]
    assert refunded == ["A1"]


async def test_on_a_thread(store: Any) -> None:
    paused = await boss(thread_store=store).arun("go", thread_id="t")
    assert paused.stop_reason == "awaiting_approval"
    stored = (await store.get_metadata("t"))["locus.paused_run"]
    assert stored["pending"][0]["path"] == ["clerk"] and "b1" in stored["nested"]
    with pytest.raises(ThreadConflictError, match=r"refund \(c1\)"):
        await boss(thread_store=store).arun("more", thread_id="t")
    assert await store.load("t") == []

    done = await boss(thread_store=store).resume(thread_id="t", approvals={"c1": Approve()})
    assert done.text == "clerk: refunded A1" and refunded == ["A1"]
    assert [m.role for m in await store.load("t")] == ["user", "assistant", "tool", "assistant"]
    with pytest.raises(AlreadyResumedError):
        await boss(thread_store=store).resume(thread_id="t", approvals={"c1": Approve()})
    assert refunded == ["A1"]


async def test_a_state_this_agent_cannot_resume_is_refused_before_it_is_claimed() -> None:
    paused = await boss().arun("go")
    assert paused.state is not None
    not_an_agent = caller([asks("b1", "clerk", "A1")], [lookup])
    not_an_agent._config.toolbox.executor.tools["clerk"] = lookup  # a plain tool named clerk
    with pytest.raises(ConfigurationError, match="no agent used as a tool named 'clerk'"):
        await not_an_agent.resume(paused.state, approvals={"c1": Approve()})
    renamed = clerk()
    renamed._config.name = "someone"
    other = caller([asks("b1", "clerk", "A1")], [renamed.as_tool(name="clerk")])
    with pytest.raises(ConfigurationError, match="paused by the agent 'clerk'"):
        await other.resume(paused.state, approvals={"c1": Approve()})
    assert refunded == []
    done = await boss().resume(paused.state, approvals={"c1": Approve()})  # still resumable
    assert done.text == "clerk: refunded A1"


async def test_a_changed_state_is_refused() -> None:
    paused = await caller(
        [asks("b1", "clerk", "A1"), asks("b2", "clerk", "A2")], [clerk().as_tool()]
    ).arun("go")
    assert paused.state is not None
    state = paused.state
    state.pending[0] = dataclasses.replace(state.pending[0], id="x")  # (edited by hand)
    with pytest.raises(ConfigurationError, match="do not match its paused sub-agent runs"):
        await boss().resume(state, approvals={"x": Approve(), "b2/c1": Approve()})
    assert refunded == []


async def test_a_sub_run_that_pauses_outside_a_tool_step_is_a_tool_error() -> None:
    executor = ToolExecutor([clerk().as_tool()])
    ctx: RunContext[None] = RunContext("direct", "r1", None, 0, None)
    outcome = await executor.run_one(ToolCall("x1", "clerk", {"input": "A1"}), ctx)
    assert outcome.is_error and refunded == []
    assert "the agent clerk paused for approval of refund (c1)" in outcome.message.text
    assert "no person can be asked" in outcome.message.text


async def test_approvals_must_name_the_shown_ids() -> None:
    paused = await caller(
        [asks("b1", "clerk", "A1"), asks("b2", "clerk", "A2")], [clerk().as_tool()]
    ).arun("go")
    assert paused.state is not None
    with pytest.raises(ConfigurationError, match="missing"):
        await boss().resume(paused.state, approvals={"c1": Approve()})


def test_runs_that_do_not_pause_or_resume_load_none_of_it() -> None:
    """The modules of resuming (``_paused_agent``) and of nested pauses (``_nested``) load
    with the first pause or resume, not with a plain run, a handoff or a sub-agent."""
    from tests.fresh import modules_after

    program = (
        "from locus.agent import Agent\n"
        "from locus.core.messages import ToolCall\n"
        "from locus.testing import ScriptedModel\n"
        "helper = Agent(ScriptedModel(['helped']), name='helper')\n"
        "billing = Agent(ScriptedModel(['billed']), name='billing')\n"
        "calls = [ToolCall('h', 'helper', {'input': 'x'})]\n"
        "model = ScriptedModel([calls, ToolCall('t', 'transfer_to_billing', {})])\n"
        "agent = Agent(model, tools=[helper.as_tool()], handoffs=[billing])\n"
        "assert agent.run_sync('go').text == 'billed'\n"
    )
    features = ("locus.agent._nested", "locus.agent._paused_agent", "locus.agent._state")
    assert modules_after(program, features) == set()
