"""An agent used as a tool whose run pauses for approval pauses its caller: the caller's
``pending`` shows the sub-agent's calls, and ``resume`` resumes the sub-run inside the
calling call, whose result is then the sub-run's output (events, usage, other calls of
the turn, parallel and nested sub-agents, a second pause, denials, colliding ids)."""

from __future__ import annotations

from typing import Any

import pytest

from locus.agent import (
    Agent,
    Approve,
    Deny,
    PendingCall,
    RunFinished,
    RunState,
    SubAgentEvent,
    ToolCallFinished,
    ToolCallStarted,
)
from locus.core.messages import ToolCall
from locus.testing import ScriptedModel
from tests.unit.agent.nested_models import (
    asks,
    caller,
    clerk,
    looked_up,
    lookup,
    refund,
    refunded,
)


@pytest.fixture(autouse=True)
def _clear() -> None:
    refunded.clear()
    looked_up.clear()


def test_the_brief_reproduction_pauses_the_boss_and_resumes_the_clerk() -> None:
    clerk_agent = Agent(
        ScriptedModel([ToolCall("c1", "refund", {"order": "A1"}), "clerk done"]),
        tools=[refund],
        name="clerk",
    )
    boss = Agent(
        ScriptedModel([asks("b1", "clerk", "refund A1"), "boss done"]),
        tools=[clerk_agent.as_tool()],
        name="boss",
    )
    paused = boss.run_sync("go")
    assert paused.stop_reason == "awaiting_approval"
    assert paused.pending == [PendingCall("c1", "refund", {"order": "A1"}, ("clerk",))]
    assert paused.pending[0].agent == "clerk" and refunded == []
    assert paused.state is not None and list(paused.state.nested) == ["b1"]
    assert paused.state.results == {}  # the calling call has no result yet

    done = boss.resume_sync(paused.state, approvals={"c1": Approve()})
    assert (done.stop_reason, done.text, refunded) == ("complete", "boss done", ["A1"])
    assert done.messages[-2].text == "clerk done"  # the clerk's output, the call's result
    assert done.metrics.sub_runs == 1


async def test_the_resumed_sub_run_is_the_calls_result_with_its_events() -> None:
    boss = caller([asks("b1", "clerk", "A1")], [clerk().as_tool()])
    paused = await boss.arun("go")
    assert paused.state is not None
    events = [e async for e in boss.resume_stream(paused.state, approvals={"c1": Approve()})]
    kinds = [
        (e.kind, e.call.id) for e in events if isinstance(e, ToolCallStarted | ToolCallFinished)
    ]
    assert kinds == [("tool_call_started", "b1"), ("tool_call_finished", "b1")]
    started = next(i for i, e in enumerate(events) if isinstance(e, ToolCallStarted))
    finished = next(i for i, e in enumerate(events) if isinstance(e, ToolCallFinished))
    inner = [e.event for e in events[started:finished] if isinstance(e, SubAgentEvent)]
    assert all(
        isinstance(e, SubAgentEvent) and e.call_id == "b1" for e in events[started + 1 : finished]
    )
    assert [(e.kind, e.call.name) for e in inner if isinstance(e, ToolCallFinished)] == [
        ("tool_call_finished", "refund")
    ]
    assert isinstance(inner[-1], RunFinished) and inner[-1].result.text == "clerk: refunded A1"
    last = events[-1]
    assert isinstance(last, RunFinished) and last.result.text == "clerk: refunded A1"
    assert refunded == ["A1"]


async def test_usage_and_metrics_match_a_run_that_never_paused() -> None:
    plain = await caller([asks("b1", "clerk", "A1")], [clerk(approval=False).as_tool()]).arun("go")
    boss = caller([asks("b1", "clerk", "A1")], [clerk().as_tool()])
    paused = await boss.arun("go")
    assert paused.state is not None
    assert paused.metrics.sub_runs == 1 and paused.usage.total_tokens > 0  # rolled up at the pause
    done = await boss.resume(RunState.load(paused.state.dump()), approvals={"c1": Approve()})
    assert done.text == plain.text == "clerk: refunded A1"
    assert done.usage == plain.usage
    for name in ("model_calls", "tool_calls", "sub_runs", "total_tokens", "prompt_tokens"):
        assert getattr(done.metrics, name) == getattr(plain.metrics, name), name


