"""Reports as plain-text tables that fit a terminal (100 columns by default)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from locus.evals._cases import CaseReport, ReportSummary

__all__ = ["cut", "percent", "render_report", "table"]

_CASE_WIDTH = 20
_EVALUATOR_WIDTH = 40


def cut(text: str, width: int) -> str:
    """``text`` on one line, cut to ``width`` characters with an ellipsis."""
    flat = " ".join(text.split())
    if len(flat) <= width:
        return flat
    return flat[: max(0, width - 1)] + "…"


def percent(rate: float) -> str:
    return f"{100 * rate:.1f}%"


def table(header: Sequence[str], rows: Sequence[Sequence[str]], width: int) -> list[str]:
    """Columns as wide as their widest cell; the last column takes what is left of
    ``width`` and is cut to fit."""
    widths = [max([len(header[i]), *(len(row[i]) for row in rows)]) for i in range(len(header))]
    used = sum(widths[:-1]) + 2 * (len(header) - 1)
    widths[-1] = max(8, min(widths[-1], width - used))

    def line(cells: Sequence[str]) -> str:
        padded = [cell.ljust(w) for cell, w in zip(cells[:-1], widths, strict=False)]
        return "  ".join([*padded, cut(cells[-1], widths[-1])]).rstrip()

    return [line(header), line(["-" * w for w in widths]), *(line(row) for row in rows)]


def _output(case: CaseReport) -> str:
    if case.error is not None:
        return str(case.error)
    output: Any = case.output
    return output if isinstance(output, str) else repr(output)


def _checks(case: CaseReport) -> str:
    judged = [o for o in case.evaluations if o.is_assertion or o.error is not None]
    return f"{sum(o.ok for o in judged)}/{len(judged)}" if judged else "-"


def _details(case: CaseReport, width: int) -> list[str]:
    """A line per evaluator that did not hold (its reason) or raised (its error)."""
    lines = []
    for outcome in case.evaluations:
        if outcome.error is not None:
            lines.append(f"! {outcome.name} raised {outcome.error}")
        elif outcome.value is False:
            because = f": {outcome.reason}" if outcome.reason else ""
            lines.append(f"x {outcome.name}{because}")
    return ["  " + cut(line, width - 2) for line in lines]


def render_report(
    title: str, cases: list[CaseReport], summary: ReportSummary, *, durations: bool, width: int
) -> str:
    """The table of a report: ``title``, a row per case (and a line per check that failed
    under it), then the summary and a row per evaluator."""
    header = ["case", "status", "checks", "tokens"] + (["secs"] if durations else []) + ["output"]
    lines = [cut(title, width)]
    rows = []
    for case in cases:
        row = [
            cut(case.key, _CASE_WIDTH),
            case.status,
            _checks(case),
            "-" if case.tokens is None else str(case.tokens),
        ]
        row += [f"{case.duration:.2f}"] if durations else []
        rows.append([*row, _output(case)])
    body = table(header, rows, width)
    lines += body[:2]
    for row_line, case in zip(body[2:], cases, strict=True):
        lines += [row_line, *_details(case, width)]
    lines += _summary_lines(summary, durations, width)
    return "\n".join(lines)


def _summary_lines(s: ReportSummary, durations: bool, width: int) -> list[str]:
    lines = [
        cut(
            f"{s.cases} cases: {s.passed} passed, {s.failed} failed, {s.errored} errored; "
            f"pass rate {percent(s.pass_rate)}; {s.total_tokens} tokens"
            + (f" (+{s.evaluator_tokens} judging)" if s.evaluator_tokens else "")
            + (f"; mean {s.mean_duration:.2f} s" if durations else ""),
            width,
        )
    ]
    names = list(dict.fromkeys([*s.assertions, *s.scores]))
    if names:
        rows = [
            [
                cut(name, _EVALUATOR_WIDTH),
                percent(s.assertions[name]) if name in s.assertions else "",
                f"{s.scores[name]:.3g}" if name in s.scores else "",
            ]
            for name in names
        ]
        lines += table(["evaluator", "held", "mean score"], rows, width)
    return lines
