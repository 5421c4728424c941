"""A sub-agent's run inside an AG-UI stream: SUBAGENT_STARTED/FINISHED/ERROR around it,
its own events attributed by ``subagentRunId``, its tool calls with ids of their own.

Agents on ``FunctionModel``s, the app in process; every event validates as an
``ag-ui-protocol`` 1.0 event.
"""

from __future__ import annotations

import json
from typing import Any

from ag_ui.core import EventType

from locus.agent import Agent, IterationStarted, SubAgentEvent, ToolCallStarted
from locus.core.errors import ModelError
from locus.core.messages import Message, ToolCall
from locus.core.toolspec import ToolSpec
from locus.serve import create_app
from locus.serve._agui import AGUIEncoder
from locus.testing import FunctionModel
from locus.tools import tool
from tests.unit.serve.conftest import AppClient
from tests.unit.serve.test_agui_routes import EVENTS, events_of, run_input


@tool
def stock(item: str) -> int:
    """Units of an item in stock."""
    return 12


def calls_then_says(name: str, arguments: dict[str, Any], answer: str) -> FunctionModel:
    """A model that calls ``name`` once (id ``call-1``), then answers ``answer`` + result."""

    def fn(messages: list[Message], tools: list[ToolSpec]) -> Any:
        if messages[-1].role == "tool":
            return f"{answer}{messages[-1].content}"
        return ToolCall(id="call-1", name=name, arguments=arguments)

    return FunctionModel(fn)


def clerk() -> Agent:
    model = calls_then_says("stock", {"item": "pens"}, "Pens: ")
    return Agent(model, tools=[stock], name="clerk", description="Stock questions.")


def manager(helper: Agent) -> Agent:
    model = calls_then_says("clerk", {"input": "how many pens?"}, "Clerk says ")
    return Agent(model, tools=[helper.as_tool()], name="manager")


def of_run(events: list[Any], run_id: str) -> list[Any]:
    """The events attributed to the sub-run ``run_id`` (not its SUBAGENT_* frame)."""
    attributed = [e for e in events if getattr(e, "subagent_run_id", None) == run_id]
    return [e for e in attributed if not e.type.name.startswith("SUBAGENT_")]


async def test_a_sub_agent_run_is_framed_and_attributed(client: AppClient) -> None:
    http = client(create_app({"manager": manager(clerk())}))
    events = events_of((await http.post("/v1/agents/manager/runs", json=run_input("pens?"))).text)
    kinds = [e.type for e in events]
    started = events[kinds.index(EventType.SUBAGENT_STARTED)]
    finished = events[kinds.index(EventType.SUBAGENT_FINISHED)]
    sub = started.subagent_run_id
    assert (started.name, started.parent_tool_call_id) == ("clerk", "call-1")
    assert started.parent_subagent_run_id is None
    # framed inside the caller's tool call: after its END, before its RESULT
    caller_end = kinds.index(EventType.TOOL_CALL_END)
    caller_result = next(
        i
        for i, e in enumerate(events)
        if e.type == EventType.TOOL_CALL_RESULT and e.tool_call_id == "call-1"
    )
    assert caller_end < kinds.index(EventType.SUBAGENT_STARTED)
    assert kinds.index(EventType.SUBAGENT_FINISHED) < caller_result
    # everything between the frame belongs to the sub-run, and names it
    inside = events[
        kinds.index(EventType.SUBAGENT_STARTED) + 1 : kinds.index(EventType.SUBAGENT_FINISHED)
    ]
    assert inside and inside == of_run(events, sub)
    assert [e.type for e in inside if e.type.name.startswith("TOOL_CALL")] == [
        EventType.TOOL_CALL_START,
        EventType.TOOL_CALL_ARGS,
        EventType.TOOL_CALL_END,
        EventType.TOOL_CALL_RESULT,
    ]
    start = next(e for e in inside if e.type == EventType.TOOL_CALL_START)
    result = next(e for e in inside if e.type == EventType.TOOL_CALL_RESULT)
    # the sub-agent's model also said call-1: its id in the stream is its own
    assert (start.tool_call_id, start.tool_call_name) == (f"{sub}:call-1", "stock")
    assert (result.tool_call_id, result.content) == (f"{sub}:call-1", "12")
    text = "".join(e.delta for e in inside if e.type == EventType.TEXT_MESSAGE_CONTENT)
    assert text == "Pens: 12" and finished.result == "Pens: 12"
    assert [e.type for e in inside].count(EventType.STEP_STARTED) == 2
    # the caller's own events carry no attribution and its answer is unchanged
    assert events[caller_result].content == "Pens: 12"
    assert events[-1].type == EventType.RUN_FINISHED and events[-1].result == "Clerk says Pens: 12"
    assert not of_run(events[: kinds.index(EventType.SUBAGENT_STARTED)], sub)


