"""What an evaluator is given (``EvaluatorContext``), what it gives back
(``EvaluationResult``, a bool or a number), and the ``Evaluator`` base class."""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

from locus.core.errors import ConfigurationError

if TYPE_CHECKING:
    from locus.agent import Agent, AgentResult
    from locus.core.messages import ToolCall
    from locus.core.usage import Usage

__all__ = [
    "EvalTask",
    "EvaluationResult",
    "Evaluator",
    "EvaluatorContext",
    "EvaluatorFunction",
    "EvaluatorLike",
    "EvaluatorReturn",
    "as_evaluator",
    "as_value",
]


@dataclass(slots=True, frozen=True)
class EvaluationResult:
    """An evaluator's verdict with its reason: ``value`` is a bool (an assertion: did the
    case pass this check?) or a number (a score, averaged in the report). ``usage`` is what
    the evaluator itself spent on a model (an ``LLMJudge``'s call), counted in the report
    apart from the task's tokens."""

    value: bool | int | float
    reason: str | None = None
    usage: Usage | None = None


EvaluatorReturn: TypeAlias = "bool | int | float | EvaluationResult"
"""What an evaluator returns: an assertion, a score, or either with a reason."""

EvalTask: TypeAlias = "Agent[Any] | Callable[[Any], Any] | Callable[[Any], Awaitable[Any]]"
"""What a dataset is evaluated against: an ``Agent`` (``agent.arun(case.inputs)``), or a
function of the case's inputs (sync or ``async``) returning the output (or an
``AgentResult``, whose ``output`` is then the output)."""


@dataclass(slots=True)
class EvaluatorContext:
    """One run of one case, as the evaluators see it.

    ``output`` is what the task returned (an agent's ``result.output``); ``result`` is the
    run's ``AgentResult`` when the task is an ``Agent`` (or a function that returns one),
    else ``None``. ``duration`` is the task's wall time in seconds; ``usage`` the run's
    token counts (``None`` when the task is a function that does not return a result).
    ``repeat`` is which repetition this is (0 for the first).
    """

    name: str
    inputs: Any
    expected_output: Any
    metadata: dict[str, Any]
    output: Any
    result: AgentResult[Any] | None = None
    duration: float = 0.0
    usage: Usage | None = None
    repeat: int = 0

    def tool_calls(self) -> list[ToolCall]:
        """The tool calls the run's model made, in order (those of this run's messages).

        Raises ``ConfigurationError`` when there is no ``AgentResult`` to read."""
        if self.result is None:
            raise ConfigurationError(
                f"case {self.name!r}: there is no AgentResult to read tool calls from; "
                "evaluate an Agent, or return its AgentResult from the task function"
            )
        return [
            call
            for message in self.result.new_messages()
            if message.role == "assistant"
            for call in message.tool_calls
        ]


class Evaluator:
    """Base of the evaluator classes: override ``evaluate(ctx)`` (sync or ``async``).

    ``name`` labels the evaluator in reports: ``default_name()`` (the class name; override
    it) unless one is set.
    ``spec()`` gives the arguments saved by ``Dataset.to_file``: a dataclass evaluator's
    fields by default; override it (and accept the same keywords in ``__init__``) for
    another class. Pass your classes as ``Dataset.from_file(path, evaluator_types=[...])``
    to read them back.
    """

    @property
    def name(self) -> str:
        """The evaluator's label: one set (``evaluator.name = "..."``, or a dataclass field
        ``name``), else ``default_name()``."""
        return str(vars(self).get("_evaluator_name") or self.default_name())

    @name.setter
    def name(self, value: str) -> None:
        vars(self)["_evaluator_name"] = value

    def default_name(self) -> str:
        """The label when none was set: the class name (the built-ins add their arguments)."""
        return type(self).__name__

    def evaluate(self, ctx: EvaluatorContext) -> EvaluatorReturn | Awaitable[EvaluatorReturn]:
        raise NotImplementedError(f"{type(self).__name__} must define evaluate(ctx)")

    def spec(self) -> dict[str, Any]:
        if dataclasses.is_dataclass(self):
            return {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.init}
        raise ConfigurationError(
            f"{type(self).__name__} cannot be saved to a file: make it a dataclass, or "
            "define spec() returning the keyword arguments that rebuild it"
        )


EvaluatorFunction: TypeAlias = Callable[
    [EvaluatorContext], "EvaluatorReturn | Awaitable[EvaluatorReturn]"
]
"""A plain function (or ``async`` function) of the context, used as an evaluator."""

EvaluatorLike: TypeAlias = "Evaluator | EvaluatorFunction"


class FunctionEvaluator(Evaluator):
    """A function used as an evaluator; named after the function."""

    def __init__(self, fn: EvaluatorFunction) -> None:
        self.fn = fn

    def default_name(self) -> str:
        return str(getattr(self.fn, "__name__", type(self.fn).__name__))

    def evaluate(self, ctx: EvaluatorContext) -> EvaluatorReturn | Awaitable[EvaluatorReturn]:
        return self.fn(ctx)

    def spec(self) -> dict[str, Any]:
        raise ConfigurationError(
            f"the evaluator function {self.name!r} cannot be saved to a file; save the "
            "dataset without it and pass it again after loading: "
            "Dataset.from_file(path, evaluators=[...])"
        )


def as_evaluator(item: object, where: str) -> Evaluator:
    """``item`` as an ``Evaluator``: an instance as is, a function wrapped."""
    if isinstance(item, Evaluator):
        return item
    if isinstance(item, type):
        raise ConfigurationError(
            f"{where}: {item.__name__} is a class; pass an instance, e.g. {item.__name__}(...)"
        )
    if callable(item):
        return FunctionEvaluator(item)
    raise ConfigurationError(
        f"{where}: {item!r} is not an evaluator; pass an Evaluator (Equals(), Contains(...), "
        "LLMJudge(...)...) or a function of an EvaluatorContext"
    )


async def as_value(evaluator: Evaluator, ctx: EvaluatorContext) -> EvaluationResult:
    """Run ``evaluator`` on ``ctx`` and check what it returned."""
    value: Any = evaluator.evaluate(ctx)
    if inspect.isawaitable(value):
        value = await value
    result = value if isinstance(value, EvaluationResult) else EvaluationResult(value)
    if not isinstance(result.value, bool | int | float):
        raise ConfigurationError(
            f"evaluator {evaluator.name!r} returned a {type(result.value).__name__}; return "
            "a bool (an assertion), a number (a score) or EvaluationResult(value, reason)"
        )
    return result
