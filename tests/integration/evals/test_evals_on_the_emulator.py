"""``locus.evals`` end to end over HTTP: a dataset of three cases against an agent with tools
on the emulator's DAC endpoints (by endpoint OCID), checked by ``ToolCalled``, ``Contains``
and an ``LLMJudge`` on a DAC (typed output through the ``final_result`` tool, which the
Qwen-style endpoint calls as ``<tool_call>`` text); then two endpoints compared.

The emulator's scripted engine calls the tool the prompt names, says which model it is
when asked, and fills a structured answer from the words of the request: a boolean is
true when the request holds the word "yes", a text field takes the first quoted phrase.
The rubric is written so, and the test checks that the judge was sent it with the output.
"""

from __future__ import annotations

import json
import logging

import pytest

from locus.agent import Agent
from locus.core.model import Model
from locus.emulator import Emulator
from locus.evals import (
    Case,
    Contains,
    Dataset,
    EvaluationReport,
    LLMJudge,
    ToolCalled,
    ValueChange,
)
from locus.tools import tool
from tests.integration.conftest import OCIModelFactory

RUBRIC = 'Reply yes when the answer responds to the question; give "it answers" as the reason.'


@tool
def forecast(city: str) -> str:
    """Tell the weather forecast for a city.

    Args:
        city: Name of the city, e.g. Paris.
    """
    return {"Paris": "Sunny", "Lisbon": "Windy"}.get(city, "Rainy") + f" in {city}"


@tool
def sunrise(city: str) -> str:
    """Tell when the sun rises in a city.

    Args:
        city: Name of the city, e.g. Lisbon.
    """
    return f"06:50 in {city}"


def weather_dataset(judge: LLMJudge) -> Dataset:
    return Dataset(
        [
            Case(
                "paris",
                "What is the forecast for Paris?",
                evaluators=[ToolCalled("forecast", {"city": "Paris"}), Contains("Sunny")],
            ),
            Case(
                "lisbon",
                "When is sunrise in Lisbon?",
                evaluators=[ToolCalled("sunrise", {"city": "Lisbon"}), Contains("06:50")],
            ),
            # the deployment check: this endpoint serves the Qwen model we mean to ship
            Case("identity", "Which model are you?", evaluators=[Contains("Qwen")]),
        ],
        evaluators=[judge],
        name="weather",
    )


def dac(emu: Emulator, oci_model: OCIModelFactory, style: str) -> Model:
    return oci_model(emu.endpoint(style)["ocid"])


def weather_agent(model: Model, name: str) -> Agent:
    return Agent(model, tools=[forecast, sunrise], name=name)


async def evaluate_on(emu: Emulator, oci_model: OCIModelFactory, style: str) -> EvaluationReport:
    judge = LLMJudge(RUBRIC, dac(emu, oci_model, "hermes"), include_input=True)
    agent = weather_agent(dac(emu, oci_model, style), f"weather-{style}")
    return await weather_dataset(judge).evaluate(agent, max_concurrency=2)


async def test_a_dataset_against_an_agent_on_a_dac_endpoint(
    emu: Emulator, oci_model: OCIModelFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="locus.wire")
    report = await evaluate_on(emu, oci_model, "hermes")

    assert [(c.key, c.status) for c in report.cases] == [
        ("paris", "passed"),
        ("lisbon", "passed"),
        ("identity", "passed"),
    ]
    assert [c.output for c in report.cases] == [
        "The result of forecast is Sunny in Paris.",
        "The result of sunrise is 06:50 in Lisbon.",
        "I am Qwen/Qwen2.5-72B-Instruct, served by the Locus OCI emulator.",
    ]
    paris = report.case("paris")
    assert paris.outcome("ToolCalled('forecast')").value is True
    assert paris.result is not None and paris.result.metrics.tool_calls == 1
    for case in report.cases:
        verdict = case.outcome("LLMJudge")
        assert (verdict.value, verdict.reason, verdict.error) == (True, "it answers", None)
    summary = report.summary
    assert summary.pass_rate == 1.0 and summary.assertions["LLMJudge"] == 1.0
    assert summary.total_tokens == sum(c.usage.total_tokens for c in report.cases if c.usage)
    assert summary.total_tokens > 0

    # every model call went over HTTP: two per tool case, one for "identity", one per judge
    assert [r.operation for r in emu.requests].count("chat") == 2 + 2 + 1 + 3
    sent = [
        json.loads(r.getMessage().split("request body: ", 1)[1])
        for r in caplog.records
        if "request body: " in r.getMessage()
    ]
    texts = [text for text in map(json.dumps, sent) if "<rubric>" in text]
    assert len(texts) == 3
    assert all(RUBRIC.replace('"', '\\"') in text for text in texts)
    assert any("The result of forecast is Sunny in Paris." in text for text in texts)
    assert all("final_result" in text for text in texts)  # typed output: the output tool


async def test_two_dac_endpoints_compared(emu: Emulator, oci_model: OCIModelFactory) -> None:
    qwen = await evaluate_on(emu, oci_model, "hermes")
    gpt_oss = await evaluate_on(emu, oci_model, "native")

    assert qwen.pass_rate == 1.0 and gpt_oss.pass_rate == pytest.approx(2 / 3)
    diff = qwen.compare(gpt_oss)
    assert [c.key for c in diff.regressions] == ["identity"] and diff.fixes == []
    (identity,) = diff.changed
    assert identity.changes == [ValueChange("Contains('Qwen')", True, False)]
    assert identity.after_output == "I am openai.gpt-oss-120b, served by the Locus OCI emulator."
    lines = diff.render().splitlines()
    assert lines[0] == "weather: weather-hermes -> weather-native"
    assert lines[1].startswith("pass rate 100.0% -> 66.7%; tokens ")
    assert lines[1].endswith("; 1 changed, 2 unchanged")
    assert lines[-1] == "identity  passed  failed  Contains('Qwen'): True -> False"
    failed = gpt_oss.case("identity").outcome("Contains('Qwen')")
    assert failed.reason == (
        "'I am openai.gpt-oss-120b, served by the Locus OCI emulator.' does not contain 'Qwen'"
    )
