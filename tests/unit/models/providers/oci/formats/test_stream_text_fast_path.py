"""The GENERIC decoder's fast path for the usual token event gives exactly what the
general path gives, and leaves every other event to the general path."""

from __future__ import annotations

import copy
from typing import Any

import pytest

import locus.models.providers.oci._formats.stream as stream_module
from locus.core.errors import StreamError
from locus.models.providers.oci._formats.stream import ChatStreamDecoder


def _delta(text: Any, **extra: Any) -> dict[str, Any]:
    return {
        "index": 0,
        "message": {"role": "ASSISTANT", "content": [{"type": "TEXT", "text": text}]},
        **extra,
    }


EVENTS: list[dict[str, Any]] = [
    _delta("The "),
    _delta(""),
    _delta("x", finishReason="stop"),
    {"index": 1, "message": {"role": "ASSISTANT", "content": [{"type": "TEXT", "text": "B"}]}},
    {"index": True, "message": {"role": "ASSISTANT", "content": [{"type": "TEXT", "text": "C"}]}},
    {"index": 0, "message": {"role": "USER", "content": [{"type": "TEXT", "text": "D"}]}},
    {"index": 0, "message": {"role": "ASSISTANT", "content": [{"type": "IMAGE", "text": "E"}]}},
    {"index": 0, "message": {"role": "ASSISTANT", "content": [{"text": "F"}]}},
    {
        "index": 0,
        "message": {
            "role": "ASSISTANT",
            "content": [{"type": "TEXT", "text": "G"}, {"type": "TEXT", "text": "H"}],
        },
    },
    {
        "index": 0,
        "message": {
            "role": "ASSISTANT",
            "reasoningContent": "think",
            "content": [{"type": "TEXT", "text": "I"}],
        },
    },
    _delta("then usage"),
    {"usage": {"promptTokens": 3, "completionTokens": 4, "totalTokens": 7}},
]


def _decode(events: list[dict[str, Any]], *, fast: bool, monkeypatch: pytest.MonkeyPatch) -> Any:
    with monkeypatch.context() as patch:
        if not fast:
            patch.setattr(stream_module, "_plain_text_delta", lambda data: None)
        decoder = ChatStreamDecoder("GENERIC")
        out: list[Any] = []
        for event in copy.deepcopy(events):
            try:
                out.append(decoder.feed(event))
            except StreamError as exc:
                out.append(str(exc))
        try:
            final = decoder.close()
        except StreamError as exc:
            return out, str(exc)
        return out, (final.response.message if final.response else None, final.usage)


@pytest.mark.parametrize("start", range(len(EVENTS)))
def test_the_fast_path_decodes_as_the_general_path(
    start: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    events = [*EVENTS[start:], _delta("end", finishReason="stop")]
    assert _decode(events, fast=True, monkeypatch=monkeypatch) == _decode(
        events, fast=False, monkeypatch=monkeypatch
    )


def test_only_the_usual_token_event_takes_the_fast_path() -> None:
    take = stream_module._plain_text_delta
    assert take(_delta("The ")) == "The "
    assert take(_delta("")) == ""
    for other in EVENTS[2:10]:
        assert take(other) is None
    assert take(_delta(7)) is None
    assert take({"index": 0, "message": {"role": "ASSISTANT", "content": "plain"}}) is None
