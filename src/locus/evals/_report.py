"""``EvaluationReport``: what an evaluation found, as a table, JSON, or a comparison."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from locus.evals._cases import CaseReport, ReportSummary, summarise
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

    def compare(self, other: EvaluationReport) -> ReportDiff:
        """What changed from this report (before) to ``other`` (after), case by case."""
        return diff_cases(self.name, (self.label, self.cases), (other.label, other.cases))

    @staticmethod
    def diff(before: EvaluationReport, after: EvaluationReport) -> ReportDiff:
        """Same as ``before.compare(after)``."""
        return before.compare(after)
