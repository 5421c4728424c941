"""Each built-in evaluator, passing and failing: on contexts made by hand, and on real runs
of the weather agent (``ToolCalled`` reads the run's messages)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from pydantic import BaseModel

from locus.agent import Agent
from locus.core.errors import ConfigurationError
from locus.core.usage import Usage
from locus.evals import (
    Case,
    Contains,
    Dataset,
    Equals,
    EvaluationResult,
    Evaluator,
    EvaluatorContext,
    IsInstance,
    MatchesRegex,
    MaxDuration,
    MaxTokens,
    ToolCalled,
)


class City(BaseModel):
    name: str


def ctx(output: Any, expected: Any = None, **more: Any) -> EvaluatorContext:
    return EvaluatorContext(
        name="c", inputs="q", expected_output=expected, metadata={}, output=output, **more
    )


async def verdict(evaluator: Evaluator, context: EvaluatorContext) -> EvaluationResult:
    value = evaluator.evaluate(context)
    assert isinstance(value, EvaluationResult)
    return value


async def test_equals_compares_with_the_expected_output_or_its_own_value() -> None:
    assert (await verdict(Equals(), ctx("Paris", "Paris"))).value is True
    failed = await verdict(Equals(), ctx("Lyon", "Paris"))
    assert failed == EvaluationResult(False, "'Lyon' != 'Paris'")
    assert (await verdict(Equals({"a": 1}), ctx({"a": 1}, "ignored"))).value is True
    assert (await verdict(Equals(2), ctx(3))).value is False


async def test_equals_without_an_expected_output_is_a_clear_error() -> None:
    with pytest.raises(ConfigurationError, match="has no expected_output"):
        await verdict(Equals(), ctx("Paris"))


@pytest.mark.parametrize(
    ("evaluator", "output", "held"),
    [
        (Contains("Sunny"), "Sunny in Paris", True),
        (Contains("sunny"), "Sunny in Paris", False),
        (Contains("sunny", case_sensitive=False), "Sunny in Paris", True),
        (Contains("Paris"), ["Paris", "Lyon"], True),
        (Contains("Rome"), ("Paris", "Lyon"), False),
        (Contains("city"), {"city": "Paris"}, True),
        (Contains({"city": "Paris"}), {"city": "Paris", "days": 2}, True),
        (Contains({"city": "Lyon"}), {"city": "Paris", "days": 2}, False),
    ],
)
async def test_contains(evaluator: Contains, output: Any, held: bool) -> None:
    assert (await verdict(evaluator, ctx(output))).value is held


async def test_contains_defaults_to_the_expected_output_and_says_why_it_failed() -> None:
    failed = await verdict(Contains(), ctx("Rainy in Oslo", "Sunny"))
    assert failed == EvaluationResult(False, "'Rainy in Oslo' does not contain 'Sunny'")


async def test_contains_refuses_what_it_cannot_search() -> None:
    with pytest.raises(ConfigurationError, match="the output is a City"):
        await verdict(Contains("Paris"), ctx(City(name="Paris")))
    with pytest.raises(ConfigurationError, match="the value must be text"):
        await verdict(Contains(3), ctx("3 days"))


async def test_is_instance_by_type_or_by_class_name() -> None:
    assert (await verdict(IsInstance(City), ctx(City(name="Paris")))).value is True
    assert (await verdict(IsInstance("BaseModel"), ctx(City(name="Paris")))).value is True
    failed = await verdict(IsInstance("City"), ctx("Paris"))
    assert failed == EvaluationResult(False, "the output is a str")
    with pytest.raises(ConfigurationError, match="a type or a class name"):
        IsInstance(3)  # type: ignore[arg-type]


async def test_matches_regex() -> None:
    assert (await verdict(MatchesRegex(r"\d+ day"), ctx("Sunny for 2 days"))).value is True
    assert (await verdict(MatchesRegex(r"^\d"), ctx("Sunny for 2 days"))).value is False
    assert (await verdict(MatchesRegex("x"), ctx(42))).reason == "the output is a int"
    with pytest.raises(ConfigurationError, match="is not a regex"):
        MatchesRegex("(")


async def test_max_tokens_reads_the_runs_usage() -> None:
    assert (await verdict(MaxTokens(100), ctx("a", usage=Usage(60, 40)))).value is True
    failed = await verdict(MaxTokens(99), ctx("a", usage=Usage(60, 40)))
    assert failed == EvaluationResult(False, "100 tokens used, over 99")
    with pytest.raises(ConfigurationError, match="reported no usage"):
        await verdict(MaxTokens(10), ctx("a"))


async def test_max_duration_reads_the_measured_duration() -> None:
    assert (await verdict(MaxDuration(2), ctx("a", duration=1.5))).value is True
    failed = await verdict(MaxDuration(1), ctx("a", duration=1.5))
    assert failed == EvaluationResult(False, "took 1.500 s, over 1 s")


async def test_tool_called_on_real_runs(agent: Agent) -> None:
    dataset = Dataset(
        [Case("paris", "Weather in Paris"), Case("oslo", "Weather in Oslo")],
        evaluators=[
            ToolCalled("get_forecast"),
            ToolCalled("get_forecast", {"city": "Paris"}),
            ToolCalled("get_time"),
        ],
    )
    report = await dataset.evaluate(agent)
    paris, oslo = report.cases
    assert [o.value for o in paris.evaluations] == [True, True, False]
    assert [o.value for o in oslo.evaluations] == [True, False, False]
    assert oslo.evaluations[1].reason == ("no call with {'city': 'Paris'} (got {'city': 'Oslo'})")
    assert paris.evaluations[2].reason == "'get_time' was not called (called: ['get_forecast'])"
    assert [o.name for o in paris.evaluations] == [
        "ToolCalled('get_forecast')",
        "ToolCalled('get_forecast')#2",
        "ToolCalled('get_time')",
    ]


async def test_tool_called_matches_a_subset_of_the_arguments() -> None:
    from locus.core.messages import ToolCall
    from locus.testing import ScriptedModel
    from tests.unit.evals.conftest import get_forecast

    model = ScriptedModel([ToolCall("c1", "get_forecast", {"city": "Paris", "days": 3}), "ok"])
    report = await Dataset(
        [Case("one", "go")],
        evaluators=[
            ToolCalled("get_forecast", {"days": 3}),
            ToolCalled("get_forecast", {"days": 3, "city": "Paris"}),
            ToolCalled("get_forecast", {"days": 3, "unit": "C"}),
        ],
    ).evaluate(Agent(model, tools=[get_forecast]))
    assert [o.value for o in report.cases[0].evaluations] == [True, True, False]


async def test_tool_called_on_a_function_task_says_it_needs_an_agent_result() -> None:
    report = await Dataset([Case("one", "go")], evaluators=[ToolCalled("x")]).evaluate(
        lambda inputs: "text"
    )
    error = report.cases[0].evaluations[0].error
    assert error is not None and error.type == "ConfigurationError"
    assert re.search("no AgentResult to read tool calls from; evaluate an Agent", error.message)


@pytest.mark.parametrize(
    "make",
    [
        lambda: MaxTokens(-1),
        lambda: MaxTokens("10"),  # type: ignore[arg-type]
        lambda: MaxDuration(0),
    ],
)
def test_limits_that_make_no_sense_are_refused(make: Any) -> None:
    with pytest.raises(ConfigurationError, match="takes"):
        make()