async def test_a_nested_sub_agent_names_its_parent_run(client: AppClient) -> None:
    middle_model = calls_then_says("clerk", {"input": "count pens"}, "Middle: ")
    middle = Agent(middle_model, tools=[clerk().as_tool()], name="middle")
    top = Agent(calls_then_says("middle", {"input": "ask"}, "Top: "), tools=[middle.as_tool()])
    http = client(create_app({"top": top}))
    events = events_of((await http.post("/v1/agents/top/runs", json=run_input("go"))).text)
    starts = [e for e in events if e.type == EventType.SUBAGENT_STARTED]
    assert [s.name for s in starts] == ["middle", "clerk"]
    outer, inner = starts
    assert outer.parent_tool_call_id == "call-1" and outer.parent_subagent_run_id is None
    assert inner.parent_subagent_run_id == outer.subagent_run_id
    # the clerk was called by the middle agent's call, whose stream id is namespaced
    assert inner.parent_tool_call_id == f"{outer.subagent_run_id}:call-1"
    finishes = [e for e in events if e.type == EventType.SUBAGENT_FINISHED]
    assert [f.subagent_run_id for f in finishes] == [inner.subagent_run_id, outer.subagent_run_id]
    assert [f.result for f in finishes] == ["Pens: 12", "Middle: Pens: 12"]
    clerk_calls = [
        e for e in of_run(events, inner.subagent_run_id) if e.type == EventType.TOOL_CALL_START
    ]
    assert [c.tool_call_name for c in clerk_calls] == ["stock"]


async def test_a_failed_sub_agent_ends_with_subagent_error(client: AppClient) -> None:
    def broken(messages: list[Message], tools: list[ToolSpec]) -> Any:
        raise ModelError("the clerk's model is down")

    helper = Agent(FunctionModel(broken), name="clerk")
    http = client(create_app({"manager": manager(helper)}))
    events = events_of((await http.post("/v1/agents/manager/runs", json=run_input("pens?"))).text)
    kinds = [e.type for e in events]
    assert EventType.SUBAGENT_FINISHED not in kinds
    error = events[kinds.index(EventType.SUBAGENT_ERROR)]
    started = events[kinds.index(EventType.SUBAGENT_STARTED)]
    assert error.subagent_run_id == started.subagent_run_id
    assert "the clerk's model is down" in error.message and error.code
    result = events[kinds.index(EventType.SUBAGENT_ERROR) + 1]
    assert result.type == EventType.TOOL_CALL_RESULT and result.tool_call_id == "call-1"
    assert result.metadata == {"isError": True}
    assert kinds[-1] == EventType.RUN_FINISHED


def test_a_run_failing_mid_sub_run_closes_the_sub_run_first() -> None:
    encoder = AGUIEncoder("t", "r")
    call = ToolCall(id="c1", name="clerk", arguments={"input": "x"})
    out = encoder.started() + encoder.encode(ToolCallStarted(call=call, iteration=1))
    out += encoder.encode(SubAgentEvent("clerk", "c1", IterationStarted(iteration=1)))
    out += encoder.failed(RuntimeError("boom"))
    events = [EVENTS.validate_python(e) for e in out]
    assert [e.type for e in events][-3:] == [
        EventType.STEP_STARTED,
        EventType.SUBAGENT_ERROR,
        EventType.RUN_ERROR,
    ]
    hidden = "internal error (RuntimeError): the server's log has the details"  # (a bug's)
    assert events[-2].message == hidden and events[-2].code == "RuntimeError"


