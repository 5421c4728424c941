"""``InvalidOutput``: an output answer that does not validate (``locus.core._output_schema``).

A module of its own so that a run's steps can catch it without importing the schema
machinery, which loads with the first output type.
"""

from __future__ import annotations

from typing import Any

__all__ = ["InvalidOutput", "invalid_json"]


class InvalidOutput(ValueError):
    """An answer that does not validate. ``str()`` is the compact text to show a model;
    ``errors`` the same as ``[{"loc": "a.b", "msg": ..., "type": ...}]``."""

    def __init__(self, message: str, errors: list[dict[str, Any]]) -> None:
        super().__init__(message)
        self.errors = errors


def invalid_json(reason: str) -> InvalidOutput:
    """``InvalidOutput`` for text that is not JSON at all."""
    return InvalidOutput(
        f"invalid JSON: {reason}", [{"loc": "", "msg": reason, "type": "json_invalid"}]
    )
