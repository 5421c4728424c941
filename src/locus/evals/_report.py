"""``EvaluationReport``: what an evaluation found, as a table, JSON, or a comparison."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from locus.core.errors import SerializationError
from locus.core.usage import Usage
from locus.evals._cases import CaseReport, ErrorRecord, EvaluatorOutcome, ReportSummary, summarise
from locus.evals._diff import ReportDiff, diff_cases
from locus.evals._render import render_report

__all__ = ["EvaluationReport"]


@dataclass(slots=True)
class EvaluationReport:
    """The result of ``Dataset.evaluate``: a ``CaseReport`` per case run (in the dataset's
    order), the dataset's ``name`` and the ``label`` of what was evaluated (the agent's
    name, or the ``label=`` given)."""

    name: str
    label: str
    cases: list[CaseReport]

    @property
    def summary(self) -> ReportSummary:
        return summarise(self.cases)

    @property
    def pass_rate(self) -> float:
        return self.summary.pass_rate

    @property
    def failures(self) -> list[CaseReport]:
        """The cases that did not pass (failed or errored)."""
        return [case for case in self.cases if not case.passed]

    def case(self, key: str) -> CaseReport:
        """The case report with this ``key`` (``KeyError`` when there is none)."""
        for case in self.cases:
            if case.key == key:
                return case
        raise KeyError(f"no case {key!r} in the report of {self.name!r}")

    def render(self, *, durations: bool = True, width: int = 100) -> str:
        """A plain-text table: one row per case, the failed checks under it, and the
        summary. ``durations=False`` leaves the times out (they change from run to run)."""
        title = f"{self.name}: {self.label}"
        return render_report(title, self.cases, self.summary, durations=durations, width=width)

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON values (outputs that are not JSON are shown as text)."""
        return {
            "name": self.name,
            "label": self.label,
            "summary": self.summary.to_dict(),
            "cases": [case.to_dict() for case in self.cases],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EvaluationReport:
        """A report ``to_dict`` wrote (a past run's, kept as JSON), to read or compare with.
        Outputs and inputs come back as JSON values; exceptions and ``AgentResult``s are not
        kept (an error keeps its type and message). Anything else is a
        ``SerializationError``."""
        try:
            return cls(str(data["name"]), str(data["label"]), [_case(c) for c in data["cases"]])
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise SerializationError(
                f"not a report as EvaluationReport.to_dict writes it ({type(exc).__name__}: {exc})"
            ) from None

    def compare(self, other: EvaluationReport) -> ReportDiff:
        """What changed from this report (before) to ``other`` (after), case by case."""
        return diff_cases(self.name, (self.label, self.cases), (other.label, other.cases))

    @staticmethod
    def diff(before: EvaluationReport, after: EvaluationReport) -> ReportDiff:
        """Same as ``before.compare(after)``."""
        return before.compare(after)


def _usage(data: dict[str, Any] | None) -> Usage | None:
    if data is None:
        return None
    usage = Usage()
    usage.update({str(k): int(v) for k, v in data.items()})
    return usage


def _case(data: dict[str, Any]) -> CaseReport:
    return CaseReport(
        name=str(data["name"]),
        key=str(data["key"]),
        inputs=data["inputs"],
        expected_output=data["expected_output"],
        metadata=dict(data["metadata"]),
        output=data["output"],
        evaluations=[
            EvaluatorOutcome(
                str(o["name"]),
                o["value"],
                o["reason"],
                _error(o["error"]),
                _usage(o.get("usage")),  # (reports written before 2026-12-07 have none)
            )
            for o in data["evaluations"]
        ],
        duration=float(data["duration"]),
        usage=_usage(data["usage"]),
        error=_error(data["error"]),
        repeat=int(data["repeat"]),
    )


def _error(data: dict[str, Any] | None) -> ErrorRecord | None:
    return None if data is None else ErrorRecord(str(data["type"]), str(data["message"]))
