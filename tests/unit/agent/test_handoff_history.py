"""``Handoff(agent, history=...)``: what the receiving agent's model is shown after a
transfer ("all", "last_user" or a function), while the run's record keeps everything."""

from __future__ import annotations

from typing import Any

import pytest

from locus.agent import Agent, Handoff
from locus.core.errors import ConfigurationError
from locus.core.messages import Message, ToolCall
from locus.core.toolspec import ToolSpec
from locus.testing import FunctionModel, Turn
from locus.tools import tool

Shown = list[list[tuple[str, str]]]


@tool
def refund(order: str) -> str:
    """Refund an order."""
    return f"refunded {order}"


def triage_model() -> FunctionModel:
    """Asks a question back first, then transfers to billing."""

    def brain(messages: list[Message], tools: list[ToolSpec]) -> Turn:
        users = [m for m in messages if m.role == "user"]
        if len(users) == 1:
            return "Which order?"
        return ToolCall("h1", "transfer_to_billing", {})

    return FunctionModel(brain, model_id="triage-model")


def billing(shown: Shown, **options: Any) -> Agent:
    """Refunds, recording what its model is shown at each call."""

    def brain(messages: list[Message], tools: list[ToolSpec]) -> Turn:
        shown.append([(m.role, m.text or ",".join(c.name for c in m.tool_calls)) for m in messages])
        if messages[-1].role != "tool" or messages[-1].name != "refund":
            return ToolCall("r1", "refund", {"order": "A17"})
        return "Billing: " + messages[-1].text

    return Agent(
        FunctionModel(brain, model_id="billing-model"),
        tools=[refund],
        name="billing",
        system_prompt="You are billing.",
        **options,
    )


HISTORY = [Message.user("I want a refund"), Message.assistant("Which order?")]


async def run(target: Agent | Handoff) -> Any:
    triage = Agent(triage_model(), name="triage", system_prompt="Route.", handoffs=[target])
    return await triage.arun("A17, please", message_history=HISTORY)


async def test_all_is_the_default_and_shows_everything() -> None:
    shown: Shown = []
    result = await run(Handoff(billing(shown)))
    assert result.text == "Billing: refunded A17"
    assert shown[0] == [
        ("system", "You are billing."),
        ("user", "I want a refund"),
        ("assistant", "Which order?"),
        ("user", "A17, please"),
        ("assistant", "transfer_to_billing"),
        ("tool", "Transferred to billing."),
    ]


async def test_last_user_shows_the_last_user_message_and_what_follows() -> None:
    shown: Shown = []
    result = await run(Handoff(billing(shown), history="last_user"))
    assert result.text == "Billing: refunded A17" and result.last_agent == "billing"
    assert shown == [
        [("system", "You are billing."), ("user", "A17, please")],
        [
            ("system", "You are billing."),
            ("user", "A17, please"),
            ("assistant", "refund"),
            ("tool", "refunded A17"),
        ],
    ]
    # the record keeps the whole conversation
    kept = [(m.role, m.text) for m in result.messages if m.role in ("user", "tool")]
    assert kept == [
        ("user", "I want a refund"),
        ("user", "A17, please"),
        ("tool", "Transferred to billing."),
        ("tool", "refunded A17"),
    ]


async def test_a_function_filters_once_at_the_transfer() -> None:
    shown: Shown = []
    seen: list[list[str]] = []

    def users_only(messages: list[Message]) -> list[Message]:
        seen.append([m.role for m in messages])
        return [m for m in messages if m.role == "user"]

    result = await run(Handoff(billing(shown), history=users_only))
    assert result.text == "Billing: refunded A17"
    assert seen == [["user", "assistant", "user", "assistant", "tool"]]  # no system, once
    assert shown[0] == [
        ("system", "You are billing."),
        ("user", "I want a refund"),
        ("user", "A17, please"),
    ]


async def test_an_async_function_works_too() -> None:
    shown: Shown = []

    async def last_two(messages: list[Message]) -> list[Message]:
        return messages[-2:]

    await run(Handoff(billing(shown), history=last_two))
    assert shown[0][1:] == [
        ("assistant", "transfer_to_billing"),
        ("tool", "Transferred to billing."),
    ]


async def test_the_receiving_agents_own_history_processor_runs_after_the_filter() -> None:
    shown: Shown = []
    given: list[int] = []

    def count(messages: list[Message]) -> list[Message]:
        given.append(len(messages))
        return messages

    await run(Handoff(billing(shown, history_processor=count), history="last_user"))
    assert given == [2, 4]  # system + the last user message; then the refund call and result


async def test_thread_keeps_every_message(tmp_path: Any) -> None:
    shown: Shown = []
    triage = Agent(
        triage_model(),
        name="triage",
        system_prompt="Route.",
        handoffs=[Handoff(billing(shown), history="last_user")],
    )
    await triage.arun("I want a refund", thread_id="t1")
    await triage.arun("A17, please", thread_id="t1")
    stored = await triage.thread_store.load("t1")
    assert [m.role for m in stored] == [
        "user",
        "assistant",
        "user",
        "assistant",
        "tool",
        "assistant",
        "tool",
        "assistant",
    ]
    assert shown[0] == [("system", "You are billing."), ("user", "A17, please")]


def test_bad_handoffs_are_configuration_errors() -> None:
    with pytest.raises(ConfigurationError, match="'all', 'last_user' or fn"):
        Handoff(billing([]), history="first_user")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="needs an Agent, got str"):
        Handoff("billing")
    with pytest.raises(ConfigurationError, match="handoffs must be Agents, got int"):
        Agent(triage_model(), handoffs=[Handoff(billing([])), 3])


async def test_a_filter_that_returns_nothing_fails_the_run_clearly() -> None:
    def nothing(messages: list[Message]) -> list[Message]:
        return []

    with pytest.raises(ConfigurationError, match="handoff history filter 'nothing'") as caught:
        await run(Handoff(billing([]), history=nothing))
    assert "returned no messages" in str(caught.value)
    assert caught.value.result.last_agent == "billing"
