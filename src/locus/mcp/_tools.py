"""MCP tool descriptions as Locus tools (``Tool.from_schema``) that call the server.

An MCP tool's name may hold characters OCI rejects in a function name (``.``, ``/``,
spaces, letters that are not ASCII): the name the model sees is made of what OCI takes
(``shown_name``), and the call goes out under the original name. The input schema is
simplified for OCI by ``Tool.from_schema``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

from locus.core.errors import ConfigurationError
from locus.tools import Tool

if TYPE_CHECKING:
    import mcp_types

    from locus.mcp._toolset import MCPToolset

__all__ = ["shown_name", "to_locus_tools"]

_BAD = re.compile(r"[^A-Za-z0-9_-]")
_MAX_NAME = 64  # OCI's limit on a function name


def shown_name(prefix: str, name: str) -> str:
    """The name the model sees for MCP tool ``name``: OCI-safe characters, a letter or ``_``
    first, and at most 64 characters (a longer one keeps its start and a hash of the whole,
    so that two long names stay two). Accents are dropped and full-width letters read as
    letters (``météo`` is ``meteo``); letters of other scripts cannot be shown, so a name
    that had some ends with a hash of the whole (``天気`` is ``tool_<hash>``): two such
    names never become one."""
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", name))
    kept = "".join(char for char in folded if char.isascii())
    shown = _BAD.sub("_", kept)
    if any(not char.isascii() and not unicodedata.combining(char) for char in folded):
        digest = hashlib.sha256(name.encode()).hexdigest()[:8]
        shown = f"{shown}_{digest}" if shown.strip("_") else f"tool_{digest}"
    shown = prefix + shown
    if not (shown[:1].isalpha() or shown[:1] == "_"):
        shown = f"t_{shown}"
    if len(shown) > _MAX_NAME:
        digest = hashlib.sha256(name.encode()).hexdigest()[:8]
        shown = f"{shown[: _MAX_NAME - 9]}_{digest}"
    return shown


def to_locus_tools(toolset: MCPToolset, listed: Sequence[mcp_types.Tool]) -> list[Tool[..., Any]]:
    """One Locus tool per MCP tool; two that would share a shown name are an error."""
    tools: dict[str, Tool[..., Any]] = {}
    origin: dict[str, str] = {}
    for described in listed:
        name = shown_name(toolset.prefix, described.name)
        if name in tools:
            raise ConfigurationError(
                f"{toolset.label}: tools {origin[name]!r} and {described.name!r} are both "
                f"shown as {name!r}; give a prefix= or exclude= one of them"
            )
        origin[name] = described.name
        tools[name] = Tool.from_schema(
            name,
            described.description or described.title or "",
            _parameters(described.input_schema),
            _handler(toolset, described.name),
            requires_approval=_needs_approval(toolset.requires_approval, described),
        )
    return list(tools.values())


def _needs_approval(rule: Any, described: mcp_types.Tool) -> Any:
    """The ``requires_approval`` of one tool under its server's rule (``MCPApprovalRule``)."""
    if isinstance(rule, frozenset):
        return described.name in rule
    if rule == "destructive":
        hints = described.annotations
        if hints is None:
            return True
        return not hints.read_only_hint and hints.destructive_hint is not False
    return rule


def _parameters(schema: Any) -> dict[str, Any]:
    parameters = dict(schema) if isinstance(schema, dict) else {}
    parameters.setdefault("type", "object")
    parameters.setdefault("properties", {})
    return parameters


def _handler(toolset: MCPToolset, name: str) -> Callable[[dict[str, Any]], Awaitable[Any]]:
    async def call(arguments: dict[str, Any]) -> Any:
        return await toolset.call_tool(name, arguments)

    call.__name__ = call.__qualname__ = name
    return call
