"""Thread metadata: a JSON object, checked and copied on the way in and out."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from locus.core.errors import SerializationError

__all__ = ["copy_metadata", "dump_metadata", "load_metadata"]


def dump_metadata(metadata: Mapping[str, Any]) -> str:
    """``metadata`` as JSON text; a value JSON cannot hold is a ``SerializationError``."""
    if not isinstance(metadata, Mapping):
        raise SerializationError(
            f"thread metadata must be a mapping with string keys, got {type(metadata).__name__}"
        )
    bad = [k for k in metadata if not isinstance(k, str)]
    if bad:
        raise SerializationError(f"thread metadata keys must be strings, got {bad[0]!r}")
    try:
        text = json.dumps(dict(metadata), ensure_ascii=False, allow_nan=False)
        if not text.isascii():
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:  # a lone surrogate: kept as a \uXXXX escape
                text = json.dumps(dict(metadata), allow_nan=False)
        return text
    except (TypeError, ValueError) as exc:
        raise SerializationError(
            f"thread metadata must hold only JSON values (str, int, float, bool, None, "
            f"lists and dicts with string keys): {exc}"
        ) from None


def load_metadata(text: str | bytes) -> dict[str, Any]:
    """Stored metadata back as a dict."""
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise SerializationError(f"stored thread metadata is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise SerializationError("stored thread metadata is not a JSON object")
    return value


def copy_metadata(metadata: Mapping[str, Any]) -> dict[str, Any]:
    """A deep copy through JSON, so the in-memory store accepts what the others accept."""
    return load_metadata(dump_metadata(metadata))
