"""Turn a tool's return value into the text a model reads (JSON, truncated if huge)."""

from __future__ import annotations

from typing import Any

import pydantic_core

from locus.core.errors import ToolExecutionError

__all__ = ["DEFAULT_MAX_RESULT_CHARS", "format_result", "truncate"]

DEFAULT_MAX_RESULT_CHARS = 100_000
"""Default cap on the characters of one tool result shown to the model."""


def format_result(value: Any, name: str) -> str:
    """``str`` as is; anything else as JSON (pydantic models, dataclasses, dates...)."""
    if isinstance(value, str):
        return value
    try:
        return pydantic_core.to_json(value).decode()
    except (pydantic_core.PydanticSerializationError, ValueError, TypeError) as exc:
        raise ToolExecutionError(
            f"tool {name!r} returned a {type(value).__name__} that cannot be turned into "
            "JSON text; return a str, a dict/list of plain values, or a pydantic model",
            tool_name=name,
        ) from exc


def truncate(text: str, limit: int | None) -> str:
    """Cut ``text`` to ``limit`` characters and say how much was left out."""
    if limit is None or len(text) <= limit:
        return text
    dropped = len(text) - limit
    return f"{text[:limit]}\n...[truncated {dropped} of {len(text)} characters]"
