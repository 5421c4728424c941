"""The event-stream plan: what is sent, in order, and what each stream fault changes.

The plan is pure (no I/O), so the fault semantics documented in docs/emulator.md are
pinned here piece by piece; the integration tests check them through real clients.
"""

from __future__ import annotations

import json

import pytest

from locus.emulator._faults import Fault
from locus.emulator.wire import Pacing, Piece, coalesce, plan_stream
from locus.emulator.wire._stream import stream_writes

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


# -- writes: pieces sent at the same instant go out together ------------------------------

PACINGS = [
    Pacing(),
    Pacing(done_marker=True),
    Pacing(chunk_delay=0.1),
    Pacing(chunk_delay=0.1, done_marker=True),
    Pacing(hold_open=2.0),
    Pacing(chunk_delay=0.1, hold_open=2.0, done_marker=True),
]
FAULTS = [None, *Fault]


def _bytes(pieces: list[Piece]) -> bytes:
    return b"".join(piece.data for piece in pieces)


@pytest.mark.parametrize("count", [0, 1, 2, 5])
@pytest.mark.parametrize("pacing", PACINGS)
@pytest.mark.parametrize("fault", FAULTS)
def test_writes_are_the_plan_coalesced(count: int, pacing: Pacing, fault: Fault | None) -> None:
    events = [{"n": n} for n in range(count)]
    plan = plan_stream(events, pacing, fault, ERROR)
    writes = stream_writes(events, pacing, fault, ERROR)
    assert writes == coalesce(plan)
    assert _bytes(writes) == _bytes(plan)  # the same bytes, in fewer writes
    assert [p.fault for p in writes if p.fault] == [p.fault for p in plan if p.fault]
    assert [p.reset for p in writes] == ([False] * (len(writes) - 1) + [plan[-1].reset])
    assert sum(p.delay for p in writes) == sum(p.delay for p in plan)  # no pause is lost
    assert sum(p.last for p in writes) == sum(p.last for p in plan) <= 1


def test_an_unpaced_stream_is_one_write() -> None:
    writes = stream_writes(EVENTS, Pacing(done_marker=True))
    assert writes == [
        Piece(b"".join(p.data for p in plan_stream(EVENTS, Pacing(done_marker=True))), last=True)
    ]
    assert _data(plan_stream(EVENTS, Pacing())) == EVENTS  # the plan itself is unchanged


def test_paced_events_are_written_one_by_one() -> None:
    writes = stream_writes(EVENTS, Pacing(chunk_delay=0.1, done_marker=True))
    assert [p.delay for p in writes] == [0.0, 0.1, 0.1, 0.1]
    assert writes[-1].data.endswith(b"data: [DONE]\n\n")  # sent with the last event
    assert [p.last for p in writes] == [False, False, False, True]


def test_a_reset_is_never_joined_and_what_precedes_it_is_sent_first() -> None:
    writes = stream_writes(EVENTS, Pacing(), Fault.RESET_DURING)
    assert [p.reset for p in writes] == [False, True]
    assert _bytes(writes[:1]) == _bytes(plan_stream(EVENTS[:2], Pacing()))
    assert writes[-1] == Piece(reset=True, fault=Fault.RESET_DURING)


def test_a_fault_piece_keeps_its_fault_when_joined() -> None:
    writes = stream_writes(EVENTS, Pacing(), Fault.MALFORMED_EVENT)
    assert len(writes) == 1 and writes[0].fault is Fault.MALFORMED_EVENT and writes[0].last
    held = stream_writes(EVENTS, Pacing(hold_open=2.0), Fault.ERROR_EVENT, ERROR)
    assert [(p.fault, p.last) for p in held] == [(Fault.ERROR_EVENT, True)]  # errors do not hold


def test_two_faults_never_share_a_write() -> None:
    pieces = [Piece(b"a", fault=Fault.MALFORMED_EVENT), Piece(b"b", fault=Fault.ERROR_EVENT)]
    assert coalesce(pieces) == pieces
    assert coalesce([Piece(b"a", last=True), Piece(b"b")]) == [Piece(b"a", last=True), Piece(b"b")]
