"""The report: its numbers, its table, its JSON, and the comparison of two runs."""

from __future__ import annotations

import json

import pytest

from locus.agent import Agent
from locus.core.errors import SerializationError
from locus.core.messages import Message
from locus.core.toolspec import ToolSpec
from locus.core.usage import Usage
from locus.evals import (
    Case,
    Contains,
    Dataset,
    EvaluationReport,
    EvaluatorContext,
    MaxTokens,
)
from locus.testing import FunctionModel, ScriptedTurn

LONG = "Sunny " + "and warm " * 30


def answers(weather: dict[str, str], name: str) -> Agent:
    """An agent answering ``weather[city]`` for "Weather in <city>" with fixed usage:
    10 prompt tokens, and as many completion tokens as the city has letters."""

    def answer(messages: list[Message], tools: list[ToolSpec]) -> ScriptedTurn:
        city = messages[-1].text.split()[-1]
        if city not in weather:
            raise LookupError(f"no weather for {city}")
        return ScriptedTurn(text=weather[city], usage=Usage(10, len(city)))

    return Agent(FunctionModel(answer), name=name)


def score(ctx: EvaluatorContext) -> float:
    return 1.0 if "Sunny" in ctx.output else 0.5


DATASET = Dataset(
    [
        Case("paris", "Weather in Paris"),
        Case("oslo", "Weather in Oslo"),
        Case("rome", "Weather in Rome"),
        Case("atlantis", "Weather in Atlantis"),
    ],
    evaluators=[Contains("Sunny"), MaxTokens(15), score],
    name="weather",
)
BEFORE = {"Paris": "Sunny in Paris", "Oslo": "Snow in Oslo", "Rome": LONG}
AFTER = {"Paris": "Rain in Paris", "Oslo": "Sunny in Oslo", "Rome": LONG, "Atlantis": "Sunny"}


async def evaluate(weather: dict[str, str], name: str) -> EvaluationReport:
    return await DATASET.evaluate(answers(weather, name))


async def test_the_summary_numbers() -> None:
    report = await evaluate(BEFORE, "before")
    s = report.summary
    assert (s.cases, s.passed, s.failed, s.errored) == (4, 2, 1, 1)
    assert s.pass_rate == report.pass_rate == 0.5
    # paris: Sunny, 15 tokens; oslo: no Sunny, 14 tokens; rome: Sunny, 14 tokens
    assert s.assertions == {"Contains('Sunny')": 2 / 3, "MaxTokens(15)": 1.0}
    assert s.scores == {"score": (1.0 + 0.5 + 1.0) / 3}
    assert s.total_tokens == 15 + 14 + 14 + 0
    assert s.mean_duration == sum(c.duration for c in report.cases) / 4
    assert [c.key for c in report.failures] == ["oslo", "atlantis"]


async def test_an_empty_dataset_reports_nothing_passed() -> None:
    report = await Dataset([]).evaluate(lambda inputs: inputs)
    assert report.cases == [] and report.pass_rate == 0.0 and report.summary.mean_duration == 0
    assert report.render().splitlines() == [
        "dataset: <lambda>",
        "case  status  checks  tokens  secs  output",
        "----  ------  ------  ------  ----  --------",
        "0 cases: 0 passed, 0 failed, 0 errored; pass rate 0.0%; 0 tokens; mean 0.00 s",
    ]


async def test_render_is_a_table_within_the_width_with_failed_checks_under_their_case() -> None:
    report = await evaluate(BEFORE, "before")
    text = report.render(durations=False)
    assert text.splitlines() == [
        "weather: before",
        "case      status   checks  tokens  output",
        "--------  -------  ------  ------  " + "-" * 65,
        "paris     passed   2/2     15      Sunny in Paris",
        "oslo      failed   1/2     14      Snow in Oslo",
        "  x Contains('Sunny'): 'Snow in Oslo' does not contain 'Sunny'",
        "rome      passed   2/2     14      " + LONG[:64] + "…",
        "atlantis  errored  -       0       LookupError: no weather for Atlantis",
        "4 cases: 2 passed, 1 failed, 1 errored; pass rate 50.0%; 43 tokens",
        "evaluator          held    mean score",
        "-----------------  ------  ----------",
        "Contains('Sunny')  66.7%",
        "MaxTokens(15)      100.0%",
        "score                      0.833",
    ]
    with_times = report.render()
    assert all(len(line) <= 100 for line in with_times.splitlines())
    assert with_times.splitlines()[1].split() == [
        "case",
        "status",
        "checks",
        "tokens",
        "secs",
        "output",
    ]
    assert all(len(line) <= 60 for line in report.render(width=60).splitlines())


