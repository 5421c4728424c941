"""Datasets as JSON files::

    {"name": "weather", "version": 1,
     "evaluators": [{"evaluator": "Contains", "value": "Sunny"}],
     "cases": [{"name": "paris", "inputs": "Weather in Paris?", "expected_output": null,
                "metadata": {}, "evaluators": [{"evaluator": "ToolCalled",
                                                "tool": "get_forecast", "arguments": null}]}]}

A case given messages keeps them under ``"input_messages"`` (as ``dump_messages`` writes
them) instead of ``"inputs"``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from locus.core.errors import ConfigurationError, SerializationError
from locus.core.messages import Message, dump_messages, load_messages
from locus.evals._context import Evaluator, EvaluatorLike, as_evaluator
from locus.evals._dataset import Case, Dataset
from locus.evals._evaluators import BUILT_IN
from locus.evals._judge import LLMJudge

if TYPE_CHECKING:
    from locus.core.model import Model

__all__ = ["dump_dataset", "load_dataset"]

VERSION = 1
_CASE_KEYS = {"name", "inputs", "input_messages", "expected_output", "metadata", "evaluators"}


def dump_dataset(dataset: Dataset) -> str:
    dataset.check()
    cases = [_case_to_json(case) for case in dataset.cases]
    data = {
        "name": dataset.name,
        "version": VERSION,
        "evaluators": _evaluators_to_json(dataset.evaluators, f"dataset {dataset.name!r}"),
        "cases": cases,
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _case_to_json(case: Case) -> dict[str, Any]:
    where = f"case {case.name!r}"
    item: dict[str, Any] = {"name": case.name}
    if _are_messages(case.inputs):
        messages = [case.inputs] if isinstance(case.inputs, Message) else list(case.inputs)
        item["input_messages"] = json.loads(dump_messages(messages))["messages"]
    else:
        item["inputs"] = _json_value(case.inputs, f"{where}: inputs")
    item["expected_output"] = _json_value(case.expected_output, f"{where}: expected_output")
    item["metadata"] = _json_value(case.metadata, f"{where}: metadata")
    item["evaluators"] = _evaluators_to_json(case.evaluators, where)
    return item


def _are_messages(value: Any) -> bool:
    if isinstance(value, Message):
        return True
    return (
        isinstance(value, list | tuple)
        and bool(value)
        and all(isinstance(m, Message) for m in value)
    )


def _json_value(value: Any, where: str) -> Any:
    try:
        return json.loads(json.dumps(value, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise ConfigurationError(
            f"{where} is not a JSON value ({exc}); a dataset file holds JSON values and "
            "messages only: save typed outputs as dicts (e.g. model_dump()) and compare "
            "with a function evaluator"
        ) from None


def _evaluators_to_json(items: Sequence[EvaluatorLike], where: str) -> list[dict[str, Any]]:
    out = []
    for item in items:
        evaluator = as_evaluator(item, where)
        spec = evaluator.spec()
        name = type(evaluator).__name__
        entry = {"evaluator": name, **_json_value(spec, f"{where}: {name}'s arguments")}
        if evaluator.name != evaluator.default_name() and "name" not in spec:
            entry["label"] = evaluator.name  # a name set on it (evaluator.name = "...")
        out.append(entry)
    return out


def load_dataset(
    text: str,
    source: str,
    evaluator_types: Sequence[type[Evaluator]],
    judge_model: Model | str | None,
) -> Dataset:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise SerializationError(f"{source} is not JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("cases"), list):
        raise SerializationError(
            f"{source} is not a dataset file: expected an object with a 'cases' list "
            "(as Dataset.to_file writes)"
        )
    if data.get("version", VERSION) != VERSION:
        raise SerializationError(
            f"{source}: dataset file version {data.get('version')!r}; this Locus reads "
            f"version {VERSION}"
        )
    types = {**BUILT_IN, "LLMJudge": LLMJudge, **{t.__name__: t for t in evaluator_types}}
    reader = _Reader(source, types, judge_model)
    return Dataset(
        [reader.case(item, index) for index, item in enumerate(data["cases"])],
        evaluators=reader.evaluators(data.get("evaluators", []), "evaluators"),
        name=str(data.get("name") or "dataset"),
    )


class _Reader:
    def __init__(
        self, source: str, types: dict[str, type[Evaluator]], judge_model: Model | str | None
    ) -> None:
        self.source = source
        self.types = types
        self.judge_model = judge_model

    def case(self, item: Any, index: int) -> Case:
        where = f"cases[{index}]"
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise SerializationError(f"{self.source}: {where} is not an object with a 'name'")
        unknown = set(item) - _CASE_KEYS
        if unknown:
            raise SerializationError(f"{self.source}: {where} has unknown keys {sorted(unknown)}")
        inputs = item.get("inputs")
        if "input_messages" in item:
            try:
                inputs = load_messages(json.dumps({"v": 1, "messages": item["input_messages"]}))
            except SerializationError as exc:
                raise SerializationError(f"{self.source}: {where}.input_messages: {exc}") from None
        metadata = item.get("metadata") or {}
        if not isinstance(metadata, dict):
            raise SerializationError(f"{self.source}: {where}.metadata is not an object")
        return Case(
            name=item["name"],
            inputs=inputs,
            expected_output=item.get("expected_output"),
            metadata=metadata,
            evaluators=self.evaluators(item.get("evaluators", []), f"{where}.evaluators"),
        )

    def evaluators(self, items: Any, where: str) -> list[EvaluatorLike]:
        if not isinstance(items, list):
            raise SerializationError(f"{self.source}: {where} is not a list")
        return [self.evaluator(spec, f"{where}[{i}]") for i, spec in enumerate(items)]

    def evaluator(self, spec: Any, where: str) -> Evaluator:
        if not isinstance(spec, dict) or not isinstance(spec.get("evaluator"), str):
            raise SerializationError(
                f"{self.source}: {where} is not an object with an 'evaluator' name"
            )
        arguments = {k: v for k, v in spec.items() if k not in ("evaluator", "label")}
        name = spec["evaluator"]
        cls = self.types.get(name)
        if cls is None:
            raise ConfigurationError(
                f"{self.source}: {where} names the evaluator {name!r}, which is not built "
                f"in; pass its class: Dataset.from_file(path, evaluator_types=[{name}])"
            )
        if cls is LLMJudge:
            arguments = self._judge(arguments, where)
        try:
            evaluator = cls(**arguments)
        except TypeError as exc:
            raise ConfigurationError(
                f"{self.source}: {where}: {name}(**{arguments!r}) failed: {exc}"
            ) from None
        if isinstance(spec.get("label"), str):
            evaluator.name = spec["label"]
        return evaluator

    def _judge(self, arguments: dict[str, Any], where: str) -> dict[str, Any]:
        if self.judge_model is not None:
            return {**arguments, "model": self.judge_model}
        if "model" not in arguments:
            raise ConfigurationError(
                f"{self.source}: {where} is an LLMJudge saved without a model (it had a "
                "Model object); pass one: Dataset.from_file(path, judge_model=model)"
            )
        return arguments
