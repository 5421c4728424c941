"""Provider-neutral generation settings, shared by every model class and wire codec."""

from __future__ import annotations

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
