"""``EventStream`` sends one body message per event, or (``coalesce``) an unpaced stream in
one body message, paced events still one by one (driven as ASGI with a recording ``send``,
no sockets)."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.types import Message

from locus.emulator._faults import Fault
from locus.emulator.wire import EventStream, FaultHooks, Pacing

EVENTS = [{"n": n} for n in range(5)]


def _sent(stream: EventStream) -> list[Message]:
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(stream({"type": "http"}, receive, send))
    return sent


def _stream(pacing: Pacing, fired: list[Fault], fault: Fault | None = None) -> EventStream:
    hooks = FaultHooks(lambda scope: True, fired.append)
    return EventStream(EVENTS, "rid", pacing, hooks, fault, {"error": True})


def _body(sent: list[Message]) -> bytes:
    return b"".join(m.get("body", b"") for m in sent[1:])


def test_by_default_each_event_is_one_body_message() -> None:
    sent = _sent(_stream(Pacing(done_marker=True), []))
    lines = [f'data: {{"n":{n}}}\n\n'.encode() for n in range(5)] + [b"data: [DONE]\n\n"]
    assert [m["body"] for m in sent[1:]] == lines
    assert [m["more_body"] for m in sent[1:]] == [True] * 5 + [False]


def test_an_unpaced_coalesced_stream_is_the_headers_then_one_body_message() -> None:
    sent = _sent(_stream(Pacing(done_marker=True, coalesce=True), []))
    assert sent[0] == {
        "type": "http.response.start",
        "status": 200,
        "headers": [(b"content-type", b"text/event-stream"), (b"opc-request-id", b"rid")],
    }
    assert len(sent) == 2 and sent[1]["more_body"] is False
    lines = [f'data: {{"n":{n}}}\n\n'.encode() for n in range(5)]
    assert sent[1]["body"] == b"".join(lines) + b"data: [DONE]\n\n"


def test_paced_events_are_one_body_message_each() -> None:
    sent = _sent(_stream(Pacing(chunk_delay=0.001, coalesce=True), []))
    assert [m["more_body"] for m in sent[1:]] == [True, True, True, True, False]
    assert _body(sent) == _body(_sent(_stream(Pacing(coalesce=True), [])))


def test_a_fault_in_a_joined_write_still_fires_once() -> None:
    fired: list[Fault] = []
    sent = _sent(_stream(Pacing(coalesce=True), fired, Fault.ERROR_EVENT))
    assert fired == [Fault.ERROR_EVENT] and len(sent) == 2
    assert _body(sent).endswith(b'data: {"error":true}\n\n')


def test_a_reset_sends_what_came_before_it_then_resets() -> None:
    fired: list[Fault] = []
    resets: list[Any] = []

    def abort(scope: Any) -> bool:
        resets.append(scope)
        return True

    hooks = FaultHooks(abort, fired.append)
    sent = _sent(EventStream(EVENTS, "rid", Pacing(coalesce=True), hooks, Fault.RESET_DURING))
    assert _body(sent) == b'data: {"n":0}\n\ndata: {"n":1}\n\n'
    assert sent[-1]["more_body"] is True  # the body never ends: the connection is reset
    assert fired == [Fault.RESET_DURING] and resets == [{"type": "http"}]
