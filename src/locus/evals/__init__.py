"""Evaluations of agents: a ``Dataset`` of ``Case``s, evaluators that check each run, and
an ``EvaluationReport`` to read, save, or compare with another run (another model, another
DAC endpoint, another prompt).

::

    dataset = Dataset([Case("paris", "Weather in Paris?")],
                      evaluators=[ToolCalled("get_forecast"), Contains("Sunny")])
    report = await dataset.evaluate(agent)          # or dataset.evaluate_sync(agent)
    print(report.render())
    assert report.pass_rate == 1.0

Nothing in ``locus`` imports this package: it loads when you use it. See docs/evals.md.
"""

from locus.evals._cases import (
    CaseReport,
    CaseStatus,
    ErrorRecord,
    EvaluatorOutcome,
    ReportSummary,
)
from locus.evals._context import (
    EvalTask,
    EvaluationResult,
    Evaluator,
    EvaluatorContext,
    EvaluatorFunction,
    EvaluatorReturn,
)
from locus.evals._dataset import Case, Dataset
from locus.evals._diff import CaseChange, ReportDiff, ValueChange
from locus.evals._evaluators import (
    Contains,
    Equals,
    IsInstance,
    MatchesRegex,
    MaxDuration,
    MaxTokens,
    ToolCalled,
)
from locus.evals._judge import Grade, LLMJudge
from locus.evals._report import EvaluationReport

__all__ = [
    "Case",
    "CaseChange",
    "CaseReport",
    "CaseStatus",
    "Contains",
    "Dataset",
    "Equals",
    "ErrorRecord",
    "EvalTask",
    "EvaluationReport",
    "EvaluationResult",
    "Evaluator",
    "EvaluatorContext",
    "EvaluatorFunction",
    "EvaluatorOutcome",
    "EvaluatorReturn",
    "Grade",
    "IsInstance",
    "LLMJudge",
    "MatchesRegex",
    "MaxDuration",
    "MaxTokens",
    "ReportDiff",
    "ReportSummary",
    "ToolCalled",
    "ValueChange",
]
