"""``Agent(max_run_tokens=N)``: once a run has used N tokens (its model calls', its
sub-agents' included), it raises ``UsageLimitError`` instead of calling its model again,
with the partial result; an answer that crosses the budget is never thrown away."""

from __future__ import annotations

import pytest

from locus.agent import Agent
from locus.core.errors import ConfigurationError, UsageLimitError
from locus.core.messages import Message, ToolCall
from locus.core.toolspec import ToolSpec
from locus.core.usage import Usage
from locus.testing import FunctionModel, ScriptedTurn, Turn
from locus.tools import tool


@tool
def lookup(query: str) -> str:
    """Look something up."""
    return f"found {query}"


class Looping:
    """A model that calls ``lookup`` forever, each call costing 30 tokens."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, messages: list[Message], tools: list[ToolSpec]) -> Turn:
        self.calls += 1
        call = ToolCall(f"c{self.calls}", "lookup", {"query": str(self.calls)})
        return ScriptedTurn(tool_calls=[call], usage=Usage(prompt_tokens=20, completion_tokens=10))


async def test_a_run_stops_calling_its_model_once_its_budget_is_spent() -> None:
    brain = Looping()
    agent = Agent(FunctionModel(brain), tools=[lookup], max_iterations=50, max_run_tokens=100)
    spent = r"max_run_tokens=100 \(120 tokens used\) after 4 model call"
    with pytest.raises(UsageLimitError, match=spent) as caught:
        await agent.arun("look it up")
    assert brain.calls == 4  # 30, 60, 90, 120: the fourth call crossed it, no fifth
    result = caught.value.result
    assert result.metrics.model_calls == 4 and result.usage["total_tokens"] == 120
    assert result.stop_reason == "error" and isinstance(result.error, UsageLimitError)
    assert [m.role for m in result.messages][-2:] == ["assistant", "tool"]  # the 4th's result


async def test_an_answer_that_crosses_the_budget_is_kept() -> None:
    def brain(messages: list[Message], tools: list[ToolSpec]) -> Turn:
        if not any(m.role == "tool" for m in messages):
            return ScriptedTurn(
                tool_calls=[ToolCall("c1", "lookup", {"query": "x"})],
                usage=Usage(prompt_tokens=40, completion_tokens=10),
            )
        return ScriptedTurn(text="done", usage=Usage(prompt_tokens=90, completion_tokens=20))

    agent = Agent(FunctionModel(brain), tools=[lookup], max_run_tokens=100)
    result = await agent.arun("look it up")
    assert result.text == "done" and result.usage["total_tokens"] == 160


async def test_a_sub_agents_tokens_count_toward_its_callers_budget() -> None:
    def heavy(messages: list[Message], tools: list[ToolSpec]) -> Turn:
        return ScriptedTurn(
            text="researched", usage=Usage(prompt_tokens=500, completion_tokens=100)
        )

    researcher = Agent(FunctionModel(heavy), name="researcher", description="Researches.")
    calls: list[int] = []

    def boss(messages: list[Message], tools: list[ToolSpec]) -> Turn:
        calls.append(len(messages))
        if not any(m.role == "tool" for m in messages):
            return ScriptedTurn(
                tool_calls=[ToolCall("r1", "researcher", {"input": "dig"})],
                usage=Usage(prompt_tokens=10, completion_tokens=5),
            )
        return "summary"

    agent = Agent(FunctionModel(boss), tools=[researcher.as_tool()], max_run_tokens=300)
    with pytest.raises(UsageLimitError, match=r"\(615 tokens used\)"):
        await agent.arun("research it")
    assert len(calls) == 1  # the researcher's 600 tokens spent the budget: no second call


def test_the_budget_must_be_a_positive_int() -> None:
    model = FunctionModel(lambda messages, tools: "hi")
    for bad in (0, -5, 1.5, "100", True):
        with pytest.raises(ConfigurationError, match="max_run_tokens"):
            Agent(model, max_run_tokens=bad)  # type: ignore[arg-type]


async def test_a_run_may_carry_its_own_budget() -> None:
    brain = Looping()
    agent = Agent(FunctionModel(brain), tools=[lookup], max_iterations=50, max_run_tokens=1_000)
    with pytest.raises(UsageLimitError, match=r"max_run_tokens=50 \(60 tokens used\)"):
        await agent.arun("look it up", max_run_tokens=50)
    assert brain.calls == 2  # this run's 50, not the agent's 1,000
    with pytest.raises(UsageLimitError, match=r"max_run_tokens=1000 \(1020 tokens used\)"):
        await agent.arun("look it up again")  # the next run: the agent's budget again
    assert brain.calls == 2 + 34


async def test_a_run_budget_without_an_agent_budget() -> None:
    brain = Looping()
    agent = Agent(FunctionModel(brain), tools=[lookup], max_iterations=50)
    with pytest.raises(UsageLimitError, match="max_run_tokens=31"):
        async for _ in agent.run("go", max_run_tokens=31):
            pass
    assert brain.calls == 2


def test_a_run_budget_must_be_a_positive_int() -> None:
    agent = Agent(FunctionModel(lambda messages, tools: "hi"))
    for bad in (0, -5, 1.5, "100", True):
        with pytest.raises(ConfigurationError, match="max_run_tokens"):
            agent.run_sync("hi", max_run_tokens=bad)  # type: ignore[arg-type]


async def test_a_resumed_run_may_carry_its_own_budget_counting_what_it_spent_before() -> None:
    from locus.agent import Approve

    @tool(requires_approval=True)
    def delete(path: str) -> str:
        """Delete a file."""
        return f"deleted {path}"

    calls = 0

    def brain(messages: list[Message], tools: list[ToolSpec]) -> Turn:
        nonlocal calls
        calls += 1
        name = "delete" if calls == 1 else "lookup"
        arguments = {"path": "a"} if calls == 1 else {"query": str(calls)}
        call = ToolCall(f"c{calls}", name, arguments)
        return ScriptedTurn(tool_calls=[call], usage=Usage(prompt_tokens=20, completion_tokens=10))

    agent = Agent(FunctionModel(brain), tools=[delete, lookup], max_iterations=50)
    paused = await agent.arun("delete a, then look things up")
    assert paused.stop_reason == "awaiting_approval" and paused.state is not None
    with pytest.raises(UsageLimitError, match=r"max_run_tokens=70 \(90 tokens used\)"):
        await agent.resume(paused.state, approvals={"c1": Approve()}, max_run_tokens=70)
    assert calls == 3  # 30 before the pause, 60, 90: the third call crossed 70, no fourth
    with pytest.raises(ConfigurationError, match="max_run_tokens"):
        await agent.resume(paused.state, approvals={"c1": Approve()}, max_run_tokens=0)