async def test_a_denial_is_read_by_the_sub_agent_whose_answer_the_caller_gets() -> None:
    boss = caller([asks("b1", "clerk", "A1")], [clerk().as_tool()])
    paused = await boss.arun("go")
    assert paused.state is not None
    done = await boss.resume(paused.state, approvals={"c1": Deny("paid twice")})
    assert done.text == "clerk: Not run: a person denied this call. Reason: paid twice"
    assert refunded == [] and not done.messages[-2].is_error


async def test_the_other_calls_of_the_turn_run_once_and_keep_their_results() -> None:
    helper = clerk("h1", approval=False)
    helper._config.name = "helper"
    calls = [
        ToolCall("l1", "lookup", {"order": "L1"}),
        asks("b1", "clerk", "A1"),
        asks("b2", "helper", "H1"),
    ]
    boss = caller(calls, [lookup, clerk().as_tool(), helper.as_tool()])
    paused = await boss.arun("go")
    assert paused.state is not None
    assert sorted(paused.state.results) == ["b2", "l1"]
    assert (looked_up, refunded) == (["L1"], ["H1"])  # the helper ran, the clerk waits
    done = await boss.resume(paused.state, approvals={"c1": Approve()})
    assert done.text == "L1 is paid | clerk: refunded A1 | clerk: refunded H1"
    assert (looked_up, refunded) == (["L1"], ["H1", "A1"])  # each ran once
    assert done.metrics.sub_runs == 2 and done.metrics.tool_calls == 3


async def test_two_parallel_sub_agents_that_pause_get_routable_ids() -> None:
    boss = caller([asks("b1", "clerk", "A1"), asks("b2", "clerk", "A2")], [clerk().as_tool()])
    paused = await boss.arun("go")
    assert [(p.id, p.arguments, p.path) for p in paused.pending] == [
        ("b1/c1", {"order": "A1"}, ("clerk",)),  # both clerks called their refund c1
        ("b2/c1", {"order": "A2"}, ("clerk",)),
    ]
    assert paused.state is not None
    done = await boss.resume(
        paused.state, approvals={"b1/c1": Approve(), "b2/c1": Deny("not this one")}
    )
    assert refunded == ["A1"]
    assert done.text == (
        "clerk: refunded A1 | clerk: Not run: a person denied this call. Reason: not this one"
    )


async def test_a_sub_call_id_that_collides_with_the_callers_is_prefixed() -> None:
    boss = caller([asks("c1", "clerk", "A1")], [clerk("c1").as_tool()])
    paused = await boss.arun("go")
    assert [p.id for p in paused.pending] == ["c1/c1"]
    assert paused.state is not None
    done = await boss.resume(paused.state, approvals={"c1/c1": Approve(arguments={"order": "Z"})})
    assert done.text == "clerk: refunded Z" and refunded == ["Z"]


async def test_a_caller_call_and_a_sub_call_pending_together() -> None:
    boss = caller(
        [ToolCall("r0", "refund", {"order": "OWN"}), asks("b1", "clerk", "A1")],
        [refund, clerk().as_tool()],
    )
    paused = await boss.arun("go")
    assert [(p.id, p.path) for p in paused.pending] == [("r0", ()), ("c1", ("clerk",))]
    assert paused.state is not None
    done = await boss.resume(paused.state, approvals={"r0": Deny("no"), "c1": Approve()})
    assert refunded == ["A1"]
    assert done.text.endswith("| clerk: refunded A1") and "Reason: no" in done.text


async def test_a_sub_agent_nested_in_a_sub_agent_pauses_the_top() -> None:
    desk = caller([asks("d1", "clerk", "A1")], [clerk().as_tool()], name="desk")
    top = caller([asks("t1", "desk", "please")], [desk.as_tool()], name="top")
    paused = await top.arun("go")
    assert [(p.id, p.tool, p.path) for p in paused.pending] == [("c1", "refund", ("desk", "clerk"))]
    assert paused.state is not None
    assert list(paused.state.nested["t1"].nested) == ["d1"]
    assert paused.metrics.sub_runs == 2
    state = RunState.load(paused.state.dump())
    events = [e async for e in top.resume_stream(state, approvals={"c1": Approve()})]
    assert refunded == ["A1"]
    last = events[-1]
    assert isinstance(last, RunFinished)
    result = last.result
    assert result.text == "clerk: refunded A1" and result.metrics.sub_runs == 2
    paths = {e.path for e in events if isinstance(e, SubAgentEvent)}
    assert paths == {("desk",), ("desk", "clerk")}


