"""Provider-neutral generation settings, shared by every model class and wire codec."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal

from locus.core.errors import ConfigurationError

__all__ = ["GenerationParams", "ResponseFormat", "ToolChoice"]

ToolChoice = Literal["auto", "none", "required"] | str
"""``"auto"``, ``"none"``, ``"required"``, or the name of one tool to force."""

ResponseFormat = Literal["text", "json_object"] | dict[str, Any]
"""``"text"``, ``"json_object"``, or ``{"name": ..., "schema": {...}, "strict": bool}``
for a JSON-Schema-constrained answer."""


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
