"""``Dataset.to_file``/``from_file``: a round trip keeps cases and evaluators; what a file
cannot hold, and files that are not datasets, are clear errors."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from locus.core.errors import ConfigurationError, SerializationError
from locus.core.messages import Message
from locus.evals import (
    Case,
    Contains,
    Dataset,
    Equals,
    Evaluator,
    EvaluatorContext,
    IsInstance,
    LLMJudge,
    MatchesRegex,
    MaxDuration,
    MaxTokens,
    ToolCalled,
)
from locus.testing import FunctionModel


@dataclass
class StartsWith(Evaluator):
    prefix: str

    def evaluate(self, ctx: EvaluatorContext) -> bool:
        return str(ctx.output).startswith(self.prefix)


def everything() -> Dataset:
    return Dataset(
        [
            Case(
                "paris",
                "Weather in Paris?",
                expected_output={"city": "Paris", "days": [1, 2]},
                metadata={"tier": "gold"},
                evaluators=[ToolCalled("get_forecast", {"city": "Paris"}), Equals()],
            ),
            Case(
                "chat",
                [Message.system("Be brief."), Message.user("Weather in Oslo?")],
                evaluators=[Contains("snow", case_sensitive=False), StartsWith("Here")],
            ),
        ],
        evaluators=[
            Equals("x"),
            Contains(),
            IsInstance(str),
            MatchesRegex(r"\d+ day"),
            MaxTokens(500),
            MaxDuration(2.5),
            LLMJudge("Gives a forecast.", "mock:echo", include_input=True, name="forecast"),
        ],
        name="weather",
    )


def specs(dataset: Dataset) -> list[object]:
    from locus.evals._context import as_evaluator

    everything = [*dataset.evaluators, *(e for c in dataset.cases for e in c.evaluators)]
    return [(type(e).__name__, as_evaluator(e, "").spec()) for e in everything]


def test_a_round_trip_keeps_cases_and_evaluators(tmp_path: Path) -> None:
    path = tmp_path / "weather.json"
    original = everything()
    original.to_file(path)
    loaded = Dataset.from_file(path, evaluator_types=[StartsWith])
    assert loaded.name == "weather"
    paris, chat = loaded.cases
    assert (paris.name, paris.inputs, paris.expected_output, paris.metadata) == (
        "paris",
        "Weather in Paris?",
        {"city": "Paris", "days": [1, 2]},
        {"tier": "gold"},
    )
    assert (chat.name, chat.inputs) == ("chat", original.cases[1].inputs)  # the messages
    assert specs(loaded) == specs(original)
    judge = loaded.evaluators[-1]
    assert isinstance(judge, LLMJudge) and judge.name == "forecast" and judge.include_input


def test_the_file_is_readable_json(tmp_path: Path) -> None:
    path = tmp_path / "d.json"
    Dataset([Case("a", "hi", evaluators=[Contains("h")])], name="small").to_file(path)
    assert json.loads(path.read_text()) == {
        "name": "small",
        "version": 1,
        "evaluators": [],
        "cases": [
            {
                "name": "a",
                "inputs": "hi",
                "expected_output": None,
                "metadata": {},
                "evaluators": [{"evaluator": "Contains", "value": "h"}],
            }
        ],
    }


def test_function_evaluators_are_added_when_loading_not_saved(tmp_path: Path) -> None:
    def short(ctx: EvaluatorContext) -> bool:
        return len(ctx.output) < 80

    with pytest.raises(ConfigurationError, match="evaluator function 'short' cannot be saved"):
        Dataset([Case("a", "x")], evaluators=[short]).to_file(tmp_path / "d.json")
    Dataset([Case("a", "x")]).to_file(tmp_path / "d.json")
    loaded = Dataset.from_file(tmp_path / "d.json", evaluators=[short])
    assert loaded.evaluators == [short]


def test_a_judge_with_a_model_object_needs_judge_model_to_load(tmp_path: Path) -> None:
    judge = LLMJudge("Gives a forecast.", FunctionModel(lambda m, t: "x"))
    Dataset([Case("a", "x")], evaluators=[judge]).to_file(tmp_path / "d.json")
    with pytest.raises(ConfigurationError, match=r"pass one: Dataset\.from_file"):
        Dataset.from_file(tmp_path / "d.json")
    other = FunctionModel(lambda m, t: "y")
    loaded = Dataset.from_file(tmp_path / "d.json", judge_model=other)
    (loaded_judge,) = loaded.evaluators
    assert isinstance(loaded_judge, LLMJudge) and loaded_judge.agent.model is other


def test_values_a_file_cannot_hold_are_refused_naming_the_case(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="case 'a': expected_output is not a JSON value"):
        Dataset([Case("a", "x", expected_output={1, 2})]).to_file(tmp_path / "d.json")


def test_a_custom_evaluator_needs_its_class_to_load(tmp_path: Path) -> None:
    Dataset([Case("a", "x")], evaluators=[StartsWith("H")]).to_file(tmp_path / "d.json")
    with pytest.raises(ConfigurationError, match=r"evaluator_types=\[StartsWith\]"):
        Dataset.from_file(tmp_path / "d.json")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "is not JSON"),
        ('{"cases": 3}', "is not a dataset file"),
        ('{"version": 9, "cases": []}', "dataset file version 9"),
        ('{"cases": [{"inputs": "x"}]}', r"cases\[0\] is not an object with a 'name'"),
        ('{"cases": [{"name": "a", "input": "x"}]}', r"unknown keys \['input'\]"),
        ('{"cases": [{"name": "a", "evaluators": [{"value": 1}]}]}', "with an 'evaluator'"),
        ('{"cases": [{"name": "a", "input_messages": [{"role": "x"}]}]}', "input_messages"),
    ],
)
def test_a_file_that_is_not_a_dataset_is_a_serialization_error(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "d.json"
    path.write_text(text)
    with pytest.raises(SerializationError, match=message):
        Dataset.from_file(path)


def test_bad_evaluator_arguments_in_a_file_say_which(tmp_path: Path) -> None:
    path = tmp_path / "d.json"
    path.write_text('{"cases": [], "evaluators": [{"evaluator": "MaxTokens", "most": 3}]}')
    with pytest.raises(ConfigurationError, match=r"evaluators\[0\]: MaxTokens\(\*\*"):
        Dataset.from_file(path)


@dataclass
class Named(Evaluator):
    name: str

    def evaluate(self, ctx: EvaluatorContext) -> bool:
        return True


def test_names_set_on_evaluators_are_kept(tmp_path: Path) -> None:
    renamed = Contains("Sunny")
    renamed.name = "sunny"
    assert Named("mine").name == "mine" and Contains("x").name == "Contains('x')"
    Dataset([Case("a", "x")], evaluators=[renamed, Named("mine")]).to_file(tmp_path / "d.json")
    loaded = Dataset.from_file(tmp_path / "d.json", evaluator_types=[Named])
    assert [getattr(e, "name", None) for e in loaded.evaluators] == ["sunny", "mine"]
    saved = json.loads((tmp_path / "d.json").read_text())["evaluators"]
    assert saved == [
        {"evaluator": "Contains", "value": "Sunny", "label": "sunny"},
        {"evaluator": "Named", "name": "mine"},
    ]
