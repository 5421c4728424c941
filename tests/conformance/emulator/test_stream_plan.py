"""The event-stream plan: what is sent, in order, and what each stream fault changes.

The plan is pure (no I/O), so the fault semantics documented in docs/emulator.md are
pinned here piece by piece; the integration tests check them through real clients.
"""

from __future__ import annotations

import json

from locus.emulator._faults import Fault
from locus.emulator.wire import Pacing, Piece, plan_stream

EVENTS = [{"n": n} for n in range(4)]
ERROR = {"finishReason": "ERROR"}


def _data(pieces: list[Piece]) -> list[object]:
    """Each piece's data as JSON (or its raw text when it is not JSON, "" for none)."""
    decoded: list[object] = []
    for piece in pieces:
        text = piece.data.decode().removeprefix("data: ").strip()
        try:
            decoded.append(json.loads(text) if text else "")
        except ValueError:
            decoded.append(text)
    return decoded


def test_plain_stream_ends_with_its_last_event() -> None:
    plan = plan_stream(EVENTS, Pacing(chunk_delay=0.1))
    assert _data(plan) == EVENTS
    assert [p.delay for p in plan] == [0.0, 0.1, 0.1, 0.1]
    assert [p.last for p in plan] == [False, False, False, True]
    assert not any(p.reset or p.fault for p in plan)


def test_done_marker_and_hold_open_come_after_the_events() -> None:
    plan = plan_stream(EVENTS, Pacing(chunk_delay=0.1, hold_open=2.0, done_marker=True))
    assert _data(plan) == [*EVENTS, "[DONE]", ""]
    assert [p.delay for p in plan][-2:] == [0.0, 2.0]  # no pause before [DONE]
    assert [p.last for p in plan][-2:] == [False, True]


def test_reset_during_stops_halfway_without_an_end() -> None:
    plan = plan_stream(EVENTS, Pacing(chunk_delay=0.1, hold_open=2.0), Fault.RESET_DURING)
    assert _data(plan) == [*EVENTS[:2], ""]
    assert plan[-1] == Piece(delay=0.1, reset=True, fault=Fault.RESET_DURING)
    assert not any(p.last for p in plan)


def test_malformed_event_is_inserted_halfway() -> None:
    plan = plan_stream(EVENTS, Pacing(chunk_delay=0.1), Fault.MALFORMED_EVENT)
    data = _data(plan)
    assert data[:2] + data[3:] == EVENTS
    assert isinstance(data[2], str) and data[2].startswith('{"index":0')
    assert (plan[2].fault, plan[2].delay, plan[3].delay) == (Fault.MALFORMED_EVENT, 0.1, 0.0)
    assert plan[-1].last


def test_error_event_replaces_the_rest_and_is_not_held() -> None:
    pacing = Pacing(hold_open=2.0, done_marker=True)
    plan = plan_stream(EVENTS, pacing, Fault.ERROR_EVENT, ERROR)
    assert _data(plan) == [*EVENTS[:2], ERROR]
    assert (plan[-1].fault, plan[-1].last) == (Fault.ERROR_EVENT, True)


def test_other_faults_leave_the_stream_alone() -> None:
    plain = plan_stream(EVENTS, Pacing())
    for fault in (Fault.SERVICE_UNAVAILABLE, Fault.SLOW_FIRST_BYTE, Fault.ERROR_EVENT):
        assert plan_stream(EVENTS, Pacing(), fault) == plain  # error_event needs its event
