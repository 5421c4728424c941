"""Provider-neutral generation settings, shared by every model class and wire codec."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any, Literal, Union

from locus.core.errors import ConfigurationError

if TYPE_CHECKING:
    from pydantic import TypeAdapter

    from locus.core._output_schema import OutputSchema

__all__ = ["GenerationParams", "ResponseFormat", "ToolChoice"]

ToolChoice = Literal["auto", "none", "required"] | str
"""``"auto"``, ``"none"``, ``"required"``, or the name of one tool to force."""

ResponseFormat = Union[  # the string forward references need Union
    Literal["text", "json_object"],
    dict[str, Any],
    type[Any],
    "TypeAdapter[Any]",
    "OutputSchema[Any]",
]
"""``"text"``, ``"json_object"``, or a JSON-Schema-constrained answer: a pydantic model
class (or any type pydantic validates: a dataclass, ``list[...]``...), a ``TypeAdapter``,
or a JSON-schema dict, named ``{"name": ..., "schema": {...}, "strict": bool}`` or bare.
With a type or ``TypeAdapter``, ``ModelResponse.parsed`` holds the validated answer."""


@dataclass(slots=True, frozen=True)
class GenerationParams:
    """Sampling and output settings. ``None`` means "not sent; the server decides"."""

    max_tokens: int | None = None
    max_completion_tokens: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    frequency_penalty: float | None = None
    presence_penalty: float | None = None
    stop: tuple[str, ...] | None = None
    seed: int | None = None
    tool_choice: ToolChoice | None = None
    parallel_tool_calls: bool | None = None
    response_format: ResponseFormat | None = None
    reasoning_effort: Literal["none", "minimal", "low", "medium", "high"] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    """Wire fields passed through as given (camelCase for OCI-native, snake_case for OpenAI)."""

    def __post_init__(self) -> None:
        for name in _NUMBERS:
            value = getattr(self, name)
            if value is not None:
                _check_number(name, value, whole=name in _WHOLE)
        if self.stop is not None and not all(isinstance(s, str) for s in self.stop):
            raise ConfigurationError(
                f"stop must be a string or a list of strings, not {self.stop!r}"
            )
        if self.parallel_tool_calls is not None and type(self.parallel_tool_calls) is not bool:
            raise ConfigurationError(
                f"parallel_tool_calls must be True or False, not {self.parallel_tool_calls!r}"
            )

    def merged(self, overrides: dict[str, Any]) -> GenerationParams:
        """A copy with per-call overrides applied; unknown names are an error."""
        if not overrides:
            return self
        unknown = set(overrides) - _NAMES
        if unknown:
            raise ConfigurationError(
                f"unknown generation parameter(s): {', '.join(sorted(unknown))}; "
                f"valid ones are: {', '.join(sorted(_NAMES))}"
            )
        values = dict(overrides)
        if isinstance(values.get("stop"), str):
            values["stop"] = (values["stop"],)
        elif values.get("stop") is not None:
            values["stop"] = tuple(values["stop"])
        return replace(self, **values)


_NAMES = frozenset(f.name for f in fields(GenerationParams))

_WHOLE = frozenset({"max_tokens", "max_completion_tokens", "top_k", "seed"})
_NUMBERS = (
    *sorted(_WHOLE),
    "temperature",
    "top_p",
    "frequency_penalty",
    "presence_penalty",
)


def _check_number(name: str, value: object, *, whole: bool) -> None:
    """A generation setting is a finite number (a whole one for counts and the seed)."""
    kind = "a whole number" if whole else "a number"
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigurationError(f"{name} must be {kind}, not {value!r}")
    if whole and not isinstance(value, int):
        raise ConfigurationError(f"{name} must be {kind}, not {value!r}")
    if not math.isfinite(value):
        raise ConfigurationError(
            f"{name} must be a finite number, not {value!r}: JSON has no NaN or Infinity "
            "and the service would refuse every request"
        )
    if name in ("max_tokens", "max_completion_tokens") and value < 1:
        raise ConfigurationError(f"{name} must be at least 1, not {value!r}")
