"""Turning decoded JSON payloads into ``(name, arguments)`` pairs, with reasons when not."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from locus.core._json_values import (
    NESTED_TOO_DEEPLY,
    argument_problem,
    decoded_too_deep,
    nests_deeper_than,
)

__all__ = ["Decoded", "decode_json_calls", "load_json"]

NamedArgs = tuple[str, dict[str, Any]]
_ARG_KEYS = ("arguments", "parameters")


@dataclass(slots=True)
class Decoded:
    """Calls found in a payload; ``skipped`` explains items that were not calls;
    ``error`` is set when the payload as a whole is not usable."""

    calls: list[NamedArgs] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    error: str | None = None


def load_json(text: str) -> tuple[Any, str | None]:
    """``json.loads`` that returns the error text instead of raising (JSON nested past
    the parser's limit or ``MAX_DECODED_NESTING`` included)."""
    try:
        value = json.loads(text)
    except ValueError as exc:
        return None, f"invalid JSON: {exc}"
    except RecursionError:
        return None, NESTED_TOO_DEEPLY
    if decoded_too_deep(text, value):
        return None, NESTED_TOO_DEEPLY
    return value, None


def decode_json_calls(
    text: str,
    *,
    require_arguments: bool = False,
    known_names: Collection[str] | None = None,
    allow_skips: bool = True,
) -> Decoded:
    """Calls from a JSON object or array of objects (``name`` + ``arguments``/``parameters``).

    With ``allow_skips`` a non-call item of an array is skipped (and listed);
    otherwise any non-call item makes the whole payload an error.
    """
    value, error = load_json(text)
    if error is not None:
        return Decoded(error=error)
    items = value if isinstance(value, list) else [value]
    result = Decoded()
    for item in items:
        one = call_from_object(item, require_arguments, known_names)
        if isinstance(one, str):
            result.skipped.append((_item_text(item), one))
        else:
            result.calls.append(one)
    if not result.calls or (result.skipped and not allow_skips):
        reasons = "; ".join(reason for _, reason in result.skipped) or "empty array"
        return Decoded(error=reasons)
    return result


def call_from_object(
    item: Any, require_arguments: bool, known_names: Collection[str] | None
) -> NamedArgs | str:
    """One ``(name, arguments)`` pair, or the reason why ``item`` is not a call."""
    if not isinstance(item, dict):
        return f"not a call object: a JSON {type(item).__name__}"
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        return 'no "name" string'
    if known_names is not None and name not in known_names:
        return f"{name!r} is not one of the offered tools"
    key = next((k for k in _ARG_KEYS if k in item), None)
    if key is None:
        return 'no "arguments" or "parameters"' if require_arguments else (name, {})
    arguments = as_arguments(item[key])
    if isinstance(arguments, str):
        return f'"{key}" {arguments}'
    return name, arguments


def _item_text(item: Any) -> str:
    """A skipped array item as JSON text (one nested too deeply is not written out)."""
    if nests_deeper_than(item):
        return f"<an array item: {NESTED_TOO_DEEPLY}>"
    return json.dumps(item, ensure_ascii=False)


def as_arguments(value: Any) -> dict[str, Any] | str:
    """Arguments as a dict: an object, a JSON string holding one, or ``null`` (empty);
    otherwise why not (``is not a JSON object...``)."""
    if value is None:
        return {}
    if isinstance(value, str):
        value, error = load_json(value)
        if error == NESTED_TOO_DEEPLY:
            return f"is {NESTED_TOO_DEEPLY}"
    if not isinstance(value, dict):
        return "is not a JSON object (nor a string holding one)"
    problem = argument_problem(value)  # (the next request, a stored thread could not take it)
    return value if problem is None else f"is {problem}"
