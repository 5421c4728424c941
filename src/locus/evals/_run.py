"""Running a dataset: each case's task, then its evaluators, at most ``max_concurrency``
cases at a time; whatever a task or an evaluator raises is recorded, never lost."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

from locus.agent import Agent, AgentResult
from locus.core.errors import ConfigurationError
from locus.evals._cases import CaseReport, ErrorRecord, EvaluatorOutcome
from locus.evals._context import EvalTask, Evaluator, EvaluatorContext, as_value
from locus.evals._report import EvaluationReport

if TYPE_CHECKING:
    from locus.core.usage import Usage
    from locus.evals._dataset import Case, Dataset

__all__ = ["run_dataset"]

_Call = Callable[[Any], Awaitable[Any]]


async def run_dataset(
    dataset: Dataset,
    task: EvalTask,
    *,
    max_concurrency: int | None,
    deps: Any,
    repeat: int,
    label: str | None,
) -> EvaluationReport:
    _check_counts(max_concurrency, repeat)
    dataset.check()
    call = _caller(task, deps)
    slots = asyncio.Semaphore(max_concurrency) if max_concurrency else None
    runs = [(case, index) for case in dataset.cases for index in range(repeat)]
    async with asyncio.TaskGroup() as group:  # (only a BaseException escapes a case)
        tasks = [
            group.create_task(_one(call, case, index, repeat, dataset, slots))
            for case, index in runs
        ]
    return EvaluationReport(dataset.name, label or _label(task), [t.result() for t in tasks])


def _check_counts(max_concurrency: int | None, repeat: int) -> None:
    if max_concurrency is not None and (
        not isinstance(max_concurrency, int) or max_concurrency < 1
    ):
        raise ConfigurationError(
            f"max_concurrency must be a positive integer or None (no limit), "
            f"got {max_concurrency!r}"
        )
    if not isinstance(repeat, int) or isinstance(repeat, bool) or repeat < 1:
        raise ConfigurationError(f"repeat must be a positive integer, got {repeat!r}")


def _label(task: EvalTask) -> str:
    if isinstance(task, Agent):
        return task.name
    return str(getattr(task, "__name__", type(task).__name__))


def _caller(task: EvalTask, deps: Any) -> _Call:
    """``task`` as one async call of a case's inputs."""
    if isinstance(task, Agent):
        agent: Agent[Any] = task

        async def run_agent(inputs: Any) -> Any:
            if deps is None:
                return await agent.arun(inputs)
            return await agent.arun(inputs, deps=deps)

        return run_agent
    if not callable(task):
        raise ConfigurationError(
            f"the task must be an Agent or a function of a case's inputs, got {task!r}"
        )
    if deps is not None:
        raise ConfigurationError(
            "deps= goes to an Agent's runs; a task function takes only the inputs (let it "
            "close over what else it needs)"
        )
    function: Callable[[Any], Any] = task
    if inspect.iscoroutinefunction(function) or inspect.iscoroutinefunction(
        getattr(function, "__call__", None)  # noqa: B004 (an object with an async __call__)
    ):
        return _awaited(function)

    async def run_function(inputs: Any) -> Any:  # a sync function: in a thread, the loop free
        value = await asyncio.to_thread(function, inputs)
        return await value if inspect.isawaitable(value) else value

    return run_function


def _awaited(function: Callable[[Any], Any]) -> _Call:
    async def run(inputs: Any) -> Any:
        return await function(inputs)

    return run


async def _one(
    call: _Call,
    case: Case,
    index: int,
    repeat: int,
    dataset: Dataset,
    slots: asyncio.Semaphore | None,
) -> CaseReport:
    if slots is None:
        return await _case(call, case, index, repeat, dataset)
    async with slots:
        return await _case(call, case, index, repeat, dataset)


async def _case(call: _Call, case: Case, index: int, repeat: int, dataset: Dataset) -> CaseReport:
    key = case.name if repeat == 1 else f"{case.name}#{index + 1}"
    error: ErrorRecord | None = None
    output: Any = None
    result: AgentResult[Any] | None = None
    start = time.perf_counter()
    try:
        output = await call(case.inputs)
    except Exception as exc:  # recorded: one case never stops the others
        error = ErrorRecord.of(exc)
        result = error.result if isinstance(error.result, AgentResult) else None
    duration = time.perf_counter() - start
    if isinstance(output, AgentResult):
        result, output = output, output.output
    usage: Usage | None = result.usage if result is not None else None
    report = CaseReport(
        name=case.name,
        key=key,
        inputs=case.inputs,
        expected_output=case.expected_output,
        metadata=case.metadata,
        output=output,
        evaluations=[],
        duration=duration,
        usage=usage,
        result=result,
        error=error,
        repeat=index,
    )
    if error is None:
        ctx = EvaluatorContext(
            name=case.name,
            inputs=case.inputs,
            expected_output=case.expected_output,
            metadata=case.metadata,
            output=output,
            result=result,
            duration=duration,
            usage=usage,
            repeat=index,
        )
        report.evaluations = await _evaluate(dataset.evaluators_of(case), ctx)
    return report


async def _evaluate(
    evaluators: Sequence[Evaluator], ctx: EvaluatorContext
) -> list[EvaluatorOutcome]:
    names = _unique_names(evaluators)
    return list(
        await asyncio.gather(*(_outcome(e, n, ctx) for e, n in zip(evaluators, names, strict=True)))
    )


async def _outcome(evaluator: Evaluator, name: str, ctx: EvaluatorContext) -> EvaluatorOutcome:
    try:
        verdict = await as_value(evaluator, ctx)
    except Exception as exc:  # recorded against this evaluator, the others still run
        record = ErrorRecord.of(exc)  # a judge that failed still spent its tokens
        spent = getattr(record.result, "usage", None)
        return EvaluatorOutcome(name, None, None, record, spent)
    return EvaluatorOutcome(name, verdict.value, verdict.reason, None, verdict.usage)


def _unique_names(evaluators: Sequence[Evaluator]) -> list[str]:
    """The evaluators' names, ``#2``, ``#3``... added to repeats so each is its own."""
    seen: dict[str, int] = {}
    names = []
    for evaluator in evaluators:
        name = evaluator.name
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name}#{seen[name]}")
    return names