async def test_the_openai_route_shows_only_the_callers_answer(client: AppClient) -> None:
    http = client(create_app({"manager": manager(clerk())}))
    body = {"model": "manager", "stream": True, "messages": [{"role": "user", "content": "pens?"}]}
    response = await http.post("/v1/chat/completions", json=body)
    frames = [
        f.removeprefix("data: ") for f in response.text.split("\n\n") if f.startswith("data:")
    ]
    chunks = [json.loads(f) for f in frames if f != "[DONE]"]
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
    assert text == "Clerk says Pens: 12"  # the clerk's own "Pens: 12" is not streamed


@tool(requires_approval=True)
def refund(order_id: str) -> str:
    """Refund an order."""
    return f"refunded {order_id}"


def refund_clerk(name: str = "clerk") -> Agent:
    """A sub-agent whose model asks for ``refund`` with the id ``c1``, then answers."""

    def fn(messages: list[Message], tools: list[ToolSpec]) -> Any:
        if messages[-1].role == "tool":
            return f"clerk: {messages[-1].content}"
        return ToolCall(id="c1", name="refund", arguments={"order_id": messages[-1].text})

    return Agent(FunctionModel(fn), tools=[refund], name=name)


async def test_a_paused_sub_agent_is_suspended_and_its_calls_name_its_run(
    client: AppClient,
) -> None:
    """Two parallel calls of one sub-agent pause (their calls' ids collide, so the
    interrupts are ``b1/c1`` and ``b2/c1``): each SUBAGENT_FINISHED says ``suspended``
    (no result), and each interrupt names the sub-run that asks (its ``subagentRunId``)."""

    def boss_fn(messages: list[Message], tools: list[ToolSpec]) -> Any:
        if messages[-1].role == "tool":
            return "boss done"
        return [ToolCall(f"b{i}", "clerk", {"input": f"A{i}"}) for i in (1, 2)]

    boss = Agent(FunctionModel(boss_fn), tools=[refund_clerk().as_tool()], name="boss")
    http = client(create_app({"boss": boss}))
    events = events_of((await http.post("/v1/agents/boss/runs", json=run_input("go"))).text)
    starts = {e.parent_tool_call_id: e for e in events if e.type == EventType.SUBAGENT_STARTED}
    finishes = [e for e in events if e.type == EventType.SUBAGENT_FINISHED]
    assert sorted(starts) == ["b1", "b2"] and len(finishes) == 2
    for finished in finishes:
        assert finished.outcome is not None and finished.outcome.type == "suspended"
        assert finished.result is None
    run_finished = events[-1]
    assert run_finished.type == EventType.RUN_FINISHED
    assert run_finished.outcome is not None and run_finished.outcome.type == "interrupt"
    by_id = {i.id: i for i in run_finished.outcome.interrupts}
    assert sorted(by_id) == ["b1/c1", "b2/c1"]
    for calling in ("b1", "b2"):
        interrupt = by_id[f"{calling}/c1"]
        assert interrupt.subagent_run_id == starts[calling].subagent_run_id
        assert interrupt.metadata["arguments"] == {"order_id": f"A{calling[1]}"}


async def test_a_pause_two_sub_agents_deep_names_the_innermost_run(client: AppClient) -> None:
    middle_model = calls_then_says("clerk", {"input": "B7"}, "Middle: ")
    middle = Agent(middle_model, tools=[refund_clerk().as_tool()], name="middle")
    top = Agent(calls_then_says("middle", {"input": "ask"}, "Top: "), tools=[middle.as_tool()])
    http = client(create_app({"top": top}))
    events = events_of((await http.post("/v1/agents/top/runs", json=run_input("go"))).text)
    outer, inner = (e for e in events if e.type == EventType.SUBAGENT_STARTED)
    finishes = [e for e in events if e.type == EventType.SUBAGENT_FINISHED]
    assert [f.subagent_run_id for f in finishes] == [inner.subagent_run_id, outer.subagent_run_id]
    assert all(f.outcome is not None and f.outcome.type == "suspended" for f in finishes)
    outcome = events[-1].outcome
    assert outcome is not None and outcome.type == "interrupt"
    (interrupt,) = outcome.interrupts
    assert (interrupt.id, interrupt.metadata["path"]) == ("c1", ["middle", "clerk"])
    assert interrupt.subagent_run_id == inner.subagent_run_id
