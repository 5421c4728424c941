"""The options of ``MCPToolset`` checked when a server is made: tool names, approval rules."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from locus.core.errors import ConfigurationError

__all__ = ["approval_rule", "tool_names"]


def tool_names(values: Iterable[str], what: str) -> frozenset[str]:
    if isinstance(values, str):
        raise ConfigurationError(f"{what}= takes a list of tool names, not one string {values!r}")
    names = frozenset(values)
    wrong = [name for name in names if not isinstance(name, str) or not name]
    if wrong:
        raise ConfigurationError(f"{what}= takes MCP tool names (strings), not {wrong[0]!r}")
    return names


def approval_rule(rule: object) -> bool | str | frozenset[str] | Callable[..., Any]:
    """``requires_approval`` checked: a bool, ``"destructive"``, names, or a function."""
    if isinstance(rule, bool) or callable(rule):
        return rule
    if isinstance(rule, str):
        if rule != "destructive":
            raise ConfigurationError(
                f"requires_approval={rule!r}: give True, False, 'destructive', a list of MCP "
                "tool names or fn(call, ctx) -> bool"
            )
        return rule
    if isinstance(rule, Iterable):
        return tool_names(rule, "requires_approval")
    raise ConfigurationError(
        f"requires_approval must be True, False, 'destructive', a list of MCP tool names or "
        f"fn(call, ctx) -> bool, not {type(rule).__name__}"
    )
