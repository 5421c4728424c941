"""``LLMJudge`` with a ``FunctionModel`` as the judge: what the judge is sent (the rubric,
the output, and the inputs and expected output when asked), and its verdict recorded."""

from __future__ import annotations

import json
from typing import Any

import pytest

from locus.core.errors import ConfigurationError
from locus.core.messages import Message, ToolCall
from locus.core.toolspec import ToolSpec
from locus.core.usage import Usage
from locus.evals import Case, Dataset, LLMJudge
from locus.evals._judge import JUDGE_SYSTEM_PROMPT
from locus.testing import FunctionModel, ScriptedTurn

from .conftest import weather_agent

RUBRIC = "The answer gives a forecast for the city asked about."


def grader(messages: list[Message], tools: list[ToolSpec]) -> ToolCall:
    """Pass an answer that says Sunny; the reason quotes what it looked at."""
    prompt = messages[-1].text
    output = prompt.split("<output>\n")[1].split("\n</output>")[0]
    passed = "Sunny" in output
    return ToolCall("g1", "final_result", {"reason": f"graded {output!r}", "passed": passed})


async def test_the_judge_is_sent_the_rubric_and_the_output_and_its_verdict_is_kept() -> None:
    judge_model = FunctionModel(grader)
    dataset = Dataset(
        [Case("paris", "Weather in Paris"), Case("oslo", "Weather in Oslo")],
        evaluators=[LLMJudge(RUBRIC, judge_model)],
    )
    report = await dataset.evaluate(weather_agent(), max_concurrency=1)

    first = judge_model.requests[0]
    assert first.system_prompt == JUDGE_SYSTEM_PROMPT
    assert first.user_prompt == (
        f"<rubric>\n{RUBRIC}\n</rubric>\n"
        "<output>\nHere you go: Sunny in Paris for 1 day(s).\n</output>"
    )
    assert first.tool_names == ["final_result"]  # typed output through the output tool
    assert set(first.tools[0].parameters["properties"]) == {"reason", "passed"}

    paris, oslo = report.cases
    assert paris.outcome("LLMJudge").value is True
    assert paris.outcome("LLMJudge").reason == "graded 'Here you go: Sunny in Paris for 1 day(s).'"
    assert oslo.outcome("LLMJudge").value is False and oslo.status == "failed"
    assert "Snowy in Oslo" in (oslo.outcome("LLMJudge").reason or "")


def approve(messages: list[Message], tools: list[ToolSpec]) -> ToolCall:
    return ToolCall("g", "final_result", {"reason": "r", "passed": True})


async def test_the_judge_sees_the_inputs_and_expected_output_when_asked() -> None:
    judge_model = FunctionModel(
        lambda m, t: ToolCall("g", "final_result", {"reason": "r", "passed": True})
    )
    judge = LLMJudge(RUBRIC, judge_model, include_input=True, include_expected=True, name="fit")
    case = Case("paris", "Weather in Paris", expected_output={"city": "Paris"})
    report = await Dataset([case], evaluators=[judge]).evaluate(weather_agent())
    assert judge_model.requests[0].user_prompt == (
        f"<rubric>\n{RUBRIC}\n</rubric>\n"
        "<input>\nWeather in Paris\n</input>\n"
        '<expected_output>\n{"city": "Paris"}\n</expected_output>\n'
        "<output>\nHere you go: Sunny in Paris for 1 day(s).\n</output>"
    )
    assert report.cases[0].assertions == {"fit": True}


async def test_messages_as_inputs_are_shown_to_the_judge_as_lines() -> None:
    judge_model = FunctionModel(
        lambda m, t: ToolCall("g", "final_result", {"reason": "r", "passed": True})
    )
    judge = LLMJudge(RUBRIC, judge_model, include_input=True)
    inputs = [Message.user("Hi"), Message.assistant("Hello"), Message.user("Weather in Paris")]
    await Dataset([Case("paris", inputs)], evaluators=[judge]).evaluate(weather_agent())
    prompt = judge_model.requests[0].user_prompt or ""
    assert "<input>\nuser: Hi\nassistant: Hello\nuser: Weather in Paris\n</input>" in prompt


async def test_a_judge_that_cannot_answer_is_an_evaluator_error() -> None:
    judge = LLMJudge(RUBRIC, FunctionModel(lambda m, t: ConnectionError("judge unreachable")))
    report = await Dataset([Case("paris", "Weather in Paris")], evaluators=[judge]).evaluate(
        weather_agent()
    )
    outcome = report.cases[0].outcome("LLMJudge")
    assert outcome.value is None and outcome.error is not None
    assert outcome.error.type == "ConnectionError"
    assert report.cases[0].status == "failed"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"rubric": "  ", "model": "mock:echo"}, "LLMJudge needs a rubric"),
        ({"rubric": "r", "model": 42}, "model must be a Model"),
        ({"rubric": "r", "model": "mock:echo", "name": ""}, "name must not be empty"),
    ],
)
def test_a_bad_judge_is_refused_when_made(arguments: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        LLMJudge(**arguments)


def costly_grader(messages: list[Message], tools: list[ToolSpec]) -> ScriptedTurn:
    """``grader``'s verdict, at a known price: 100 prompt tokens and 7 completion tokens."""
    return ScriptedTurn(tool_calls=[grader(messages, tools)], usage=Usage(100, 7))


async def test_the_judges_own_tokens_are_counted_apart_from_the_tasks() -> None:
    dataset = Dataset(
        [Case("paris", "Weather in Paris"), Case("oslo", "Weather in Oslo")],
        evaluators=[LLMJudge(RUBRIC, FunctionModel(costly_grader))],
    )
    report = await dataset.evaluate(weather_agent(), max_concurrency=1)

    paris, oslo = report.cases
    assert paris.outcome("LLMJudge").usage == Usage(100, 7, 107)
    assert (paris.evaluator_tokens, oslo.evaluator_tokens) == (107, 107)
    assert report.summary.evaluator_tokens == 214
    # the tasks' own tokens are not mixed with the judge's
    task_tokens = sum(case.tokens or 0 for case in report.cases)
    assert task_tokens > 0 and report.summary.total_tokens == task_tokens
    assert f"{task_tokens} tokens (+214 judging)" in report.render()

    again = type(report).from_dict(json.loads(json.dumps(report.to_dict())))
    assert again.summary.evaluator_tokens == 214
    assert again.cases[0].outcome("LLMJudge").usage == Usage(100, 7, 107)


async def test_a_judge_that_fails_still_has_its_tokens_counted() -> None:
    def never_valid(messages: list[Message], tools: list[ToolSpec]) -> ScriptedTurn:
        call = ToolCall("g", "final_result", {"passed": "maybe"})  # no reason, not a bool
        return ScriptedTurn(tool_calls=[call], usage=Usage(50, 5))

    judge_model = FunctionModel(never_valid)
    report = await Dataset(
        [Case("paris", "Weather in Paris")], evaluators=[LLMJudge(RUBRIC, judge_model)]
    ).evaluate(weather_agent())
    outcome = report.cases[0].outcome("LLMJudge")
    assert outcome.error is not None and outcome.value is None
    calls = len(judge_model.requests)
    assert calls > 1  # asked again after the invalid answer, then gave up
    assert outcome.usage is not None and outcome.usage.total_tokens == 55 * calls
    assert report.summary.evaluator_tokens == 55 * calls
