"""The statuses an A2A task's record keeps from before its current one
(``_a2a_statuses``): each status a write replaced, the latest that fit, and the ones a
reader has not seen yet, from the last it saw."""

from __future__ import annotations

from typing import Any

from locus.serve._a2a_statuses import MAX_EARLIER, MAX_EARLIER_BYTES, after, carried


def status(state: str, second: int, text: str = "") -> dict[str, Any]:
    found: dict[str, Any] = {"state": state, "timestamp": f"2026-01-01T00:00:{second:02d}.000000Z"}
    if text:
        found["message"] = {"parts": [{"text": text}]}
    return found


def record(state: dict[str, Any]) -> dict[str, Any]:
    return {"id": "t", "status": state, "bytes": 100}


def test_each_write_that_changes_the_status_keeps_the_one_it_replaced() -> None:
    start, paused, claimed = status("W", 1), status("I", 2), status("W", 3)
    first = carried(None, record(start))
    assert "earlier" not in first
    second = carried(first, record(paused))
    third = carried(second, record(claimed))
    assert third["earlier"] == [start, paused] and third["status"] == claimed
    assert third["bytes"] > second["bytes"] > 100
    again = carried(third, record(claimed))  # (the same status written again)
    assert again["earlier"] == [start, paused]


def test_only_the_latest_that_fit_are_kept() -> None:
    kept: dict[str, Any] | None = None
    for second in range(MAX_EARLIER + 5):
        kept = carried(kept, record(status("W", second)))
    assert kept is not None and len(kept["earlier"]) == MAX_EARLIER
    assert kept["earlier"][-1] == status("W", MAX_EARLIER + 3)
    big = "x" * (MAX_EARLIER_BYTES // 2)
    huge = carried(
        carried(carried(None, record(status("W", 1, big))), record(status("I", 2, big))),
        record(status("W", 3)),
    )
    assert huge["earlier"] == [status("I", 2, big)]  # (the oldest dropped, past the bytes)


def test_a_reader_gets_the_statuses_after_the_last_it_saw_once() -> None:
    start, paused, claimed, done = (status(s, n) for n, s in enumerate("WIWC", 1))
    assert after(start, [start, paused, claimed]) == [paused, claimed]
    assert after(claimed, [start, paused, claimed]) == []
    assert after(status("W", 0), [paused, claimed, done]) == [paused, claimed, done]  # (dropped)
    assert after({"state": "W"}, [claimed]) == [claimed]  # (no time: the current one)
