"""Typed reading of decoded JSON wire objects, shared by every chat codec.

Every accessor raises ``ShapeError`` when a field is present with the wrong JSON
type; the public decoders translate it, in one place each, into ``ResponseError``
or ``StreamError``. Absent and ``null`` fields read as ``None``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["ShapeError", "maps_in", "opt_bool", "opt_int", "opt_list", "opt_map", "opt_str"]


class ShapeError(ValueError):
    """A wire object has a field of the wrong JSON type."""


def _kind(value: object) -> str:
    return type(value).__name__


def opt_map(obj: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any] | None:
    """``obj[key]`` as a JSON object, or ``None`` when absent."""
    value = obj.get(key)
    # ``type(...) is dict`` first: decoded JSON is always a dict, and the ABC check is slow
    if value is None or type(value) is dict or isinstance(value, Mapping):
        return value
    raise ShapeError(f"{where}.{key} should be an object, got {_kind(value)}")


def opt_list(obj: Mapping[str, Any], key: str, where: str) -> list[Any] | None:
    """``obj[key]`` as a JSON array, or ``None`` when absent."""
    value = obj.get(key)
    if value is None or isinstance(value, list):
        return value
    raise ShapeError(f"{where}.{key} should be an array, got {_kind(value)}")


def opt_str(obj: Mapping[str, Any], key: str, where: str) -> str | None:
    """``obj[key]`` as a string, or ``None`` when absent."""
    value = obj.get(key)
    if value is None or isinstance(value, str):
        return value
    raise ShapeError(f"{where}.{key} should be a string, got {_kind(value)}")


def opt_int(obj: Mapping[str, Any], key: str, where: str) -> int | None:
    """``obj[key]`` as an integer (an integral float is accepted), or ``None``."""
    value = obj.get(key)
    if value is None:
        return None
    if type(value) is int:
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ShapeError(f"{where}.{key} should be an integer, got {_kind(value)}")
    if isinstance(value, float) and not value.is_integer():
        raise ShapeError(f"{where}.{key} should be an integer, got {value!r}")
    return int(value)


def opt_bool(obj: Mapping[str, Any], key: str, where: str) -> bool | None:
    """``obj[key]`` as a boolean, or ``None`` when absent."""
    value = obj.get(key)
    if value is None or isinstance(value, bool):
        return value
    raise ShapeError(f"{where}.{key} should be a boolean, got {_kind(value)}")


def maps_in(items: list[Any] | None, where: str) -> list[Mapping[str, Any]]:
    """The elements of an array that must hold JSON objects."""
    if not items:
        return []
    out: list[Mapping[str, Any]] = []
    for i, item in enumerate(items):
        if type(item) is not dict and not isinstance(item, Mapping):
            raise ShapeError(f"{where}[{i}] should be an object, got {_kind(item)}")
        out.append(item)
    return out
