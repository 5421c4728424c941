"""What a durable run hands Temporal stays under its payload limit: events are answered in
pages (an event too large for a page alone has its long strings cut), sizes are those of
the compact JSON Temporal writes, and approved arguments must be JSON."""

from __future__ import annotations

from typing import Any

import pytest

from locus.core.errors import ConfigurationError
from locus.durable.temporal import _wire as wire
from locus.durable.temporal._sizes import LONGEST_TEXT, PAGE_BYTES, events_page, json_size


def test_sizes_are_the_bytes_of_compact_json() -> None:
    assert json_size({"a": [1, 2]}) == len('{"a":[1,2]}')
    assert json_size("é") == len('"é"'.encode())  # (bytes, not characters)


def test_events_come_in_pages_that_fit_and_say_whether_more_follow() -> None:
    small = [{"kind": "iteration_started", "iteration": i} for i in range(3)]
    assert events_page(small, 0) == {"events": small, "more": False}
    assert events_page(small, 2) == {"events": small[2:], "more": False}
    assert events_page(small, 3) == {"events": [], "more": False}
    big = {"kind": "tool_call_finished", "result": {"text": "x" * (PAGE_BYTES // 2)}}
    events = [big, big, big]
    pages: list[list[dict[str, Any]]] = []
    since = 0
    while True:
        page = events_page(events, since)
        pages.append(page["events"])
        since += len(page["events"])
        if not page["more"]:
            break
    assert [len(page) for page in pages] == [1, 1, 1] and since == 3
    assert all(json_size(page) <= PAGE_BYTES + 100 for page in pages)


def test_an_event_too_large_for_a_page_alone_has_its_long_strings_cut() -> None:
    huge = {
        "kind": "sub_agent_event",
        "event": {"kind": "tool_call_finished", "result": {"text": "y" * (3 * PAGE_BYTES)}},
    }
    [shown] = events_page([huge], 0)["events"]
    text = shown["event"]["result"]["text"]
    assert text.startswith("y" * LONGEST_TEXT) and text.endswith("see the run's result]")
    assert f"[{3 * PAGE_BYTES - LONGEST_TEXT} more characters" in text
    assert shown["kind"] == "sub_agent_event" and json_size(shown) < PAGE_BYTES


def test_approved_arguments_must_be_json() -> None:
    assert wire.arguments_to_json({"n": 1, "tags": ("a",)}) == {"n": 1, "tags": ["a"]}
    with pytest.raises(ConfigurationError, match=r"^arguments\['at'\] is of type object: "):
        wire.arguments_to_json({"at": object()})
