"""Turn a tool's return value into the text a model reads (JSON, truncated if huge).

The text is always valid Unicode: lone surrogates (an undecodable file name from the OS,
``surrogateescape``) become ``\\udcxx`` escapes, so the next request can be sent as UTF-8.

The JSON text is JSON proper: a float JSON cannot hold (``nan``, ``inf``, ``-inf``,
anywhere in the value) is written as the string ``"NaN"``, ``"Infinity"`` or
``"-Infinity"``, not as the bare ``NaN`` Python's and pydantic's encoders write. The
model reads what the value was (``null`` would say "missing"), and a body that carries
the result as an object (COHERE's ``toolResults``) stays JSON. A pydantic model keeps
its own setting (``ser_json_inf_nan``, ``null`` by default) unless that writes the bare
constants.
"""

from __future__ import annotations

import json
from typing import Any

from locus.core.errors import ToolExecutionError

__all__ = ["DEFAULT_MAX_RESULT_CHARS", "format_result", "truncate", "valid_unicode"]

DEFAULT_MAX_RESULT_CHARS = 100_000
"""Default cap on the characters of one tool result shown to the model."""


def format_result(value: Any, name: str) -> str:
    """``str`` as is (lone surrogates escaped); anything else as JSON (pydantic, dates...)."""
    if isinstance(value, str):
        return valid_unicode(value)
    import pydantic_core  # loaded on the first non-str result, not with the agent

    try:
        return _finite(pydantic_core.to_json(value, inf_nan_mode="strings").decode())
    except (pydantic_core.PydanticSerializationError, ValueError, TypeError) as exc:
        error = exc  # e.g. a str with a lone surrogate somewhere inside (a key too)
    try:  # json walks dicts and lists itself (it takes any str key); pydantic the rest
        text = json.dumps(value, ensure_ascii=False, default=pydantic_core.to_jsonable_python)
        return valid_unicode(_finite(text))
    except (pydantic_core.PydanticSerializationError, ValueError, TypeError):
        raise ToolExecutionError(
            f"tool {name!r} returned a {type(value).__name__} that cannot be turned into "
            "JSON text; return a str, a dict/list of plain values, or a pydantic model",
            tool_name=name,
        ) from error


def _finite(text: str) -> str:
    """``text`` (JSON written by pydantic or ``json``) with each bare ``NaN``,
    ``Infinity`` or ``-Infinity`` made a string; the text itself when it holds none (the
    cheap test first: most results never spell either word)."""
    if "NaN" not in text and "Infinity" not in text:
        return text
    found: list[str] = []

    def as_string(constant: str) -> str:
        found.append(constant)
        return constant

    try:
        value = json.loads(text, parse_constant=as_string)
    except (ValueError, RecursionError):  # (not read back: left as it was)
        return text
    if not found:  # the words were inside strings
        return text
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def truncate(text: str, limit: int | None) -> str:
    """Cut ``text`` to ``limit`` characters and say how much was left out."""
    if limit is None or len(text) <= limit:
        return text
    dropped = len(text) - limit
    return f"{text[:limit]}\n...[truncated {dropped} of {len(text)} characters]"


def valid_unicode(text: str) -> str:
    """``text`` with lone surrogates replaced by ``\\udcxx`` escapes (otherwise unchanged)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text
