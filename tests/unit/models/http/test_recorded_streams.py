"""Recorded streams give the events they gave before the stream path was made faster.

Each of our emulator's recorded answers (``tests/data/streams``), and variants of it,
is read through ``JsonEventReader``, the GENERIC ``ChatStreamDecoder`` and
``StreamTextCalls`` in many chunkings; the events (or the error) must equal those the
original implementation gave, stored beside the streams.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from benchmarks.stream import RecordedAnswer

from locus.core.messages import ToolCall
from locus.core.response import StreamEvent
from locus.core.toolspec import ToolSpec
from locus.core.usage import Usage
from locus.models.http._sse_reader import JsonEventReader
from locus.models.http._streaming import stream_events
from locus.models.http._textcalls import StreamTextCalls
from locus.models.providers.oci._formats.stream import ChatStreamDecoder

DATA = json.loads(
    (Path(__file__).parents[3] / "data" / "streams" / "emulator_streams.json").read_text("utf-8")
)
TOOLS = [
    ToolSpec(
        "add_two_numbers",
        "Return the sum of two integers.",
        {
            "type": "object",
            "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
            "required": ["a", "b"],
        },
    )
]
_TEXT_CALL_ID = re.compile(r"^call_[0-9a-f]{24}$")


class Ready(RecordedAnswer):
    """A body whose every other chunk is there without a wait (``ready_chunk``)."""

    __slots__ = ("_asked",)

    def __init__(self, chunks: list[bytes]) -> None:
        super().__init__(chunks, all_in=False)
        self._asked = 0

    def ready_chunk(self) -> bytes | None:
        self._asked += 1
        if self._asked % 2:
            return None  # (a read would wait)
        return self._chunks.pop(0) if self._chunks else b""


def variants(body: bytes) -> dict[str, bytes]:
    """The variants of a recorded body the expected events were made for."""
    finish = body.index(b'"finishReason"')
    return {
        "as_sent": body,
        "crlf": body.replace(b"\n", b"\r\n"),
        "done_marker": body + b"data: [DONE]\n\n",
        "non_ascii": body.replace(b"result", "r\u00e9sultat \u2713 \U0001f600".encode()),
        "cut_before_finish": body[:finish].rsplit(b"data: ", 1)[0],
        "bad_json": body.replace(b"\n\ndata: ", b'\n\ndata: {"index":0,\n\ndata: ', 1),
    }


def chunkings(body: bytes, recorded: list[bytes] | None) -> dict[str, list[bytes]]:
    out = {f"bytes_{n}": [body[i : i + n] for i in range(0, len(body), n)] for n in (1, 7, 64)}
    out["whole"] = [body]
    if recorded is not None:
        out["as_recorded"] = recorded
    return out


def _call(call: ToolCall) -> dict[str, Any]:
    call_id = "call_*" if _TEXT_CALL_ID.match(call.id) else call.id
    return {"id": call_id, "name": call.name, "arguments": call.arguments}


def _usage(usage: Usage | None) -> list[int] | None:
    if usage is None:
        return None
    return [usage.prompt_tokens, usage.completion_tokens, usage.total_tokens]


def plain(event: StreamEvent) -> dict[str, Any]:
    """An event as the JSON the expected events are written in."""
    out: dict[str, Any] = {
        "content": event.content,
        "reasoning": event.reasoning,
        "tool_calls": [_call(c) for c in event.tool_calls],
        "done": event.done,
        "usage": _usage(event.usage),
        "stop_reason": event.stop_reason,
    }
    response = event.response
    if response is not None:
        message = response.message
        out["response"] = {
            "content": message.content,
            "reasoning": message.reasoning,
            "tool_calls": [_call(c) for c in message.tool_calls],
            "usage": _usage(response.usage),
            "stop_reason": response.stop_reason,
            "raw_stop_reason": response.raw_stop_reason,
            "model_id": response.model_id,
            "request_id": response.request_id,
        }
    return out


async def outcome(chunks: list[bytes], fmt: str | None, mode: str) -> dict[str, Any]:
    """The events of one read (as JSON), or the error it ended in."""
    answer = Ready(chunks) if mode == "ready" else RecordedAnswer(chunks, all_in=mode == "all_in")
    reader = JsonEventReader(answer, endpoint="http://x")
    decoder = ChatStreamDecoder("GENERIC", model_id="m")
    texts = StreamTextCalls(fmt, TOOLS) if fmt else None
    try:
        events = [event async for event in stream_events(reader, decoder, texts, "rid")]
    except Exception as exc:
        return {"error": type(exc).__name__, "message": str(exc)}
    return {"events": [plain(event) for event in events]}


@pytest.mark.parametrize("key", sorted(DATA["expected"]))
async def test_a_recorded_stream_gives_the_events_it_gave(key: str) -> None:
    name, variant, fmt = key.split("/")
    recorded = [chunk.encode() for chunk in DATA["streams"][name]]
    body = variants(b"".join(recorded))[variant]
    expected = DATA["expected"][key]
    for chunking, chunks in chunkings(body, recorded if variant == "as_sent" else None).items():
        for mode in ("arriving", "all_in", "ready"):
            got = await outcome(chunks, None if fmt == "None" else fmt, mode)
            assert got == expected, (chunking, mode)


def test_every_stream_and_variant_has_expected_events() -> None:
    formats = ("auto", "hermes", "None")
    body = b"".join(chunk.encode() for chunk in DATA["streams"]["native_0"])
    keys = {f"{s}/{v}/{f}" for s in DATA["streams"] for v in variants(body) for f in formats}
    assert keys == set(DATA["expected"])
