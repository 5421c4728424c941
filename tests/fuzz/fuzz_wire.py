"""Fuzz the chat decoders of every wire format with wrong-but-JSON answers and events.

One input is either a whole answer (``complete()``: JSON bytes, the codec's ``decode``,
then the text tool-call parsing) or a stream of up to twelve events (``stream()``: each
event's data through ``json_data``, the format's stream decoder, ``StreamTextCalls``, and
``close()``), built by ``_wire_gen`` with plausible fields, wrong types, missing members,
huge numbers and deep nesting.

Judged by: only ``ResponseError`` / ``StreamError`` escape (they end the answer); an
answer has a dict ``Usage`` of ints, calls with str ids and names and dict arguments, and
can be stored (``dump_messages``, strict JSON) and sent back in the next request; and the
OCI decoder's fast path for the usual text delta gives what its general path gives.

Run: ``.venv/bin/python -m tests.fuzz.fuzz_wire -max_total_time=600 <corpus dir>``.
"""

from __future__ import annotations

import json
from typing import Any

from locus.core.errors import LocusError
from locus.core.messages import Message, dump_messages, load_messages
from locus.core.params import GenerationParams
from locus.core.response import ModelResponse, StreamEvent
from locus.core.toolspec import ToolSpec
from locus.models._openai import OpenAIChatCodec, OpenAIStreamDecoder
from locus.models._wire.accumulator import StreamAccumulator
from locus.models._wire.codec import ChatRequest
from locus.models._wire.json_text import ServerJSONError, loads_server_json
from locus.models._wire.sse import json_data
from locus.models.http._textcalls import StreamTextCalls, parse_response_text
from locus.models.providers.oci._formats import ChatStreamDecoder, OCIChatCodec
from locus.models.providers.oci._formats import stream as oci_stream
from tests.fuzz._json_gen import json_text
from tests.fuzz._support import Provider, fuzz, provider
from tests.fuzz._wire_gen import EVENTS, answer

FORMATS = ["openai", "GENERIC", "COHERE", "COHEREV2"]
TOOLS = [ToolSpec("f", "", {"type": "object"}), ToolSpec("a", "", {"type": "object"})]
_FAST_PATH = oci_stream._plain_text_delta


def same(a: object, b: object) -> bool:
    """Equal, or equal but for NaNs (which are never equal to themselves)."""
    return a == b or repr(a) == repr(b)


def check_response(response: ModelResponse, fmt: str) -> None:
    usage = response.usage
    assert isinstance(usage, dict) and all(type(v) is int for v in usage.values()), usage
    for call in response.message.tool_calls:
        assert isinstance(call.id, str) and isinstance(call.name, str), call
        assert isinstance(call.arguments, dict), call
        assert call.raw_arguments is None or isinstance(call.raw_arguments, str), call
    for text in (response.message.content, response.message.reasoning):
        assert text is None or isinstance(text, str), response
    send_back(response.message, fmt)


def send_back(message: Message, fmt: str) -> None:
    """What the agent does with an answer: store it (strict JSON) and send it in the next
    request. Neither may fail for an answer the decoder accepted."""
    stored = load_messages(dump_messages([message]))
    assert same(stored, [message]), (stored, message)
    request = ChatRequest([Message.user("q"), message, Message.user("q")], TOOLS,
                          GenerationParams(), stream=False, compartment_id="c")  # fmt: skip
    codec = OpenAIChatCodec("m") if fmt == "openai" else OCIChatCodec("m", fmt, dedicated=True)
    json.dumps(codec.encode(request), allow_nan=False)


def decode_answer(body: bytes, fmt: str) -> ModelResponse:
    """What ``HTTPChatModel.complete`` does with a 200's body (``_json_body``, ``decode``)."""
    try:
        value = loads_server_json(body)
    except ServerJSONError as exc:
        raise LocusError(exc.reason) from None  # (the model raises ResponseError)
    if not isinstance(value, dict):
        raise LocusError("not a JSON object")
    if fmt == "openai":
        return OpenAIChatCodec("m").decode(value, None)
    return OCIChatCodec("m", fmt, dedicated=True).decode(value, None)


def check_answer(p: Provider, fmt: str) -> None:
    text = answer(p, fmt) if p.ConsumeIntInRange(0, 7) else json_text(p)
    try:
        response = decode_answer(text.encode(), fmt)
    except LocusError:
        return
    check_response(response, fmt)
    check_response(parse_response_text(response, "auto", TOOLS), fmt)


def stream_decoder(fmt: str) -> StreamAccumulator:
    if fmt == "openai":
        return OpenAIStreamDecoder(model_id=None)
    return ChatStreamDecoder(fmt)


def feed_both(fast: StreamAccumulator, slow: StreamAccumulator, payload: Any) -> list[StreamEvent]:
    """The events of ``payload`` from ``fast``, checked against ``slow`` (no fast path)."""
    try:
        events: list[StreamEvent] | LocusError = fast.feed(payload)
    except LocusError as exc:
        events = exc
    oci_stream._plain_text_delta = lambda data: None
    try:
        expected: list[StreamEvent] | LocusError = slow.feed(payload)
    except LocusError as exc:
        expected = exc
    finally:
        oci_stream._plain_text_delta = _FAST_PATH
    if isinstance(events, LocusError):
        assert isinstance(expected, LocusError), (payload, expected)
        raise events
    assert same(events, expected), (payload, events, expected)
    return events


def check_stream(p: Provider, fmt: str) -> None:
    fast, slow = stream_decoder(fmt), stream_decoder(fmt)
    texts = StreamTextCalls("auto", TOOLS)
    shown: list[StreamEvent] = []
    try:
        for _ in range(p.ConsumeIntInRange(0, 12)):
            data = EVENTS[fmt](p) if p.ConsumeIntInRange(0, 7) else json_text(p)
            payload = json_data(data)
            if payload is not None:
                for event in feed_both(fast, slow, payload):
                    shown += texts.feed(event)
        final = fast.close()
    except LocusError:
        return
    assert final.done and final.response is not None
    check_response(final.response, fmt)
    shown += texts.finish(final)
    assert shown[-1].response is not None
    check_response(shown[-1].response, fmt)


def check(p: Provider) -> None:
    """One whole answer or one stream, in a format ``p`` picks."""
    fmt = FORMATS[p.ConsumeIntInRange(0, len(FORMATS) - 1)]
    if p.ConsumeIntInRange(0, 3):
        check_stream(p, fmt)
    else:
        check_answer(p, fmt)


def test_one_input(data: bytes) -> None:
    check(provider(data))


if __name__ == "__main__":
    fuzz(test_one_input)
