"""The built-in evaluators: checks of the output, of the tools called, of the cost."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from locus.core.errors import ConfigurationError
from locus.evals._context import EvaluationResult, Evaluator, EvaluatorContext

__all__ = [
    "BUILT_IN",
    "Contains",
    "Equals",
    "IsInstance",
    "MatchesRegex",
    "MaxDuration",
    "MaxTokens",
    "ToolCalled",
]


class _Missing:
    def __repr__(self) -> str:
        return "<the case's expected_output>"


MISSING: Any = _Missing()


def _short(value: Any, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _wanted(value: Any, ctx: EvaluatorContext, who: str) -> Any:
    """The value to compare with: the evaluator's own, else the case's expected output."""
    if value is not MISSING:
        return value
    if ctx.expected_output is None:
        raise ConfigurationError(
            f"{who} on case {ctx.name!r}: the case has no expected_output; give the case "
            f"one, or the evaluator a value ({who.split('(')[0]}(value))"
        )
    return ctx.expected_output


class Equals(Evaluator):
    """The output equals ``value`` (by default, the case's ``expected_output``)."""

    def __init__(self, value: Any = MISSING) -> None:
        self.value = value

    def default_name(self) -> str:
        return "Equals()" if self.value is MISSING else f"Equals({_short(self.value)})"

    def evaluate(self, ctx: EvaluatorContext) -> EvaluationResult:
        wanted = _wanted(self.value, ctx, self.name)
        if ctx.output == wanted:
            return EvaluationResult(True)
        return EvaluationResult(False, f"{_short(ctx.output, 200)} != {_short(wanted, 200)}")

    def spec(self) -> dict[str, Any]:
        return {} if self.value is MISSING else {"value": self.value}


class Contains(Evaluator):
    """The output contains ``value`` (by default, the case's ``expected_output``).

    A text output contains a text (``case_sensitive=False`` ignores case); a list, tuple
    or set contains an item; a dict contains a key, or, given a dict, all its items.
    """

    def __init__(self, value: Any = MISSING, *, case_sensitive: bool = True) -> None:
        self.value = value
        self.case_sensitive = case_sensitive

    def default_name(self) -> str:
        return "Contains()" if self.value is MISSING else f"Contains({_short(self.value)})"

    def evaluate(self, ctx: EvaluatorContext) -> EvaluationResult:
        wanted = _wanted(self.value, ctx, self.name)
        found = _contains(ctx.output, wanted, self.case_sensitive)
        if found:
            return EvaluationResult(True)
        return EvaluationResult(
            False, f"{_short(ctx.output, 200)} does not contain {_short(wanted, 200)}"
        )

    def spec(self) -> dict[str, Any]:
        spec: dict[str, Any] = {} if self.value is MISSING else {"value": self.value}
        return spec if self.case_sensitive else {**spec, "case_sensitive": False}


def _contains(output: Any, wanted: Any, case_sensitive: bool) -> bool:
    if isinstance(output, str):
        if not isinstance(wanted, str):
            raise ConfigurationError(
                f"Contains: the output is text, so the value must be text, not {_short(wanted)}"
            )
        return wanted in output if case_sensitive else wanted.lower() in output.lower()
    if isinstance(output, Mapping):
        if isinstance(wanted, Mapping):
            return all(k in output and output[k] == v for k, v in wanted.items())
        return wanted in output
    if isinstance(output, list | tuple | set | frozenset):
        return wanted in output
    raise ConfigurationError(
        f"Contains: the output is a {type(output).__name__}, not text, a list or a dict; "
        "check a field of it with a function evaluator"
    )


class IsInstance(Evaluator):
    """The output is an instance of ``kind``: a type, or a class name (matched against the
    names of the output's classes, so that a dataset file can name it)."""

    def __init__(self, kind: type | str) -> None:
        if not isinstance(kind, type | str) or not kind:
            raise ConfigurationError(f"IsInstance takes a type or a class name, not {kind!r}")
        self.kind = kind

    @property
    def type_name(self) -> str:
        return self.kind if isinstance(self.kind, str) else self.kind.__name__

    def default_name(self) -> str:
        return f"IsInstance({self.type_name})"

    def evaluate(self, ctx: EvaluatorContext) -> EvaluationResult:
        if isinstance(self.kind, type):
            ok = isinstance(ctx.output, self.kind)
        else:
            ok = any(cls.__name__ == self.kind for cls in type(ctx.output).__mro__)
        why = None if ok else f"the output is a {type(ctx.output).__name__}"
        return EvaluationResult(ok, why)

    def spec(self) -> dict[str, Any]:
        return {"kind": self.type_name}


class MatchesRegex(Evaluator):
    """The text output matches ``pattern`` somewhere (``re.search``)."""

    def __init__(self, pattern: str) -> None:
        try:
            self.compiled = re.compile(pattern)
        except (re.error, TypeError) as exc:
            raise ConfigurationError(f"MatchesRegex: {pattern!r} is not a regex: {exc}") from None
        self.pattern = pattern

    def default_name(self) -> str:
        return f"MatchesRegex({_short(self.pattern)})"

    def evaluate(self, ctx: EvaluatorContext) -> EvaluationResult:
        if not isinstance(ctx.output, str):
            return EvaluationResult(False, f"the output is a {type(ctx.output).__name__}")
        if self.compiled.search(ctx.output):
            return EvaluationResult(True)
        return EvaluationResult(False, f"{_short(ctx.output, 200)} does not match")

    def spec(self) -> dict[str, Any]:
        return {"pattern": self.pattern}


@dataclass(slots=True)
class ToolCalled(Evaluator):
    """The run called the tool ``tool`` at least once; with ``arguments``, in a call whose
    arguments include these (a subset: other arguments may be there too)."""

    tool: str
    arguments: dict[str, Any] | None = None

    def default_name(self) -> str:
        return f"ToolCalled({self.tool!r})"

    def evaluate(self, ctx: EvaluatorContext) -> EvaluationResult:
        calls = ctx.tool_calls()
        named = [call for call in calls if call.name == self.tool]
        if not named:
            called = sorted({call.name for call in calls})
            return EvaluationResult(False, f"{self.tool!r} was not called (called: {called})")
        if self.arguments is None:
            return EvaluationResult(True)
        for call in named:
            if all(
                k in call.arguments and call.arguments[k] == v for k, v in self.arguments.items()
            ):
                return EvaluationResult(True)
        seen = "; ".join(_short(call.arguments, 100) for call in named)
        return EvaluationResult(False, f"no call with {_short(self.arguments)} (got {seen})")


@dataclass(slots=True)
class MaxTokens(Evaluator):
    """The run used at most ``limit`` tokens in all (its usage's ``total_tokens``)."""

    limit: int

    def __post_init__(self) -> None:
        if isinstance(self.limit, bool) or not isinstance(self.limit, int) or self.limit < 0:
            raise ConfigurationError(f"MaxTokens takes a number of tokens >= 0, not {self.limit!r}")

    def default_name(self) -> str:
        return f"MaxTokens({self.limit})"

    def evaluate(self, ctx: EvaluatorContext) -> EvaluationResult:
        if ctx.usage is None:
            raise ConfigurationError(
                f"MaxTokens on case {ctx.name!r}: the task reported no usage; evaluate an "
                "Agent, or return its AgentResult from the task function"
            )
        used = ctx.usage.total_tokens
        why = None if used <= self.limit else f"{used} tokens used, over {self.limit}"
        return EvaluationResult(used <= self.limit, why)


@dataclass(slots=True)
class MaxDuration(Evaluator):
    """The task took at most ``seconds`` (wall time)."""

    seconds: float

    def __post_init__(self) -> None:
        ok = isinstance(self.seconds, int | float) and not isinstance(self.seconds, bool)
        if not ok or self.seconds <= 0:
            raise ConfigurationError(f"MaxDuration takes seconds > 0, not {self.seconds!r}")

    def default_name(self) -> str:
        return f"MaxDuration({self.seconds:g}s)"

    def evaluate(self, ctx: EvaluatorContext) -> EvaluationResult:
        ok = ctx.duration <= self.seconds
        why = None if ok else f"took {ctx.duration:.3f} s, over {self.seconds:g} s"
        return EvaluationResult(ok, why)


BUILT_IN: dict[str, type[Evaluator]] = {
    cls.__name__: cls
    for cls in (Equals, Contains, IsInstance, MatchesRegex, ToolCalled, MaxTokens, MaxDuration)
}
"""The evaluator classes a dataset file may name without ``evaluator_types=``."""
