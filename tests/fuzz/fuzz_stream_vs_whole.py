"""Fuzz the stream decoders against the whole-answer decoders with the same answer.

One input is an answer (text, and calls whose arguments are JSON objects, text that is
not JSON, or objects encoded twice) in one wire format, written twice: as the whole
answer ``complete()`` reads, and as the stream ``stream()`` reads (the text in deltas,
each call's arguments in pieces, ids on the first piece or on every piece). The COHERE
answer is also streamed to a GENERIC decoder (a DAC's default format), whose events say
``apiFormat: COHERE``.

Judged by: the stream's final answer has the same text and the same calls (ids, names,
arguments, raw arguments) as the whole answer: no call lost, merged or changed.

Run: ``.venv/bin/python -m tests.fuzz.fuzz_stream_vs_whole -max_total_time=600 <dir>``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from locus.core.messages import ToolCall
from locus.core.response import ModelResponse
from locus.models._openai import OpenAIStreamDecoder, decode_openai_chat
from locus.models._wire.accumulator import StreamAccumulator
from locus.models.providers.oci._formats import ChatStreamDecoder, decode_chat_result
from tests.fuzz._json_gen import json_text
from tests.fuzz._support import Provider, chunks, fuzz, provider

FORMATS = ["openai", "GENERIC", "COHEREV2", "COHERE"]
_LONGEST = 700
"""Arguments text is cut there (deep nesting still passes the 256-level limit): a 10 kB
one in pieces of a few characters made thousands of events, and a slow target."""
Call = tuple[str, str, Any]  # (id, name, arguments: text, or an object for COHERE)


def arguments_text(p: Provider) -> str:
    """A JSON object, text that is not JSON (with no whole object before its end), or an
    object encoded twice."""
    kind = p.ConsumeIntInRange(0, 5)
    if kind == 0:
        return p.ConsumeUnicodeNoSurrogates(12).replace("}", "")
    value = json_text(p)[:_LONGEST]  # (cut: not JSON any more, and never whole too early)
    text = value if value.startswith("{") else '{"v": ' + value + "}"
    return json.dumps(text) if kind == 1 else text


def answer(p: Provider, fmt: str) -> tuple[str, list[Call]]:
    text = p.ConsumeUnicodeNoSurrogates(p.ConsumeIntInRange(0, 24))
    calls: list[Call] = []
    for n in range(p.ConsumeIntInRange(0, 3)):
        name = ["f", "get_weather", "g"][p.ConsumeIntInRange(0, 2)]
        args: Any = arguments_text(p)
        if fmt == "COHERE":
            try:
                args = json.loads(args)
            except (ValueError, RecursionError):
                args = {"text": args}
            if not isinstance(args, dict):
                args = {"v": args}
        calls.append((f"call_{n}" if fmt != "COHERE" else f"cohere_call_{n}", name, args))
    return text, calls


def whole(fmt: str, text: str, calls: list[Call]) -> ModelResponse:
    """What ``complete()`` decodes for the answer."""
    if fmt == "openai":
        wire = [
            {"id": i, "type": "function", "function": {"name": n, "arguments": a}}
            for i, n, a in calls
        ]
        message = {"role": "assistant", "content": text, "tool_calls": wire}
        return decode_openai_chat({"choices": [{"message": message, "finish_reason": "stop"}]})
    chat: dict[str, Any] = {"apiFormat": fmt, "finishReason": "COMPLETE"}
    content = [{"type": "TEXT", "text": text}]
    if fmt == "COHERE":
        chat |= {"text": text, "toolCalls": [{"name": n, "parameters": a} for _, n, a in calls]}
    elif fmt == "GENERIC":
        generic = [{"id": i, "type": "FUNCTION", "name": n, "arguments": a} for i, n, a in calls]
        message = {"role": "ASSISTANT", "content": content, "toolCalls": generic}
        chat["choices"] = [{"message": message, "finishReason": "stop"}]
    else:
        v2 = [
            {"id": i, "type": "FUNCTION", "function": {"name": n, "arguments": a}}
            for i, n, a in calls
        ]
        chat["message"] = {"role": "ASSISTANT", "content": content, "toolCalls": v2}
    return decode_chat_result({"chatResponse": chat})


def events(p: Provider, fmt: str, text: str, calls: list[Call]) -> list[dict[str, Any]]:
    seed, every_id = p.ConsumeIntInRange(0, 65535), p.ConsumeBool()
    out = [_text_event(fmt, piece) for piece in chunks(text, seed)]
    if fmt == "COHERE":
        cohere = [{"name": n, "parameters": a} for _, n, a in calls]
        end = {"apiFormat": "COHERE", "text": text, "toolCalls": cohere, "finishReason": "COMPLETE"}
        return [*out, end]
    for index, (call_id, name, args) in enumerate(calls):
        for k, piece in enumerate(chunks(args, seed + index) if args else [""]):
            first = k == 0
            out.append(_fragment(fmt, index, call_id if first or every_id else None,
                                 name if first else None, piece))  # fmt: skip
    return [*out, _finish(fmt)]


def _text_event(fmt: str, piece: str) -> dict[str, Any]:
    if fmt == "openai":
        return {"choices": [{"index": 0, "delta": {"content": piece}}]}
    if fmt == "COHERE":
        return {"apiFormat": "COHERE", "text": piece}
    message = {"role": "ASSISTANT", "content": [{"type": "TEXT", "text": piece}]}
    return {"index": 0, "message": message} | ({"apiFormat": fmt} if fmt == "COHEREV2" else {})


def _fragment(fmt: str, index: int, call_id: str | None, name: str | None, piece: str) -> Any:
    function = {"arguments": piece} | ({"name": name} if name else {})
    if fmt == "openai":
        fragment = {"index": index, "function": function} | ({"id": call_id} if call_id else {})
        return {"choices": [{"index": 0, "delta": {"tool_calls": [fragment]}}]}
    call: dict[str, Any] = {"type": "FUNCTION"} | ({"id": call_id} if call_id else {})
    call |= {"function": function} if fmt == "COHEREV2" else function
    event = {"index": 0, "message": {"role": "ASSISTANT", "toolCalls": [call]}}
    return event | ({"apiFormat": fmt} if fmt == "COHEREV2" else {})


def _finish(fmt: str) -> dict[str, Any]:
    if fmt == "openai":
        return {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
    return {"index": 0, "message": {"role": "ASSISTANT"}, "finishReason": "stop"}


def streamed(decoder: StreamAccumulator, stream: list[dict[str, Any]]) -> ModelResponse:
    for event in stream:
        decoder.feed(event)
    response = decoder.close().response
    assert response is not None
    return response


_GIVEN_BY_LOCUS = re.compile(r"(cohere_)?call_[0-9a-f]{24}")
"""The ids Locus gives calls sent without one (``new_call_id``: random, so a stream's
differ from the whole answer's)."""


def _calls(calls: list[ToolCall]) -> list[tuple[str, str, str]]:
    def shown(call_id: str) -> str:
        return "<given by Locus>" if _GIVEN_BY_LOCUS.fullmatch(call_id) else call_id

    return [(shown(c.id), c.name, repr((c.arguments, c.raw_arguments))) for c in calls]


def check(p: Provider) -> None:
    fmt = FORMATS[p.ConsumeIntInRange(0, len(FORMATS) - 1)]
    text, calls = answer(p, fmt)
    want = whole(fmt, text, calls)
    stream = events(p, fmt, text, calls)
    decoders: list[StreamAccumulator] = [
        OpenAIStreamDecoder() if fmt == "openai" else ChatStreamDecoder(fmt)
    ]
    if fmt == "COHERE":
        decoders.append(ChatStreamDecoder("GENERIC"))  # (the events say apiFormat: COHERE)
    for decoder in decoders:
        got = streamed(decoder, stream)
        assert got.message.content == want.message.content, (fmt, got, want)
        assert _calls(got.tool_calls) == _calls(want.tool_calls), (fmt, stream, got, want)


def test_one_input(data: bytes) -> None:
    check(provider(data))


if __name__ == "__main__":
    fuzz(test_one_input)
