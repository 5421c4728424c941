"""Property tests: no input makes the decoders raise anything but our typed errors."""

from __future__ import annotations

import contextlib
import itertools
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from locus.core.errors import ResponseError, StreamError
from locus.models._openai import OpenAIStreamDecoder, decode_openai_chat
from locus.models._wire.sse import SSEDecoder, json_payload
from locus.models.providers.oci._formats import ApiFormat, ChatStreamDecoder, decode_chat_result

KEYS = [
    "apiFormat", "chatResponse", "choices", "message", "content", "type", "text", "toolCalls",
    "id", "name", "arguments", "parameters", "function", "finishReason", "usage",
    "promptTokens", "completionTokens", "totalTokens", "completionTokensDetails",
    "reasoningTokens", "reasoningContent", "index", "thinking", "toolPlan", "errorMessage",
    "modelId", "delta", "tool_calls", "finish_reason", "prompt_tokens", "reasoning", "error",
]  # fmt: skip
VALUES = ["GENERIC", "COHERE", "COHEREV2", "TEXT", "THINKING", "stop", "ERROR", "{", "{}"]

scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True)
    | st.text(max_size=8)
    | st.sampled_from(VALUES)
)
wire = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=4), inner, max_size=6)
    ),
    max_leaves=30,
)
objects = st.dictionaries(st.sampled_from(KEYS), wire, max_size=6)

FAST = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(st.binary(max_size=300), st.lists(st.integers(0, 300), max_size=6))
def test_sse_decoder_never_raises(body: bytes, cuts: list[int]) -> None:
    decoder = SSEDecoder()
    bounds = [0, *sorted(c for c in cuts if c <= len(body)), len(body)]
    events = []
    for start, end in itertools.pairwise(bounds):
        events += decoder.feed(body[start:end])
    events += decoder.close()
    for event in events:
        with contextlib.suppress(StreamError):
            json_payload(event)


@FAST
@given(st.binary(max_size=200), st.integers(1, 199))
def test_sse_split_does_not_change_events(body: bytes, cut: int) -> None:
    whole = SSEDecoder()
    expected = whole.feed(body) + whole.close()
    split = SSEDecoder()
    assert split.feed(body[:cut]) + split.feed(body[cut:]) + split.close() == expected


@FAST
@given(wire, objects)
def test_decode_chat_result_raises_only_response_error(body: Any, chat: dict[str, Any]) -> None:
    for candidate in (body, {"modelId": "m", "chatResponse": chat}):
        with contextlib.suppress(ResponseError):
            decode_chat_result(candidate)


@FAST
@given(st.sampled_from(list(ApiFormat)), st.lists(objects | wire, max_size=6))
def test_chat_stream_decoder_raises_only_stream_error(
    api_format: ApiFormat, events: list[Any]
) -> None:
    decoder = ChatStreamDecoder(api_format)
    for event in events:
        with contextlib.suppress(StreamError):
            decoder.feed(event)
    with contextlib.suppress(StreamError):
        decoder.close()


@FAST
@given(wire, objects, st.lists(objects | wire, max_size=6))
def test_openai_decoders_raise_only_typed_errors(
    body: Any, choice: dict[str, Any], chunks: list[Any]
) -> None:
    for candidate in (body, {"choices": [choice]}):
        with contextlib.suppress(ResponseError):
            decode_openai_chat(candidate)
    decoder = OpenAIStreamDecoder()
    for chunk in [*chunks, {"choices": [choice]}]:
        with contextlib.suppress(StreamError):
            decoder.feed(chunk)
    with contextlib.suppress(StreamError):
        decoder.close()
