"""A handoff, then a pause: the resumed run goes on with the agent that paused (its model,
tools and system prompt), the handoff cap counts across the pause, and a
``Handoff(history=...)`` view is still what the receiving agent is shown; a state whose
agent cannot be found is a ``ConfigurationError`` that leaves it resumable."""

from __future__ import annotations

from typing import Any

import pytest

from locus.agent import Agent, Approve, Handoff, RunState
from locus.core.errors import ConfigurationError
from locus.core.messages import Message, ToolCall
from locus.core.toolspec import ToolSpec
from locus.stores import InMemoryThreadStore
from locus.testing import FunctionModel, ScriptedModel, Turn
from locus.tools import tool

refunded: list[str] = []

Shown = list[list[tuple[str, str]]]


@tool(requires_approval=True)
def refund(order: str) -> str:
    """Refund an order."""
    refunded.append(order)
    return f"refunded {order}"


@pytest.fixture(autouse=True)
def _clear() -> None:
    refunded.clear()


def _said(m: Message) -> str:
    return m.text or ",".join(c.name for c in m.tool_calls)


def billing_agent(shown: Shown, name: str = "billing", **options: Any) -> Agent:
    """Refunds A17 (which needs approval), then says what happened; records what its model
    is shown at each call."""

    def brain(messages: list[Message], tools: list[ToolSpec]) -> Turn:
        shown.append([(m.role, _said(m)) for m in messages])
        if not any(m.role == "tool" and m.name == "refund" for m in messages):
            return ToolCall("r1", "refund", {"order": "A17"})
        return f"{name}: " + messages[-1].text

    model = FunctionModel(brain, model_id=f"{name}-model")
    return Agent(model, tools=[refund], name=name, system_prompt=f"You are {name}.", **options)


def hands_to(target: str, then: str = "triage answers") -> FunctionModel:
    """Transfers to ``target`` unless the conversation did already, then answers ``then``."""
    name = f"transfer_to_{target}"

    def brain(messages: list[Message], tools: list[ToolSpec]) -> Turn:
        if not any(m.role == "tool" and m.name == name for m in messages):
            return ToolCall(f"h-{target}", name, {})
        return then

    return FunctionModel(brain, model_id=f"to-{target}")


async def test_the_resumed_run_goes_on_with_the_agent_that_paused() -> None:
    shown: Shown = []
    triage = Agent(
        hands_to("billing"), name="triage", system_prompt="Route.", handoffs=[billing_agent(shown)]
    )
    paused = await triage.arun("refund A17")
    assert paused.stop_reason == "awaiting_approval" and paused.last_agent == "billing"
    assert paused.state is not None and paused.state.agent_name == "billing"
    assert paused.state.handoffs == ["billing"]

    state = RunState.load(paused.state.dump())
    done = await triage.resume(state, approvals={"r1": Approve()})
    assert done.stop_reason == "complete" and done.last_agent == "billing"
    assert done.text == "billing: refunded A17" and refunded == ["A17"]
    assert shown[-1][0] == ("system", "You are billing.")  # billing's model and prompt
    assert done.messages[0].text == "You are billing."


def test_the_brief_reproduction_with_scripted_models() -> None:
    billing = Agent(
        ScriptedModel([ToolCall(id="c2", name="refund", arguments={"order": "B2"}), "done"]),
        tools=[refund],
        name="billing",
    )
    triage = Agent(
        ScriptedModel([ToolCall(id="t1", name="transfer_to_billing", arguments={})]),
        name="triage",
        handoffs=[billing],
    )
    paused = triage.run_sync("go")
    assert paused.state is not None
    done = triage.resume_sync(paused.state, approvals={paused.pending[0].id: Approve()})
    assert (done.text, done.last_agent, refunded) == ("done", "billing", ["B2"])


