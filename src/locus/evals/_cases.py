"""The records of an evaluation: each case run (``CaseReport``), each evaluator's outcome,
errors caught on the way, and the numbers over all cases (``ReportSummary``)."""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from locus.agent import AgentResult
    from locus.core.usage import Usage

__all__ = [
    "CaseReport",
    "CaseStatus",
    "ErrorRecord",
    "EvaluatorOutcome",
    "ReportSummary",
    "jsonable",
    "summarise",
]

CaseStatus = Literal["passed", "failed", "errored"]
"""``errored``: the task raised; ``failed``: an assertion was false or an evaluator raised."""


@dataclass(slots=True)
class ErrorRecord:
    """An exception caught during an evaluation: its class name and message, the exception
    itself, and the partial ``AgentResult`` it carried (``exc.result``), if any."""

    type: str
    message: str
    exception: BaseException | None = field(default=None, repr=False, compare=False)
    result: AgentResult[Any] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def of(cls, exc: BaseException) -> ErrorRecord:
        return cls(type(exc).__name__, str(exc), exc, getattr(exc, "result", None))

    def __str__(self) -> str:
        return f"{self.type}: {self.message}" if self.message else self.type


@dataclass(slots=True)
class EvaluatorOutcome:
    """One evaluator's result on one case: ``value`` (a bool for an assertion, a number for
    a score) and ``reason``; or ``error`` when the evaluator raised (``value`` is ``None``).
    ``usage``: the tokens the evaluator spent itself (an ``LLMJudge``'s model call, also
    when it failed), ``None`` for an evaluator that calls no model."""

    name: str
    value: bool | int | float | None
    reason: str | None = None
    error: ErrorRecord | None = None
    usage: Usage | None = field(default=None, repr=False)

    @property
    def is_assertion(self) -> bool:
        return isinstance(self.value, bool)

    @property
    def ok(self) -> bool:
        """No error, and an assertion that holds (a score is always ok)."""
        return self.error is None and self.value is not False


@dataclass(slots=True)
class CaseReport:
    """One run of one case. ``key`` names it in the report (the case's name, with ``#2``...
    when the dataset was run with ``repeat`` > 1). ``result`` is the run's ``AgentResult``
    (the partial one of a failed agent run); ``error`` is set when the task raised."""

    name: str
    key: str
    inputs: Any
    expected_output: Any
    metadata: dict[str, Any]
    output: Any
    evaluations: list[EvaluatorOutcome]
    duration: float
    usage: Usage | None = None
    result: AgentResult[Any] | None = field(default=None, repr=False)
    error: ErrorRecord | None = None
    repeat: int = 0

    @property
    def status(self) -> CaseStatus:
        if self.error is not None:
            return "errored"
        return "passed" if all(o.ok for o in self.evaluations) else "failed"

    @property
    def passed(self) -> bool:
        """The task ran, and every evaluator ran and every assertion holds."""
        return self.status == "passed"

    @property
    def tokens(self) -> int | None:
        """The task's tokens (``None`` when the task reported no usage)."""
        return self.usage.total_tokens if self.usage is not None else None

    @property
    def evaluator_tokens(self) -> int:
        """The tokens the case's evaluators spent themselves (``LLMJudge`` calls)."""
        return sum(o.usage.total_tokens for o in self.evaluations if o.usage is not None)

    @property
    def assertions(self) -> dict[str, bool]:
        return {o.name: o.value for o in self.evaluations if isinstance(o.value, bool)}

    @property
    def scores(self) -> dict[str, float]:
        return {
            o.name: float(o.value)
            for o in self.evaluations
            if o.value is not None and not isinstance(o.value, bool)
        }

    def outcome(self, name: str) -> EvaluatorOutcome:
        """The outcome of the evaluator named ``name`` (``KeyError`` when none ran)."""
        for outcome in self.evaluations:
            if outcome.name == name:
                return outcome
        raise KeyError(f"no evaluator named {name!r} ran on {self.key!r}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "key": self.key,
            "repeat": self.repeat,
            "status": self.status,
            "inputs": jsonable(self.inputs),
            "expected_output": jsonable(self.expected_output),
            "metadata": jsonable(self.metadata),
            "output": jsonable(self.output),
            "duration": self.duration,
            "usage": dict(self.usage) if self.usage is not None else None,
            "error": _error_dict(self.error),
            "evaluations": [
                {
                    "name": o.name,
                    "value": o.value,
                    "reason": o.reason,
                    "error": _error_dict(o.error),
                    "usage": dict(o.usage) if o.usage is not None else None,
                }
                for o in self.evaluations
            ],
        }


def _error_dict(error: ErrorRecord | None) -> dict[str, str] | None:
    return None if error is None else {"type": error.type, "message": error.message}


@dataclass(slots=True, frozen=True)
class ReportSummary:
    """The numbers of a report. ``pass_rate`` is ``passed / cases`` (0.0 with no cases);
    ``assertions`` maps each assertion to the share of the cases where it held, ``scores``
    each score to its mean (cases where the evaluator raised are left out of both);
    ``total_tokens`` are the tasks' tokens and ``evaluator_tokens`` the evaluators' own
    (``LLMJudge`` calls); ``mean_duration`` is in seconds."""

    cases: int
    passed: int
    failed: int
    errored: int
    pass_rate: float
    assertions: dict[str, float]
    scores: dict[str, float]
    total_tokens: int
    mean_duration: float
    evaluator_tokens: int = 0

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def summarise(cases: list[CaseReport]) -> ReportSummary:
    total = len(cases)
    statuses = [case.status for case in cases]
    held: dict[str, list[bool]] = {}
    scored: dict[str, list[float]] = {}
    for case in cases:
        for name, value in case.assertions.items():
            held.setdefault(name, []).append(value)
        for name, score in case.scores.items():
            scored.setdefault(name, []).append(score)
    return ReportSummary(
        cases=total,
        passed=statuses.count("passed"),
        failed=statuses.count("failed"),
        errored=statuses.count("errored"),
        pass_rate=statuses.count("passed") / total if total else 0.0,
        assertions={name: sum(v) / len(v) for name, v in held.items()},
        scores={name: math.fsum(v) / len(v) for name, v in scored.items()},
        total_tokens=sum(case.tokens or 0 for case in cases),
        mean_duration=math.fsum(c.duration for c in cases) / total if total else 0.0,
        evaluator_tokens=sum(case.evaluator_tokens for case in cases),
    )


def jsonable(value: Any) -> Any:
    """``value`` as JSON values: messages as ``dump_messages`` writes them, pydantic models
    and dataclasses as their fields, anything else that is not JSON as its ``repr``."""
    from locus.core.messages import Message, dump_messages

    if isinstance(value, Message):
        value = [value]
    if isinstance(value, list | tuple) and value and all(isinstance(m, Message) for m in value):
        return json.loads(dump_messages(value))["messages"]
    dump = getattr(value, "model_dump", None)
    if callable(dump) and not isinstance(value, type):
        return dump(mode="json")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)
    try:
        return json.loads(json.dumps(value, allow_nan=False))
    except (TypeError, ValueError):
        if isinstance(value, dict):
            return {str(k): jsonable(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [jsonable(v) for v in value]
        return repr(value)