async def test_a_sub_run_that_pauses_again_pauses_the_caller_again() -> None:
    boss = caller([asks("b1", "clerk", "A1")], [clerk(again=True).as_tool()])
    first = await boss.arun("go")
    assert first.state is not None
    second = await boss.resume(first.state, approvals={"c1": Approve()})
    assert second.stop_reason == "awaiting_approval" and refunded == ["A1"]
    assert [(p.id, p.arguments) for p in second.pending] == [("c1-again", {"order": "A1b"})]
    assert second.state is not None and second.state.id != first.state.id
    assert second.metrics.sub_runs == 1 and second.metrics.tool_calls == 1
    done = await boss.resume(RunState.load(second.state.dump()), approvals={"c1-again": Approve()})
    assert done.text == "clerk: refunded A1b" and refunded == ["A1", "A1b"]
    plain = await caller(
        [asks("b1", "clerk", "A1")], [clerk(again=True, approval=False).as_tool()]
    ).arun("go")
    assert done.usage == plain.usage and done.metrics.sub_runs == plain.metrics.sub_runs == 1


async def test_typed_output_of_a_resumed_sub_run() -> None:
    from dataclasses import dataclass

    from locus.core.toolspec import ToolSpec
    from locus.testing import FunctionModel

    @dataclass
    class Refund:
        order: str
        done: bool

    def brain(messages: list[Any], tools: list[ToolSpec]) -> Any:
        if messages[-1].role == "user":
            return ToolCall("c1", "refund", {"order": "A1"})
        return ToolCall("f1", "final_result", {"order": "A1", "done": True})

    typed = Agent(FunctionModel(brain), tools=[refund], name="clerk")
    boss = caller([asks("b1", "clerk", "A1")], [typed.as_tool(output_type=Refund)])
    paused = await boss.arun("go")
    assert paused.state is not None
    done = await boss.resume(paused.state, approvals={"c1": Approve()})
    assert done.text == '{"order":"A1","done":true}'  # the typed output, as JSON


async def test_hooks_see_the_calling_call_at_the_pause_and_at_the_resume() -> None:
    from locus.agent import Hook, ToolResult

    seen: list[tuple[str, str, str]] = []

    class Watch(Hook):
        def before_tool_call(self, ctx: Any, call: ToolCall) -> None:
            seen.append(("before", call.id, ""))

        def after_tool_call(self, ctx: Any, call: ToolCall, result: ToolResult) -> ToolResult:
            seen.append(("after", call.id, result.content))
            return ToolResult("a hook's text no model reads")  # (the pause wins)

    boss = caller([asks("b1", "clerk", "A1")], [clerk().as_tool()])
    paused = await boss.arun("go", hooks=[Watch()])
    assert paused.stop_reason == "awaiting_approval" and paused.state is not None
    assert seen == [
        ("before", "b1", ""),
        ("after", "b1", "Paused: clerk waits for approval of refund (c1)."),
    ]
    seen.clear()
    done = await boss.resume(paused.state, approvals={"c1": Approve()}, hooks=[Watch()])
    assert seen == [("before", "b1", ""), ("after", "b1", "clerk: refunded A1")]
    assert done.text == "a hook's text no model reads" and refunded == ["A1"]


async def test_a_sub_agent_that_handed_off_before_pausing_resumes_where_it_paused() -> None:
    refunds = clerk()
    refunds._config.name = "refunds"
    front = Agent(
        ScriptedModel([ToolCall("t1", "transfer_to_refunds", {})]),
        name="front",
        handoffs=[refunds],
    )
    boss = caller([asks("b1", "front", "A1")], [front.as_tool()])
    paused = await boss.arun("go")
    assert [(p.id, p.path) for p in paused.pending] == [("c1", ("refunds",))]
    assert paused.state is not None
    assert paused.state.nested["b1"].handoffs == ["refunds"]
    done = await boss.resume(RunState.load(paused.state.dump()), approvals={"c1": Approve()})
    assert done.text == "clerk: refunded A1" and refunded == ["A1"]
