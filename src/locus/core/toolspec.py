"""The description of a tool that a model is shown (name, description, JSON Schema)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from locus.core.errors import ConfigurationError

__all__ = ["HasToolSpec", "ToolSpec", "as_tool_specs"]


@dataclass(slots=True, frozen=True)
class ToolSpec:
    """A tool as a model sees it. ``parameters`` is a JSON Schema object."""

    name: str
    description: str = ""
    parameters: Mapping[str, Any] = field(
        default_factory=lambda: {"type": "object", "properties": {}}
    )


@runtime_checkable
class HasToolSpec(Protocol):
    """Anything that can describe itself as a ``ToolSpec`` (e.g. a ``@tool``)."""

    @property
    def spec(self) -> ToolSpec: ...


def as_tool_specs(tools: Iterable[object] | None) -> list[ToolSpec]:
    """Normalise ``ToolSpec``s, ``@tool`` objects and OpenAI-style dicts."""
    if not tools:
        return []
    return [_one_spec(item) for item in tools]


_NO_SPEC = object()


def _one_spec(item: object) -> ToolSpec:
    if isinstance(item, ToolSpec):
        return item
    # (what ``isinstance(item, HasToolSpec)`` tells, without a runtime-protocol check per call)
    spec = getattr(item, "spec", _NO_SPEC)
    if spec is not _NO_SPEC:
        return spec  # type: ignore[return-value]
    if isinstance(item, Mapping):
        fn = item.get("function", item)
        if isinstance(fn, Mapping) and isinstance(fn.get("name"), str):
            params = fn.get("parameters") or {"type": "object", "properties": {}}
            return ToolSpec(fn["name"], str(fn.get("description") or ""), params)
    raise ConfigurationError(
        f"cannot use {item!r} as a tool: pass a @tool function, a ToolSpec, "
        "or an OpenAI-style {'type': 'function', 'function': {...}} dict"
    )
