"""A deterministic instance of a JSON Schema: what the emulator answers a structured request.

Values come from the user's words where the schema's type fits (numbers, quoted or
capitalised words, the enum value the text names), else from the schema itself: strings
from the property name (or its ``format``: date, email, uri...), numbers 1 (or the
``minimum``), enums their first value, arrays one item (or ``minItems``), objects every
property (an optional one of unknown shape is left out). The result validates against
the schema for the keywords OCI accepts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from locus.emulator.engines._arguments import Pools

__all__ = ["schema_instance"]

_MAX_DEPTH = 8
_FORMATS = {
    "date": "2024-01-01",
    "date-time": "2024-01-01T00:00:00Z",
    "time": "12:00:00",
    "email": "{name}@example.com",
    "uri": "https://example.com/{name}",
    "url": "https://example.com/{name}",
    "uuid": "00000000-0000-4000-8000-000000000000",
}


def schema_instance(schema: Mapping[str, Any], text: str = "") -> Any:
    """A value that ``schema`` accepts, filled from ``text`` where it can be."""
    return _instance(schema, "value", Pools(text), 0)


def _instance(spec: Mapping[str, Any], name: str, pools: Pools, depth: int) -> Any:
    if "const" in spec:
        return spec["const"]
    enum = spec.get("enum")
    if isinstance(enum, list) and enum:
        lowered = pools.text.lower()
        return next((v for v in enum if str(v).lower() in lowered), enum[0])
    branch = _first_branch(spec)
    if branch is not None:
        return _instance({**spec, **branch, "anyOf": None, "oneOf": None}, name, pools, depth)
    kind = _kind(spec)
    if kind == "object":
        return _object(spec, pools, depth)
    if kind == "array":
        return _array(spec, name, pools, depth)
    if kind in ("integer", "number"):
        return _number(spec, kind, pools)
    if kind == "boolean":
        return any(word in ("true", "yes") for word in pools.text.lower().split())
    if kind == "null":
        return None
    return _string(spec, name, pools)


def _first_branch(spec: Mapping[str, Any]) -> Mapping[str, Any] | None:
    for key in ("anyOf", "oneOf", "allOf"):
        branches = spec.get(key)
        if isinstance(branches, list):
            real = [b for b in branches if isinstance(b, Mapping) and b.get("type") != "null"]
            if real:
                return real[0]
    return None


def _kind(spec: Mapping[str, Any]) -> str:
    kind = spec.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind is None and "properties" in spec:
        return "object"
    return str(kind) if kind is not None else "string"


def _object(spec: Mapping[str, Any], pools: Pools, depth: int) -> dict[str, Any]:
    properties = spec.get("properties")
    if depth >= _MAX_DEPTH or not isinstance(properties, Mapping):
        return {}
    required = spec.get("required")
    needed = set(required) if isinstance(required, list) else set()
    out: dict[str, Any] = {}
    for key, sub in properties.items():
        sub = sub if isinstance(sub, Mapping) else {}
        if key not in needed and _opaque(sub):
            continue  # an optional object of unknown shape (a recursive type): left out
        out[str(key)] = _instance(sub, str(key), pools, depth + 1)
    return out


def _opaque(spec: Mapping[str, Any]) -> bool:
    branch = _first_branch(spec) or spec
    return _kind(branch) == "object" and not branch.get("properties")


def _array(spec: Mapping[str, Any], name: str, pools: Pools, depth: int) -> list[Any]:
    items = spec.get("items")
    low, high = spec.get("minItems"), spec.get("maxItems")
    count = max(1, low if isinstance(low, int) else 0)
    if isinstance(high, int):
        count = min(count, high)
    if depth >= _MAX_DEPTH or not isinstance(items, Mapping):
        return []
    return [_instance(items, name, pools, depth + 1) for _ in range(count)]


def _number(spec: Mapping[str, Any], kind: str, pools: Pools) -> int | float:
    found = pools.integer() if kind == "integer" else pools.number()
    low, high = spec.get("minimum"), spec.get("maximum")
    value: int | float = found if found is not None else 1
    if isinstance(low, int | float) and value < low:
        value = low
    if isinstance(high, int | float) and value > high:
        value = high
    return int(value) if kind == "integer" else float(value)


def _string(spec: Mapping[str, Any], name: str, pools: Pools) -> str:
    fmt = spec.get("format")
    if isinstance(fmt, str) and fmt in _FORMATS:
        return _FORMATS[fmt].format(name=name.lower() or "value")
    value = pools.string() or name
    low, high = spec.get("minLength"), spec.get("maxLength")
    if isinstance(low, int) and len(value) < low:
        value = value + "x" * (low - len(value))
    if isinstance(high, int):
        value = value[:high]
    return value
