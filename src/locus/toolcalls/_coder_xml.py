"""Qwen3-Coder XML calls: ``<function=name><parameter=key>value</parameter></function>``.

Values are text; when the tool's JSON Schema gives a non-string type the value is
decoded as JSON and kept only if it fits that type (otherwise the text is kept and the
tool's own argument validation reports it). Format as published in the Qwen3-Coder
chat template (QwenLM/Qwen3-Coder, ``qwen3coder_tool_parser.py``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from locus.core._json_values import argument_problem
from locus.toolcalls._calls import NamedArgs

__all__ = ["Schemas", "coerce_value", "looks_like_coder_xml", "parse_coder_xml"]

_FUNCTION = re.compile(r"<function=([^>\n]+)>(.*?)</function>", re.DOTALL)
_PARAMETER = re.compile(r"<parameter=([^>\n]+)>(.*?)</parameter>", re.DOTALL)
_FITS: dict[str, tuple[type, ...]] = {
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
    "null": (type(None),),
}
Schemas = Mapping[str, Mapping[str, Any]]


def looks_like_coder_xml(payload: str) -> bool:
    """Whether a ``<tool_call>`` payload is XML rather than JSON."""
    return payload.lstrip().startswith("<function=")


def parse_coder_xml(payload: str, schemas: Schemas) -> list[NamedArgs] | str:
    """The calls in a payload, or the reason it is malformed."""
    calls: list[NamedArgs] = []
    end = 0
    for match in _FUNCTION.finditer(payload):
        if payload[end : match.start()].strip():
            return "text outside <function=...> elements"
        name = match.group(1).strip()
        arguments = _parameters(match.group(2), schemas.get(name, {}))
        if isinstance(arguments, str):
            return arguments
        calls.append((name, arguments))
        end = match.end()
    if payload[end:].strip():
        return "unclosed <function=...> element or text after it"
    return calls or "no <function=...> element"


def _parameters(body: str, schema: Mapping[str, Any]) -> dict[str, Any] | str:
    arguments: dict[str, Any] = {}
    end = 0
    properties = schema.get("properties") or {}
    for match in _PARAMETER.finditer(body):
        if body[end : match.start()].strip():
            return "text outside <parameter=...> elements"
        key = match.group(1).strip()
        arguments[key] = coerce_value(_trim(match.group(2)), properties.get(key))
        end = match.end()
    if body[end:].strip():
        return "unclosed <parameter=...> element or text after it"
    return arguments


def _trim(value: str) -> str:
    """Drop the one newline the template puts on each side of a value."""
    value = value.removeprefix("\n")
    return value.removesuffix("\n")


def coerce_value(value: str, schema: Any) -> Any:
    """An XML value's text decoded by the type its JSON Schema declares (when it fits)."""
    wanted = _declared_type(schema)
    if wanted is None or wanted == "string":
        return value
    try:
        decoded = json.loads(value)
    except (ValueError, RecursionError):
        decoded = _loose_boolean(value) if wanted == "boolean" else None
        if decoded is None:
            return value
    if argument_problem(decoded) is not None:
        return value  # (NaN, too deep...: kept as text, the tool's validation reports it)
    fits = _FITS.get(wanted, ())
    if isinstance(decoded, bool) and wanted in ("integer", "number"):
        return value
    return decoded if isinstance(decoded, fits) else value


def _declared_type(schema: Any) -> str | None:
    if not isinstance(schema, Mapping):
        return None
    declared = schema.get("type")
    if isinstance(declared, list):
        declared = next((t for t in declared if t != "null"), None)
    return declared if isinstance(declared, str) else None


def _loose_boolean(value: str) -> bool | None:
    return {"true": True, "false": False}.get(value.strip().lower())
