"""Simplification of JSON Schemas (tool parameters, structured outputs) into the subset
OCI accepts. It lives in ``locus.core`` so that every layer can call the one copy: the OCI
codecs for tool and response schemas, and ``locus.core._output_schema`` for output types.

What is changed, and why (wire-spec §8.3; litellm, langchain-oci and OpenCode's OCI
provider report these rejections):

- ``$ref`` to ``#/$defs/...`` or ``#/definitions/...`` is replaced by the definition
  (OCI rejects references); a recursive reference, which cannot be inlined, becomes
  ``{"type": "object"}`` (keeping its description).
- ``$defs``, ``definitions``, ``$schema``, ``$id``, ``$comment``: dropped (unused once
  inlined; metadata only).
- ``title`` and ``examples``: dropped (pydantic adds titles everywhere; Gemini behind
  OCI rejects both; descriptions carry the meaning).
- ``exclusiveMinimum`` / ``exclusiveMaximum``: dropped (Gemini rejects them). The tool's
  own argument validation still enforces the bound.
- ``anyOf`` / ``oneOf`` whose only non-null branch is one schema (``Optional[X]``) is
  replaced by that branch; optionality is already said by ``required``. A single-item
  ``allOf`` is merged. Real unions are kept as they are.
- ``required`` keeps only names present in ``properties`` (OCI rejects the others).

Only schema positions are walked (``properties``, ``items``, ``additionalProperties``,
``anyOf``/``oneOf``/``allOf``, ``not``), so property names such as ``title`` survive.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["simplify_schema", "strict_schema"]

_DROPPED = frozenset(
    {
        "$defs",
        "definitions",
        "$schema",
        "$id",
        "$comment",
        "title",
        "examples",
        "exclusiveMinimum",
        "exclusiveMaximum",
    }
)
_UNIONS = ("anyOf", "oneOf")


def simplify_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    """A simplified copy of ``schema`` (the input is not modified)."""
    defs = {**_defs(schema, "definitions"), **_defs(schema, "$defs")}
    return _walk(schema, defs, frozenset())


def _defs(schema: Mapping[str, Any], key: str) -> dict[str, Any]:
    value = schema.get(key)
    return dict(value) if isinstance(value, Mapping) else {}


def _walk(node: Mapping[str, Any], defs: dict[str, Any], seen: frozenset[str]) -> dict[str, Any]:
    ref = node.get("$ref")
    if isinstance(ref, str):
        return _inline(node, ref, defs, seen)
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key not in _DROPPED:
            out[key] = _child(key, value, defs, seen)
    out = _collapse_unions(out)
    _filter_required(out)
    return out


def _inline(
    node: Mapping[str, Any], ref: str, defs: dict[str, Any], seen: frozenset[str]
) -> dict[str, Any]:
    name = ref.rsplit("/", 1)[-1]
    target = defs.get(name)
    extra = {k: v for k, v in node.items() if k != "$ref"}
    if ref in seen or not isinstance(target, Mapping):
        resolved: dict[str, Any] = {"type": "object"}
    else:
        resolved = _walk(target, defs, seen | {ref})
    return {**resolved, **_walk(extra, defs, seen)} if extra else resolved


def _child(key: str, value: Any, defs: dict[str, Any], seen: frozenset[str]) -> Any:
    if key == "properties" and isinstance(value, Mapping):
        return {
            name: _walk(sub, defs, seen) if isinstance(sub, Mapping) else sub
            for name, sub in value.items()
        }
    if key in ("items", "additionalProperties", "not") and isinstance(value, Mapping):
        return _walk(value, defs, seen)
    if key in ("anyOf", "oneOf", "allOf", "items", "prefixItems") and isinstance(value, list):
        return [_walk(v, defs, seen) if isinstance(v, Mapping) else v for v in value]
    return value


def _collapse_unions(node: dict[str, Any]) -> dict[str, Any]:
    for key in _UNIONS:
        branches = node.get(key)
        if isinstance(branches, list):
            real = [b for b in branches if not (isinstance(b, Mapping) and b.get("type") == "null")]
            if len(real) == 1 and isinstance(real[0], Mapping):
                rest = {k: v for k, v in node.items() if k != key}
                return {**real[0], **rest}
    all_of = node.get("allOf")
    if isinstance(all_of, list) and len(all_of) == 1 and isinstance(all_of[0], Mapping):
        rest = {k: v for k, v in node.items() if k != "allOf"}
        return {**all_of[0], **rest}
    return node


def _filter_required(node: dict[str, Any]) -> None:
    required, properties = node.get("required"), node.get("properties")
    if isinstance(required, list) and isinstance(properties, Mapping):
        node["required"] = [n for n in required if isinstance(n, str) and n in properties]


def strict_schema(schema: Mapping[str, Any]) -> dict[str, Any] | None:
    """``schema`` fit for a strict structured-output mode, or ``None`` when it cannot be.

    Strict modes (OpenAI's, and OCI's ``isStrict``) want every object closed
    (``additionalProperties: false``) with all of its properties required. A schema whose
    objects all list every property as required gets ``additionalProperties: false``
    added; one with an optional property or a free-form object (a ``dict``) is left to
    the non-strict mode rather than changed in meaning.
    """
    try:
        return _strict(schema)
    except _NotStrict:
        return None


class _NotStrict(Exception):
    pass


def _strict(node: Mapping[str, Any]) -> dict[str, Any]:
    out = {key: _strict_child(key, value) for key, value in node.items()}
    if node.get("type") == "object" or "properties" in node:
        properties = node.get("properties")
        if not isinstance(properties, Mapping) or not properties:
            raise _NotStrict
        if set(node.get("required") or ()) != set(properties):
            raise _NotStrict
        if node.get("additionalProperties") not in (None, False):
            raise _NotStrict
        out["additionalProperties"] = False
    return out


def _strict_child(key: str, value: Any) -> Any:
    if key == "properties" and isinstance(value, Mapping):
        return {
            name: _strict(sub) if isinstance(sub, Mapping) else sub for name, sub in value.items()
        }
    if key in ("items", "not") and isinstance(value, Mapping):
        return _strict(value)
    if key in ("anyOf", "oneOf", "allOf", "prefixItems") and isinstance(value, list):
        return [_strict(v) if isinstance(v, Mapping) else v for v in value]
    return value