async def test_to_dict_is_json() -> None:
    report = await evaluate(BEFORE, "before")
    data = json.loads(json.dumps(report.to_dict()))
    assert data["summary"]["passed"] == 2 and data["label"] == "before"
    oslo = data["cases"][1]
    assert oslo["status"] == "failed" and oslo["output"] == "Snow in Oslo"
    assert oslo["usage"] == {"prompt_tokens": 10, "completion_tokens": 4, "total_tokens": 14}
    assert oslo["evaluations"][0] == {
        "name": "Contains('Sunny')",
        "value": False,
        "reason": "'Snow in Oslo' does not contain 'Sunny'",
        "error": None,
        "usage": None,  # (a model-free evaluator spends no tokens)
    }
    assert data["cases"][3]["error"] == {
        "type": "LookupError",
        "message": "no weather for Atlantis",
    }


async def test_compare_shows_the_cases_that_changed() -> None:
    before, after = await evaluate(BEFORE, "before"), await evaluate(AFTER, "after")
    diff = before.compare(after)
    assert [c.key for c in diff.changed] == ["paris", "oslo", "atlantis"]
    assert [c.key for c in diff.regressions] == ["paris"]
    assert [c.key for c in diff.fixes] == ["oslo"]
    assert diff.unchanged == 1 and diff.added == [] and diff.removed == []
    paris = diff.changed[0]
    assert (paris.before, paris.after) == ("passed", "failed")
    assert [str(v) for v in paris.changes] == [
        "Contains('Sunny'): True -> False",
        "score: 1 -> 0.5",
    ]
    atlantis = diff.changed[2]  # errored before; now answers, over the token limit
    assert (atlantis.before, atlantis.after, atlantis.after_output) == (
        "errored",
        "failed",
        "Sunny",
    )
    assert diff.render().splitlines() == [
        "weather: before -> after",
        "pass rate 50.0% -> 50.0%; tokens 43 -> 61; 3 changed, 1 unchanged",
        "case      before   after   what changed",
        "--------  -------  ------  " + "-" * 73,
        "paris     passed   failed  Contains('Sunny'): True -> False; score: 1 -> 0.5",
        "oslo      failed   passed  Contains('Sunny'): False -> True; score: 0.5 -> 1",
        "atlantis  errored  failed  Contains('Sunny'): (not run) -> True; MaxTokens(15): (not run) "
        "-> False;…",
    ]
    assert EvaluationReport.diff(before, after).to_dict() == diff.to_dict()
    assert json.loads(json.dumps(diff.to_dict()))["changed"][0]["key"] == "paris"


async def test_compare_lists_cases_only_one_side_has() -> None:
    before = await Dataset([Case("a", "x"), Case("b", "y")]).evaluate(lambda i: i, label="one")
    after = await Dataset([Case("b", "y"), Case("c", "z")]).evaluate(lambda i: i, label="two")
    diff = before.compare(after)
    assert (diff.added, diff.removed, diff.changed, diff.unchanged) == (["c"], ["a"], [], 1)
    assert diff.render().splitlines()[-2:] == ["only after: c", "only before: a"]


async def test_a_case_whose_score_changed_is_listed_though_its_status_did_not() -> None:
    async def evaluate_with(value: float, label: str) -> EvaluationReport:
        return await Dataset([Case("a", "x")], evaluators=[lambda ctx: value]).evaluate(
            lambda inputs: inputs, label=label
        )

    diff = (await evaluate_with(0.9, "one")).compare(await evaluate_with(0.4, "two"))
    (change,) = diff.changed
    assert (change.key, change.before, change.after) == ("a", "passed", "passed")
    assert [str(v) for v in change.changes] == ["<lambda>: 0.9 -> 0.4"]
    assert diff.regressions == [] and diff.fixes == [] and diff.unchanged == 0


async def test_a_report_read_back_from_json_compares_like_the_original() -> None:
    before, after = await evaluate(BEFORE, "before"), await evaluate(AFTER, "after")
    kept = EvaluationReport.from_dict(json.loads(json.dumps(before.to_dict())))
    assert kept.to_dict() == before.to_dict()
    assert kept.render(durations=False) == before.render(durations=False)
    assert kept.compare(after).to_dict() == before.compare(after).to_dict()
    assert kept.case("atlantis").error == before.case("atlantis").error


def test_what_is_not_a_report_is_a_serialization_error() -> None:
    with pytest.raises(SerializationError, match=r"not a report as EvaluationReport\.to_dict"):
        EvaluationReport.from_dict({"name": "x", "label": "y", "cases": [{"key": "a"}]})
