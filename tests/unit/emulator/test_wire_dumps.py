"""The emulator's JSON writer gives exactly ``json.dumps``'s compact bytes (it reuses one
C encoder instead of making one per call)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from locus.emulator.wire._responses import dumps

PAYLOADS: list[Any] = [
    {"index": 0, "message": {"role": "ASSISTANT", "content": [{"type": "TEXT", "text": "hi "}]}},
    {"text": 'é, ü, 中文, emoji 🙂, \u2028, quote " and backslash \\ and\ttab\n'},
    {"float": 1.5, "big": 1e300, "small": -2.5e-308, "int": 10**30, "none": None, "t": True},
    {"nan": float("nan"), "inf": float("inf")},
    {1: "int key", 2.5: "float key", None: "null key", False: "bool key"},
    [],
    {},
    "plain",
    [[[{"deep": [1, [2, [3]]]}]]],
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_bytes_are_json_dumps_compact(payload: Any) -> None:
    assert dumps(payload) == json.dumps(payload, separators=(",", ":")).encode()


def test_what_json_cannot_write_is_the_same_type_error() -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        dumps({"x": object()})
    with pytest.raises(TypeError, match="not JSON serializable"):
        json.dumps({"x": object()})