async def test_the_handoff_cap_counts_across_the_pause() -> None:
    shown: Shown = []
    back = Agent(hands_to("billing"), name="triage")  # the agent billing may hand back to
    billing = billing_agent(shown, handoffs=[back])

    def billing_then_back(messages: list[Message], tools: list[ToolSpec]) -> Turn:
        if not any(m.role == "tool" and m.name == "refund" for m in messages):
            return ToolCall("r1", "refund", {"order": "A17"})
        if not any(m.role == "tool" and m.name == "transfer_to_triage" for m in messages):
            return ToolCall("h-back", "transfer_to_triage", {})
        return "billing: " + messages[-1].text

    billing._config.model = FunctionModel(billing_then_back)
    first = Agent(hands_to("billing"), name="first", handoffs=[billing], max_handoffs=1)
    paused = await first.arun("refund A17")
    assert paused.state is not None
    done = await first.resume(RunState.load(paused.state.dump()), approvals={"r1": Approve()})
    assert done.last_agent == "billing"  # the transfer back was refused: the cap is 1
    assert "already transferred the conversation 1 time(s), the limit" in done.text


async def test_a_filtered_view_is_still_what_the_receiving_agent_is_shown() -> None:
    shown: Shown = []
    target = Handoff(billing_agent(shown), history="last_user")
    history = [Message.user("I want a refund"), Message.assistant("Which order?")]
    triage = Agent(hands_to("billing"), name="triage", system_prompt="Route.", handoffs=[target])
    paused = await triage.arun("A17, please", message_history=history)
    assert paused.state is not None and paused.state.view is not None
    assert shown == [[("system", "You are billing."), ("user", "A17, please")]]

    state = RunState.load(paused.state.dump())
    done = await triage.resume(state, approvals={"r1": Approve()})
    assert done.text == "billing: refunded A17"
    assert shown[-1] == [
        ("system", "You are billing."),
        ("user", "A17, please"),
        ("assistant", "refund"),
        ("tool", "refunded A17"),
    ]
    assert len(done.messages) == 9  # the record still holds everything


async def test_a_transfer_in_the_pausing_turn_happens_after_the_resume() -> None:
    def both(messages: list[Message], tools: list[ToolSpec]) -> Turn:
        if messages[-1].role == "user":
            return [ToolCall("r0", "refund", {"order": "Z9"}), ToolCall("h", "transfer_to_billing")]
        return "triage answers"

    billing = Agent(FunctionModel(lambda m, t: "billing answers"), name="billing")
    triage = Agent(FunctionModel(both), tools=[refund], name="triage", handoffs=[billing])
    paused = await triage.arun("go")
    assert paused.state is not None and paused.state.agent_name == "triage"
    done = await triage.resume(paused.state, approvals={"r0": Approve()})
    assert refunded == ["Z9"]
    assert (done.text, done.last_agent) == ("billing answers", "billing")


async def test_an_agent_not_reachable_is_a_configuration_error_and_the_state_stays() -> None:
    shown: Shown = []
    triage = Agent(hands_to("billing"), name="triage", handoffs=[billing_agent(shown)])
    paused = await triage.arun("refund A17")
    assert paused.state is not None
    stranger = Agent(hands_to("billing"), name="stranger")
    with pytest.raises(ConfigurationError) as caught:
        await stranger.resume(paused.state, approvals={"r1": Approve()})
    message = str(caught.value)
    assert "paused by the agent 'billing'" in message and "'stranger'" in message
    assert "resume it with the agent that started the run" in message
    assert refunded == []
    done = await triage.resume(paused.state, approvals={"r1": Approve()})  # not consumed
    assert done.text == "billing: refunded A17" and refunded == ["A17"]


async def test_the_paused_agent_itself_may_resume() -> None:
    shown: Shown = []
    billing = billing_agent(shown)
    triage = Agent(hands_to("billing"), name="triage", handoffs=[billing])
    paused = await triage.arun("refund A17")
    assert paused.state is not None
    done = await billing.resume(paused.state, approvals={"r1": Approve()})
    assert done.last_agent == "billing" and refunded == ["A17"]


async def test_two_agents_of_one_name_follow_the_recorded_transfers() -> None:
    near: Shown = []
    far: Shown = []
    support = Agent(hands_to("billing"), name="support", handoffs=[billing_agent(far)])
    triage = Agent(hands_to("support"), name="triage", handoffs=[support, billing_agent(near)])
    paused = await triage.arun("refund A17")  # triage -> support -> the far billing
    assert paused.state is not None and paused.state.handoffs == ["support", "billing"]
    far.clear()
    done = await triage.resume(RunState.load(paused.state.dump()), approvals={"r1": Approve()})
    assert done.text == "billing: refunded A17"
    assert far and not near  # the billing that paused answered, not its namesake

    again = await triage.arun("refund A17")
    assert again.state is not None
    again.state.handoffs = []  # (as an older dump would say: nothing to follow)
    with pytest.raises(ConfigurationError, match="2 different agents of that name"):
        await triage.resume(again.state, approvals={"r1": Approve()})


