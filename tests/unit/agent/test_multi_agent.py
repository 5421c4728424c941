"""Agents as tools (parallel, usage rolled up, depth limit) and handoffs (last_agent, cap)."""

from __future__ import annotations

import threading
from typing import Any

from locus.agent import Agent
from locus.core.messages import Message, ToolCall
from locus.core.toolspec import ToolSpec
from locus.testing import FunctionModel, Turn
from locus.tools import tool

barrier = threading.Barrier(8, timeout=30)


@tool
def measure(ship: str) -> str:
    """Measure a ship (sync; all eight wait for each other, so they must run at once)."""
    barrier.wait()
    return f"{ship} is {len(ship)} m"


def scout_model(loop_threads: list[str]) -> FunctionModel:
    def brain(messages: list[Message], tools: list[ToolSpec]) -> Turn:
        loop_threads.append(threading.current_thread().name)
        last = messages[-1]
        if last.role == "user":
            return ToolCall(f"m-{last.text}", "measure", {"ship": last.text})
        return last.text

    return FunctionModel(brain)


def fleet_model() -> FunctionModel:
    def brain(messages: list[Message], tools: list[ToolSpec]) -> Turn:
        if messages[-1].role == "user":
            return [ToolCall(f"s{i}", "scout", {"input": f"ship{i}"}) for i in range(8)]
        return "; ".join(m.text for m in messages if m.role == "tool")

    return FunctionModel(brain)


def fleet(loop_threads: list[str]) -> Agent:
    scout = Agent(scout_model(loop_threads), tools=[measure], name="scout")
    return Agent(fleet_model(), tools=[scout.as_tool(description="Measure one ship.")])


def check(result: Any, loop_threads: list[str], outer_thread: str) -> None:
    assert result.text == "; ".join(f"ship{i} is 5 m" for i in range(8))
    assert result.metrics.sub_runs == 8
    # 2 own model calls + 8 sub-runs x 2 calls, each counted by the test model
    assert result.usage.total_tokens > 0
    own = sum(m.total_tokens for m in [result.response.usage]) if result.response else 0
    assert result.metrics.total_tokens > own
    assert set(loop_threads) == {outer_thread}  # every sub-run ran on the caller's loop


async def test_eight_parallel_sub_agents_under_arun() -> None:
    loop_threads: list[str] = []
    result = await fleet(loop_threads).arun("Survey the fleet")
    check(result, loop_threads, threading.current_thread().name)


def test_eight_parallel_sub_agents_under_run_sync() -> None:
    loop_threads: list[str] = []
    agent = fleet(loop_threads)
    result = agent.run_sync("Survey the fleet")
    assert len(set(loop_threads)) == 1 and loop_threads[0] != threading.current_thread().name
    check(result, loop_threads, loop_threads[0])


async def test_sub_agent_usage_is_rolled_up() -> None:
    loop_threads: list[str] = []
    outer = fleet(loop_threads)
    result = await outer.arun("Survey the fleet")
    own_calls = result.metrics.model_calls
    assert own_calls == 2  # the sub-runs' calls are not the outer run's iterations
    assert result.usage.total_tokens == result.metrics.total_tokens


async def test_nesting_deeper_than_the_limit_is_a_tool_error() -> None:
    def delegate(tool_name: str) -> FunctionModel:
        def brain(messages: list[Message], tools: list[ToolSpec]) -> Turn:
            if messages[-1].role == "user":
                return ToolCall("d", tool_name, {"input": "go on"})
            return messages[-1].text

        return FunctionModel(brain)

    last = Agent(FunctionModel(lambda m, t: "bottom"), name="last")
    third = Agent(delegate("last"), tools=[last.as_tool(max_depth=2)], name="third")
    second = Agent(delegate("third"), tools=[third.as_tool(max_depth=2)], name="second")
    first = Agent(delegate("second"), tools=[second.as_tool(max_depth=2)], name="first")
    result = await first.arun("go")
    assert "nested 2 deep, the limit (max_depth=2)" in result.text
    assert result.metrics.sub_runs == 2  # second and third ran; last never did


@tool
def refund(order: str) -> str:
    """Refund an order."""
    return f"refunded {order}"


def hands_to(target: str) -> FunctionModel:
    name = f"transfer_to_{target}"

    def brain(messages: list[Message], tools: list[ToolSpec]) -> Turn:
        answers = [m for m in messages if m.role == "tool" and m.name == name]
        if not answers:
            return ToolCall(f"h-{target}", name, {})
        return f"could not transfer: {answers[-1].text}"

    return FunctionModel(brain)


def billing_model(prompts: list[str]) -> FunctionModel:
    def brain(messages: list[Message], tools: list[ToolSpec]) -> Turn:
        prompts.append(messages[0].text)
        if not any(m.role == "tool" and m.name == "refund" for m in messages):
            return ToolCall("r1", "refund", {"order": "A17"})
        return "Billing here: " + messages[-1].text

    return FunctionModel(brain)


async def test_a_handoff_answers_with_the_specialists_tools() -> None:
    prompts: list[str] = []
    billing = Agent(
        billing_model(prompts),
        tools=[refund],
        name="billing",
        system_prompt="You are billing.",
        description="refunds and invoices",
    )
    triage = Agent(hands_to("billing"), name="triage", system_prompt="Route.", handoffs=[billing])
    assert "transfer_to_billing" in [t.name for t in triage.tools]
    result = await triage.arun("I want my money back for A17")
    assert result.last_agent == "billing"
    assert result.text == "Billing here: refunded A17"
    assert prompts == ["You are billing.", "You are billing."]  # its own system prompt
    roles = [(m.role, m.name) for m in result.messages if m.role == "tool"]
    assert roles == [("tool", "transfer_to_billing"), ("tool", "refund")]


async def test_handoffs_are_capped() -> None:
    prompts: list[str] = []
    third = Agent(billing_model(prompts), tools=[refund], name="third")
    second = Agent(hands_to("third"), name="second", handoffs=[third])
    first = Agent(hands_to("second"), name="first", handoffs=[second], max_handoffs=1)
    result = await first.arun("go")
    assert result.last_agent == "second"
    assert result.text.startswith("could not transfer: Not done: this run already transferred")
    assert prompts == []
