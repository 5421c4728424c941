"""What changed between two evaluations of one dataset (two models, two endpoints, two
versions of a prompt): ``ReportDiff``, case by case."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from locus.evals._cases import CaseReport, ReportSummary, summarise
from locus.evals._render import cut, percent, table

if TYPE_CHECKING:
    from locus.evals._cases import CaseStatus, EvaluatorOutcome

__all__ = ["CaseChange", "ReportDiff", "ValueChange", "diff_cases"]

Shown = bool | int | float | str | None
"""An evaluator's value as compared: the value, ``"error"`` when it raised, ``None`` when
it did not run on that side."""


@dataclass(slots=True, frozen=True)
class ValueChange:
    """One evaluator whose value differs between the two runs of a case."""

    name: str
    before: Shown
    after: Shown

    def __str__(self) -> str:
        return f"{self.name}: {_show(self.before)} -> {_show(self.after)}"


@dataclass(slots=True)
class CaseChange:
    """A case whose status or evaluator values differ: ``before``/``after`` statuses and
    the evaluators that changed; ``before_output``/``after_output`` for reading."""

    key: str
    before: CaseStatus
    after: CaseStatus
    changes: list[ValueChange]
    before_output: Any = field(default=None, repr=False)
    after_output: Any = field(default=None, repr=False)

    @property
    def regressed(self) -> bool:
        return self.before == "passed" and self.after != "passed"

    @property
    def fixed(self) -> bool:
        return self.before != "passed" and self.after == "passed"


@dataclass(slots=True)
class ReportDiff:
    """``before.compare(after)``: the cases that changed (in ``after``'s order), the keys
    of those only one report has (``added``: only after; ``removed``: only before), how
    many are the same, and both reports' labels and summaries."""

    name: str
    before_label: str
    after_label: str
    before: ReportSummary
    after: ReportSummary
    changed: list[CaseChange]
    added: list[str]
    removed: list[str]
    unchanged: int

    @property
    def regressions(self) -> list[CaseChange]:
        """Cases that passed before and do not now."""
        return [change for change in self.changed if change.regressed]

    @property
    def fixes(self) -> list[CaseChange]:
        """Cases that did not pass before and do now."""
        return [change for change in self.changed if change.fixed]

    def render(self, *, width: int = 100) -> str:
        a, b = self.before, self.after
        lines = [
            cut(f"{self.name}: {self.before_label} -> {self.after_label}", width),
            cut(
                f"pass rate {percent(a.pass_rate)} -> {percent(b.pass_rate)}; "
                f"tokens {a.total_tokens} -> {b.total_tokens}; "
                f"{len(self.changed)} changed, {self.unchanged} unchanged",
                width,
            ),
        ]
        rows = [
            [cut(c.key, 20), c.before, c.after, "; ".join(str(v) for v in c.changes) or "-"]
            for c in self.changed
        ]
        if rows:
            lines += table(["case", "before", "after", "what changed"], rows, width)
        lines += [cut(f"only after: {', '.join(self.added)}", width)] if self.added else []
        lines += [cut(f"only before: {', '.join(self.removed)}", width)] if self.removed else []
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "before": self.before_label,
            "after": self.after_label,
            "pass_rate": [self.before.pass_rate, self.after.pass_rate],
            "changed": [
                {
                    "key": c.key,
                    "before": c.before,
                    "after": c.after,
                    "changes": [
                        {"name": v.name, "before": v.before, "after": v.after} for v in c.changes
                    ],
                }
                for c in self.changed
            ],
            "added": self.added,
            "removed": self.removed,
            "unchanged": self.unchanged,
        }


def diff_cases(
    name: str, before: tuple[str, list[CaseReport]], after: tuple[str, list[CaseReport]]
) -> ReportDiff:
    """Compare two runs of dataset ``name``, each a (label, case reports) pair."""
    (before_label, old_cases), (after_label, new_cases) = before, after
    earlier = {case.key: case for case in old_cases}
    later = {case.key for case in new_cases}
    changed = []
    same = 0
    for case in new_cases:
        old = earlier.get(case.key)
        if old is None:
            continue
        change = _case_change(old, case)
        if change is None:
            same += 1
        else:
            changed.append(change)
    return ReportDiff(
        name=name,
        before_label=before_label,
        after_label=after_label,
        before=summarise(old_cases),
        after=summarise(new_cases),
        changed=changed,
        added=[case.key for case in new_cases if case.key not in earlier],
        removed=[case.key for case in old_cases if case.key not in later],
        unchanged=same,
    )


def _case_change(old: CaseReport, new: CaseReport) -> CaseChange | None:
    values_before = {o.name: _value(o) for o in old.evaluations}
    values_after = {o.name: _value(o) for o in new.evaluations}
    names = list(dict.fromkeys([*values_after, *values_before]))
    changes = [
        ValueChange(name, values_before.get(name), values_after.get(name))
        for name in names
        if values_before.get(name) != values_after.get(name)
    ]
    if old.status == new.status and not changes:
        return None
    return CaseChange(new.key, old.status, new.status, changes, old.output, new.output)


def _value(outcome: EvaluatorOutcome) -> Shown:
    return "error" if outcome.error is not None else outcome.value


def _show(value: Shown) -> str:
    if value is None:
        return "(not run)"
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)
