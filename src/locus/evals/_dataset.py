"""``Case`` and ``Dataset``: what to ask, what to expect, and how to check it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from locus.core.errors import ConfigurationError
from locus.evals._context import EvalTask, Evaluator, EvaluatorLike, as_evaluator

if TYPE_CHECKING:
    from locus.core.model import Model
    from locus.evals._report import EvaluationReport

__all__ = ["Case", "Dataset"]


@dataclass(slots=True)
class Case:
    """One thing to try: ``inputs`` (what ``Agent.arun`` takes, a text or messages, or
    what your task function takes), the ``expected_output`` if there is one (``None``:
    none), free ``metadata``, and ``evaluators`` for this case only."""

    name: str
    inputs: Any
    expected_output: Any = None
    metadata: dict[str, Any] = field(default_factory=dict)
    evaluators: list[EvaluatorLike] = field(default_factory=list)


class Dataset:
    """Cases (their names unique) and the ``evaluators`` that check every case.

    ``await dataset.evaluate(agent_or_function)`` runs every case and returns an
    ``EvaluationReport``; ``evaluate_sync`` does the same from synchronous code.
    ``to_file``/``from_file`` save and load it as JSON.
    """

    def __init__(
        self,
        cases: Iterable[Case] = (),
        *,
        evaluators: Iterable[EvaluatorLike] = (),
        name: str = "dataset",
    ) -> None:
        self.name = name
        self.cases: list[Case] = list(cases)
        self.evaluators: list[EvaluatorLike] = list(evaluators)
        self.check()

    def __repr__(self) -> str:
        return f"Dataset(name={self.name!r}, cases={len(self.cases)})"

    def check(self) -> None:
        """Raise ``ConfigurationError`` unless every case is a ``Case`` with a name of its
        own and every evaluator is one (done at creation and before each evaluation)."""
        if not isinstance(self.name, str) or not self.name:
            raise ConfigurationError(f"a dataset needs a name (a non-empty str), got {self.name!r}")
        for item in self.evaluators:
            as_evaluator(item, f"dataset {self.name!r}")
        seen: set[str] = set()
        for index, case in enumerate(self.cases):
            if not isinstance(case, Case):
                raise ConfigurationError(
                    f"cases[{index}] of dataset {self.name!r} is a {type(case).__name__}; "
                    "make each one a Case(name=..., inputs=...)"
                )
            if not isinstance(case.name, str) or not case.name:
                raise ConfigurationError(
                    f"cases[{index}] of dataset {self.name!r} has no name; give it one"
                )
            if case.name in seen:
                raise ConfigurationError(
                    f"two cases of dataset {self.name!r} are named {case.name!r}; case "
                    "names must be unique (reports and comparisons find cases by name)"
                )
            seen.add(case.name)
            for item in case.evaluators:
                as_evaluator(item, f"case {case.name!r}")

    def evaluators_of(self, case: Case) -> list[Evaluator]:
        """The evaluators that check ``case``: the dataset's, then the case's own."""
        where = f"case {case.name!r}"
        return [as_evaluator(item, where) for item in [*self.evaluators, *case.evaluators]]

    async def evaluate(
        self,
        task: EvalTask,
        *,
        max_concurrency: int | None = 8,
        deps: Any = None,
        repeat: int = 1,
        label: str | None = None,
    ) -> EvaluationReport:
        """Run every case against ``task`` and check it with its evaluators.

        ``task`` is an ``Agent`` (each case is ``agent.arun(case.inputs, deps=deps)``) or
        a function of the inputs, sync (run in a thread) or ``async``, returning the
        output or an ``AgentResult``. At most ``max_concurrency`` cases run at once
        (``None``: all); each case runs ``repeat`` times. ``label`` names the run in the
        report (default: the agent's or function's name). A case whose task raises is
        recorded as errored, an evaluator that raises as such; neither stops the others.
        """
        from locus.evals._run import run_dataset

        return await run_dataset(
            self, task, max_concurrency=max_concurrency, deps=deps, repeat=repeat, label=label
        )

    def evaluate_sync(
        self,
        task: EvalTask,
        *,
        max_concurrency: int | None = 8,
        deps: Any = None,
        repeat: int = 1,
        label: str | None = None,
    ) -> EvaluationReport:
        """``evaluate`` for synchronous code (a script, a notebook cell, a sync test)."""
        from locus._sync import run_sync

        return run_sync(
            lambda: self.evaluate(
                task, max_concurrency=max_concurrency, deps=deps, repeat=repeat, label=label
            ),
            name="evaluate_sync",
            instead="await dataset.evaluate(...)",
        )

    def to_file(self, path: str | Path) -> None:
        """Save the dataset as JSON: cases (inputs and expected outputs must be JSON values
        or messages) and evaluators by class name with their arguments. A function
        evaluator cannot be saved (``ConfigurationError``); an ``LLMJudge``'s model is
        saved only when it is a ``"provider:id"`` string."""
        from locus.evals._files import dump_dataset

        Path(path).write_text(dump_dataset(self), encoding="utf-8")

    @classmethod
    def from_file(
        cls,
        path: str | Path,
        *,
        evaluators: Sequence[EvaluatorLike] = (),
        evaluator_types: Sequence[type[Evaluator]] = (),
        judge_model: Model | str | None = None,
    ) -> Dataset:
        """Load a dataset ``to_file`` saved. ``evaluators`` are added to the dataset's
        (functions, which a file cannot hold); ``evaluator_types`` are your own
        ``Evaluator`` classes the file names; ``judge_model`` is the model of every
        ``LLMJudge`` in the file (required when one was saved without a model string).
        A file that is not such JSON is a ``SerializationError``."""
        from locus.evals._files import load_dataset

        text = Path(path).read_text(encoding="utf-8")
        dataset = load_dataset(text, str(path), evaluator_types, judge_model)
        dataset.evaluators += list(evaluators)
        dataset.check()
        return dataset
