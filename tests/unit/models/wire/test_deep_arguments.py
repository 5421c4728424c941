"""Tool-call arguments (and error objects) nested near the interpreter's recursion limit.

Found by fuzzing the decoders with deeply nested JSON (tests/fuzz/fuzz_wire.py,
fuzz_arguments.py): JSON that ``json.loads`` just managed to decode failed a few frames
deeper with a raw ``RecursionError`` when it was written out again — an OCI stream
fragment whose ``arguments`` was an object (``json.dumps``), an OpenAI error event
(``str``), and, after a clean decode, ``dump_messages`` and the next request's body.

Whether a given depth fails depends on the stack depth of the caller, so each test tries
every depth from ``MAX_NESTING`` to 1,000: at each one that decodes, nothing but our typed errors
may come out, and arguments deeper than ``MAX_NESTING`` are kept raw like invalid JSON.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import pytest

from locus.core._json_values import (
    MAX_DECODED_NESTING,
    MAX_NESTING,
    decoded_too_deep,
    nests_deeper_than,
)
from locus.core.errors import LocusError, SerializationError, StreamError
from locus.core.messages import Message, ToolCall, dump_messages
from locus.core.params import GenerationParams
from locus.models._openai import OpenAIStreamDecoder, decode_openai_chat, encode_openai_chat
from locus.models._wire.arguments import parse_arguments
from locus.models._wire.json_text import ServerJSONError, loads_server_json
from locus.models._wire.object_scan import parse_object
from locus.models._wire.sse import json_data
from locus.models.providers.oci._formats import ChatStreamDecoder, decode_chat_result

DEPTHS = range(MAX_NESTING + 1, 1000)


def nested(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


def each_depth(
    body: Callable[[int], str], use: Callable[[Any], object], *, stream: bool = False
) -> int:
    """Decode ``body(depth)`` as the SDK does (a stream event with ``json_data``, a whole
    answer with ``loads_server_json``) and ``use`` it, at every depth; the number of
    depths that decoded."""
    decoded = 0
    for depth in DEPTHS:
        try:
            value = json_data(body(depth)) if stream else loads_server_json(body(depth))
        except (ServerJSONError, StreamError):
            continue
        decoded += 1
        with contextlib.suppress(LocusError):
            use(value)
    return decoded


def next_request(message: Message) -> None:
    """What the agent does with an answer: store it, and send it back in the next call."""
    dump_messages([message])
    encode_openai_chat(
        model="m", messages=[message], tools=[], params=GenerationParams(), stream=False
    )


def oci_stream(event: dict[str, Any]) -> Message:
    decoder = ChatStreamDecoder("GENERIC")
    decoder.feed(event)
    decoder.feed({"index": 0, "finishReason": "tool_calls"})
    response = decoder.close().response
    assert response is not None
    return response.message


def test_oci_stream_arguments_object_never_raises_recursion_error() -> None:
    def body(depth: int) -> str:
        call = f'{{"id":"c","type":"FUNCTION","name":"f","arguments":{nested(depth)}}}'
        return f'{{"index":0,"message":{{"role":"ASSISTANT","toolCalls":[{call}]}}}}'

    assert each_depth(body, lambda event: next_request(oci_stream(event)), stream=True)


def test_oci_stream_arguments_text_too_deep_is_kept_raw() -> None:
    for depth in (MAX_NESTING + 1, 600, 950):
        call = {"id": "c", "name": "f", "arguments": nested(depth)}
        message = oci_stream({"index": 0, "message": {"toolCalls": [call]}})
        (got,) = message.tool_calls
        assert (got.arguments, got.raw_arguments) == ({}, nested(depth))
        next_request(message)


def test_openai_whole_answer_arguments_never_raise_recursion_error() -> None:
    def body(depth: int) -> str:
        call = f'{{"id":"c","function":{{"name":"f","arguments":{nested(depth)}}}}}'
        return f'{{"choices":[{{"message":{{"tool_calls":[{call}]}}}}]}}'

    assert each_depth(body, lambda answer: next_request(decode_openai_chat(answer).message))


def test_cohere_parameters_too_deep_are_kept_raw() -> None:
    def body(depth: int) -> str:
        calls = f'[{{"name":"f","parameters":{nested(depth)}}}]'
        return f'{{"chatResponse":{{"apiFormat":"COHERE","toolCalls":{calls}}}}}'

    def use(answer: Any) -> None:
        message = decode_chat_result(answer).message
        (call,) = message.tool_calls
        assert call.arguments == {} and call.raw_arguments is not None
        assert "nested too deeply" in call.raw_arguments
        next_request(message)

    assert each_depth(body, use)


def test_openai_error_event_nested_deeply_is_a_stream_error() -> None:
    event = OpenAIStreamDecoder().feed
    assert each_depth(lambda depth: f'{{"error":{nested(depth)}}}', event, stream=True)


def test_arguments_at_the_limit_are_kept_and_one_deeper_are_raw() -> None:
    at_limit, deeper = nested(MAX_NESTING), nested(MAX_NESTING + 1)
    assert parse_arguments(at_limit)[1] is None and parse_object(at_limit) is not None
    assert parse_arguments(deeper) == ({}, deeper) and parse_object(deeper) is None
    assert not nests_deeper_than(json_data(at_limit)) and nests_deeper_than(json_data(deeper))


def test_dump_messages_of_arguments_too_deep_to_encode_is_a_serialization_error() -> None:
    arguments: dict[str, Any] = {}
    inner = arguments
    for _ in range(50_000):  # (past every encoder's limit: 3.13's is 10,000 levels)
        inner["a"] = {}
        inner = inner["a"]
    message = Message.assistant(None, [ToolCall("c", "f", arguments)])
    with pytest.raises(SerializationError, match="nested too deeply"):
        dump_messages([message])


def test_json_deeper_than_the_decoding_limit_is_refused_on_every_python() -> None:
    # 3.12's parser decodes 1,500 levels, 3.13's 10,000: the limit is ours, not the parser's
    def value(depth: int) -> list[Any]:
        inner: list[Any] = []
        for _ in range(depth - 1):
            inner = [inner]
        return inner

    at_limit, deeper = value(MAX_DECODED_NESTING), value(MAX_DECODED_NESTING + 1)
    brackets = "[" * 2000  # (enough for the value to be walked)
    assert decoded_too_deep(brackets, deeper) and not decoded_too_deep(brackets, at_limit)
    assert not decoded_too_deep("[]", deeper)  # (text that cannot nest so deep)
    with pytest.raises(ServerJSONError) as caught:
        loads_server_json('{"a": ' + "[" * 2000 + "]" * 2000 + "}")
    assert caught.value.too_deep