async def test_a_state_without_an_agent_name_goes_on_with_the_resuming_agent() -> None:
    agent = Agent(
        FunctionModel(
            lambda m, t: "ok" if m[-1].role == "tool" else ToolCall("r1", "refund", {"order": "A1"})
        ),
        tools=[refund],
        name="solo",
    )
    paused = await agent.arun("go")
    assert paused.state is not None
    paused.state.agent_name = ""  # (a state built by hand)
    done = await agent.resume(paused.state, approvals={"r1": Approve()})
    assert done.text == "ok" and done.last_agent == "solo"


async def test_on_a_thread_the_resume_goes_on_with_the_agent_that_paused() -> None:
    shown: Shown = []
    store = InMemoryThreadStore()
    triage = Agent(
        hands_to("billing"), name="triage", handoffs=[billing_agent(shown)], thread_store=store
    )
    await triage.arun("refund A17", thread_id="t")
    done = await triage.resume(thread_id="t", approvals={"r1": Approve()})
    assert done.last_agent == "billing" and refunded == ["A17"]
    assert [m.role for m in await store.load("t")][-1] == "assistant"


def test_a_version_1_dump_loads_unchanged_and_resumes() -> None:
    agent = Agent(
        FunctionModel(
            lambda m, t: "ok" if m[-1].role == "tool" else ToolCall("r1", "refund", {"order": "A1"})
        ),
        tools=[refund],
        name="solo",
    )
    paused = agent.run_sync("go")
    assert paused.state is not None
    raw = paused.state.to_json()
    assert raw["v"] == 1 and set(raw) == {
        "v",
        "id",
        "run_id",
        "agent_name",
        "thread_id",
        "history_from",
        "new_from",
        "messages",
        "results",
        "pending",
        "metrics",
        "usage",
    }
    assert raw["pending"] == [{"id": "r1", "tool": "refund", "arguments": {"order": "A1"}}]
    state = RunState.load(raw)
    assert (state.handoffs, state.view, state.nested) == ([], None, {})
    assert agent.resume_sync(state, approvals={"r1": Approve()}).text == "ok"


async def test_a_state_with_a_handoff_is_written_as_version_2() -> None:
    triage = Agent(hands_to("billing"), name="triage", handoffs=[billing_agent([])])
    paused = await triage.arun("refund A17")
    assert paused.state is not None
    assert paused.state.to_json()["v"] == 2
    assert RunState.load(paused.state.dump()).handoffs == ["billing"]


async def test_an_unnamed_agent_resumes_after_its_model_changed() -> None:
    """An agent without ``name=`` is named after its model (``agent-<model>``): a service
    that moves to another model between the pause and the approval must still resume."""

    def refunds(messages: list[Message], tools: list[ToolSpec]) -> Turn:
        if not any(m.role == "tool" for m in messages):
            return ToolCall("r1", "refund", {"order": "A17"})
        return "done: " + messages[-1].text

    before = Agent(FunctionModel(refunds, model_id="old-model"), tools=[refund])
    paused = await before.arun("refund A17")
    assert paused.state is not None and paused.state.agent_name == "agent-old-model"
    after = Agent(FunctionModel(refunds, model_id="new-model"), tools=[refund])
    done = await after.resume(RunState.load(paused.state.dump()), approvals={"r1": Approve()})
    assert (done.text, refunded) == ("done: refunded A17", ["A17"])
    # an agent *named* otherwise is another agent: refused, as before
    named = Agent(FunctionModel(refunds), tools=[refund], name="someone_else")
    with pytest.raises(ConfigurationError, match="paused by the agent 'agent-old-model'"):
        await named.resume(RunState.load(paused.state.dump()), approvals={"r1": Approve()})
