"""``Dataset.evaluate``: agents and functions as tasks, the concurrency bound, errors recorded
(never lost, never stopping the others), function evaluators, repeats, the sync entry."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from locus.agent import Agent, AgentResult, RunContext
from locus.core.errors import ConfigurationError, ModelError
from locus.core.messages import Message, ToolCall
from locus.core.toolspec import ToolSpec
from locus.evals import (
    Case,
    Contains,
    Dataset,
    EvaluationResult,
    EvaluatorContext,
    ToolCalled,
)
from locus.testing import FunctionModel, ScriptedModel
from locus.tools import tool

from .conftest import get_forecast, weather_agent


class InFlight:
    """Counts the calls running at once, and the most ever seen."""

    def __init__(self) -> None:
        self.now = 0
        self.most = 0

    async def __aenter__(self) -> None:
        self.now += 1
        self.most = max(self.most, self.now)
        for _ in range(5):  # let every other ready case start meanwhile
            await asyncio.sleep(0)

    async def __aexit__(self, *exc: object) -> None:
        self.now -= 1


CASES = [Case(f"c{i}", f"Weather in City{i}") for i in range(10)]


@pytest.mark.parametrize(("limit", "most"), [(3, 3), (1, 1), (None, 10)])
async def test_at_most_max_concurrency_cases_run_at_once(limit: int | None, most: int) -> None:
    seen = InFlight()

    async def task(inputs: str) -> str:
        async with seen:
            return inputs.upper()

    report = await Dataset(CASES).evaluate(task, max_concurrency=limit)
    assert seen.most == most
    assert [case.output for case in report.cases] == [c.inputs.upper() for c in CASES]


async def test_the_bound_holds_for_an_agent_and_its_model_calls() -> None:
    seen = InFlight()

    async def answer(messages: list[Message], tools: list[ToolSpec]) -> str:
        async with seen:
            return "ok"

    await Dataset(CASES).evaluate(Agent(FunctionModel(answer)), max_concurrency=4)
    assert seen.most == 4


async def test_an_agent_task_keeps_the_result_output_and_usage() -> None:
    report = await Dataset([Case("paris", "Weather in Paris")]).evaluate(weather_agent())
    case = report.cases[0]
    assert case.output == "Here you go: Sunny in Paris for 1 day(s)."
    assert isinstance(case.result, AgentResult) and case.result.metrics.tool_calls == 1
    assert case.usage == case.result.usage and case.tokens == case.result.usage.total_tokens > 0
    assert case.duration > 0 and case.error is None and case.status == "passed"
    assert report.label == "weather" and report.name == "dataset"


async def test_a_case_that_raises_is_recorded_with_its_partial_result() -> None:
    dataset = Dataset(
        [
            Case("paris", "Weather in Paris"),
            Case("atlantis", "Weather in Atlantis"),
            Case("oslo", "Weather in Oslo"),
        ],
        evaluators=[Contains("in")],
    )
    report = await dataset.evaluate(weather_agent())
    assert [c.status for c in report.cases] == ["passed", "errored", "passed"]
    broken = report.case("atlantis")
    assert broken.error is not None
    assert (broken.error.type, broken.error.message) == ("ModelError", "the model is down")
    assert isinstance(broken.error.exception, ModelError)
    assert broken.result is not None and broken.result.stop_reason == "error"
    assert broken.evaluations == [] and broken.output is None
    assert report.summary.errored == 1


async def test_the_partial_result_shows_what_the_run_did_before_it_failed() -> None:
    model = ScriptedModel([ToolCall("c1", "get_forecast", {"city": "Oslo"}), ModelError("down")])
    report = await Dataset([Case("oslo", "go")]).evaluate(Agent(model, tools=[get_forecast]))
    error = report.cases[0].error
    assert error is not None and error.result is not None
    assert [m.role for m in error.result.messages] == ["user", "assistant", "tool"]
    assert report.cases[0].result is error.result
    assert report.cases[0].tokens == error.result.usage.total_tokens > 0


async def test_a_failing_function_task_is_recorded_too() -> None:
    def task(inputs: str) -> str:
        if inputs == "bad":
            raise ValueError("cannot answer that")
        return "fine"

    report = await Dataset([Case("a", "good"), Case("b", "bad")]).evaluate(task)
    assert [c.status for c in report.cases] == ["passed", "errored"]
    assert str(report.cases[1].error) == "ValueError: cannot answer that"
    assert report.cases[1].result is None


async def test_an_evaluator_that_raises_is_recorded_and_the_others_still_run() -> None:
    def broken(ctx: EvaluatorContext) -> bool:
        raise KeyError("no such field")

    def says_a_string(ctx: EvaluatorContext) -> Any:
        return "yes"

    report = await Dataset(
        [Case("one", "Weather in Paris")], evaluators=[broken, Contains("Sunny"), says_a_string]
    ).evaluate(weather_agent())
    case = report.cases[0]
    first, second, third = case.evaluations
    assert first.error is not None and (first.error.type, first.value) == ("KeyError", None)
    assert (second.name, second.value, second.error) == ("Contains('Sunny')", True, None)
    assert third.error is not None and third.error.type == "ConfigurationError"
    assert "returned a str; return a bool (an assertion), a number" in third.error.message
    assert case.status == "failed" and not case.passed


async def test_function_evaluators_see_the_whole_context_sync_or_async() -> None:
    seen: list[EvaluatorContext] = []

    def look(ctx: EvaluatorContext) -> float:
        seen.append(ctx)
        return 0.75

    async def judge(ctx: EvaluatorContext) -> EvaluationResult:
        return EvaluationResult(ctx.metadata["city"] in ctx.output, "named the city")

    case = Case("paris", "Weather in Paris", expected_output="Sunny", metadata={"city": "Paris"})
    report = await Dataset([case], evaluators=[look, judge]).evaluate(weather_agent())
    (ctx,) = seen
    assert (ctx.name, ctx.inputs, ctx.expected_output, ctx.metadata) == (
        "paris",
        "Weather in Paris",
        "Sunny",
        {"city": "Paris"},
    )
    assert ctx.output == "Here you go: Sunny in Paris for 1 day(s)."
    assert ctx.result is not None and ctx.result is report.cases[0].result
    assert ctx.usage == ctx.result.usage
    assert ctx.duration == report.cases[0].duration
    assert [call.name for call in ctx.tool_calls()] == ["get_forecast"]
    assert report.cases[0].scores == {"look": 0.75}
    assert report.cases[0].assertions == {"judge": True}
    assert report.cases[0].outcome("judge").reason == "named the city"


async def test_a_function_returning_an_agent_result_counts_as_the_run() -> None:
    agent = weather_agent()

    async def task(city: str) -> AgentResult[str]:
        return await agent.arun(f"Weather in {city}")

    report = await Dataset([Case("p", "Paris")], evaluators=[ToolCalled("get_forecast")]).evaluate(
        task
    )
    case = report.cases[0]
    assert case.output == "Here you go: Sunny in Paris for 1 day(s)." and case.passed
    assert case.tokens is not None and case.tokens > 0
    assert report.label == "task"


async def test_deps_reach_the_agents_tools() -> None:
    @tool
    def whoami(ctx: RunContext[str]) -> str:
        """Tell who is asking."""
        return ctx.deps

    model = FunctionModel(
        lambda m, t: f"for {m[-1].text}" if m[-1].role == "tool" else ToolCall("c", "whoami", {})
    )
    agent = Agent(model, tools=[whoami], deps_type=str)
    report = await Dataset([Case("a", "who?")]).evaluate(agent, deps="ada")
    assert report.cases[0].output == "for ada"


async def test_repeat_runs_each_case_that_many_times() -> None:
    calls: list[str] = []

    def task(inputs: str) -> str:
        calls.append(inputs)
        return inputs

    report = await Dataset([Case("a", "x"), Case("b", "y")]).evaluate(task, repeat=2)
    assert sorted(calls) == ["x", "x", "y", "y"]
    assert [(c.key, c.name, c.repeat) for c in report.cases] == [
        ("a#1", "a", 0),
        ("a#2", "a", 1),
        ("b#1", "b", 0),
        ("b#2", "b", 1),
    ]


def test_evaluate_sync_from_plain_code() -> None:
    report = Dataset([Case("paris", "Weather in Paris")], evaluators=[Contains("Sunny")])
    result = report.evaluate_sync(weather_agent(), label="sync")
    assert result.pass_rate == 1.0 and result.label == "sync"


async def test_a_sync_function_that_returns_a_coroutine_is_awaited() -> None:
    agent = weather_agent()
    report = await Dataset([Case("paris", "Weather in Paris")]).evaluate(
        lambda inputs: agent.arun(inputs)
    )
    case = report.cases[0]
    assert case.output == "Here you go: Sunny in Paris for 1 day(s)." and case.result is not None


def test_a_sync_task_may_call_run_sync_itself() -> None:
    agent = weather_agent()
    report = Dataset([Case("paris", "Weather in Paris")]).evaluate_sync(
        lambda inputs: agent.run_sync(inputs).output
    )
    assert report.cases[0].output == "Here you go: Sunny in Paris for 1 day(s)."


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"max_concurrency": 0}, "max_concurrency must be a positive integer or None"),
        ({"repeat": 0}, "repeat must be a positive integer"),
        ({"deps": "x"}, "deps= goes to an Agent's runs"),
    ],
)
async def test_bad_options_are_configuration_errors(options: Any, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        await Dataset([Case("a", "x")]).evaluate(lambda inputs: inputs, **options)


async def test_a_task_that_is_neither_agent_nor_function_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="must be an Agent or a function"):
        await Dataset([Case("a", "x")]).evaluate(42)  # type: ignore[arg-type]


def test_case_names_must_be_unique_and_present() -> None:
    with pytest.raises(ConfigurationError, match="two cases of dataset 'd' are named 'a'"):
        Dataset([Case("a", "x"), Case("a", "y")], name="d")
    with pytest.raises(ConfigurationError, match=r"cases\[0\] of dataset 'dataset' has no name"):
        Dataset([Case("", "x")])
    with pytest.raises(ConfigurationError, match="make each one a Case"):
        Dataset(["x"])  # type: ignore[list-item]


async def test_names_are_checked_again_before_an_evaluation() -> None:
    dataset = Dataset([Case("a", "x")])
    dataset.cases.append(Case("a", "y"))
    with pytest.raises(ConfigurationError, match="must be unique"):
        await dataset.evaluate(lambda inputs: inputs)


def test_what_is_not_an_evaluator_is_refused_with_what_to_pass() -> None:
    with pytest.raises(ConfigurationError, match="Contains is a class; pass an instance"):
        Dataset([Case("a", "x")], evaluators=[Contains])  # type: ignore[list-item]
    with pytest.raises(ConfigurationError, match="case 'a': 42 is not an evaluator"):
        Dataset([Case("a", "x", evaluators=[42])])  # type: ignore[list-item]
