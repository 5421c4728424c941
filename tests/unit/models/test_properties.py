"""Property tests the format tests do not cover: whole requests and the HTTP event reader.

- Any list of ``Message``s, tool specs and parameters, in every OCI format (and the
  OpenAI mapping), either encodes to a body that serialises exactly the way the model
  sends it (JSON, UTF-8) or raises ``ConfigurationError``.
- Any body, split anywhere, read by ``JsonEventReader`` from a real ``httpx.Response``
  and decoded by ``ChatStreamDecoder`` raises nothing but ``StreamError``.
- The SSE decoder's size limits hold for any input: ``StreamError``, never more memory.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from locus.core.errors import ConfigurationError, StreamError
from locus.core.messages import ImagePart, Message, ToolCall
from locus.core.params import GenerationParams
from locus.core.toolspec import ToolSpec
from locus.models._openai import OpenAIStreamDecoder, encode_openai_chat
from locus.models._wire.sse import SSEDecoder
from locus.models.http import BODY_SOURCE
from locus.models.http._sse_reader import JsonEventReader
from locus.models.providers.oci._formats import (
    ApiFormat,
    ChatStreamDecoder,
    encode_chat_details,
    serving_mode,
)

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

texts = st.text(max_size=12)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=10,
)
calls = st.builds(
    ToolCall,
    id=st.sampled_from(["c1", "c2", ""]) | texts,
    name=st.sampled_from(["add", "get_weather"]) | texts,
    arguments=st.dictionaries(texts, json_values, max_size=3),
)
images = st.builds(
    ImagePart,
    url=st.sampled_from(["https://example.com/a.png", "data:image/png;base64,iVBORw0KGgo="])
    | texts,
    detail=st.sampled_from(["auto", "low", "high"]),
)
messages = st.builds(
    Message,
    role=st.sampled_from(["system", "user", "assistant", "tool"]),
    content=st.none() | texts,
    tool_calls=st.lists(calls, max_size=3),
    tool_call_id=st.none() | st.sampled_from(["c1", "c2"]) | texts,
    name=st.none() | st.sampled_from(["add"]) | texts,
    reasoning=st.none() | texts,
    images=st.lists(images, max_size=2).map(tuple),
    is_error=st.booleans(),
)
schemas = st.dictionaries(
    st.sampled_from(["type", "properties", "required", "$defs", "$ref", "items", "anyOf"]),
    json_values,
    max_size=4,
)
specs = st.builds(
    ToolSpec, name=st.sampled_from(["add", "get_weather"]) | texts, description=texts,
    parameters=schemas,
)  # fmt: skip
params = st.builds(
    GenerationParams,
    max_tokens=st.none() | st.integers(1, 5000),  # (0 and less: refused when made)
    temperature=st.none() | st.floats(0, 2),
    top_k=st.none() | st.integers(-1, 100),
    stop=st.none() | st.lists(texts, max_size=2).map(tuple),
    seed=st.none() | st.integers(0, 2**31),
    tool_choice=st.none() | st.sampled_from(["auto", "none", "required", "add"]) | texts,
    parallel_tool_calls=st.none() | st.booleans(),
    response_format=st.none()
    | st.sampled_from(["text", "json_object"])
    | st.fixed_dictionaries({"name": texts, "schema": schemas}),
    reasoning_effort=st.none() | st.sampled_from(["low", "high"]),
)


def as_sent(body: dict[str, Any]) -> bytes:
    """Serialise ``body`` exactly as ``HTTPChatModel`` does before sending it."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@FAST
@given(
    st.sampled_from(list(ApiFormat)),
    st.booleans(),
    st.lists(messages, max_size=5),
    st.lists(specs, max_size=3),
    params,
    st.booleans(),
)
def test_any_request_encodes_to_sendable_json_or_a_configuration_error(
    api_format: ApiFormat,
    dedicated: bool,
    history: list[Message],
    tools: list[ToolSpec],
    generation: GenerationParams,
    stream: bool,
) -> None:
    model = "ocid1.generativeaiendpoint.oc1.us-chicago-1.aaaa" if dedicated else "cohere.command-a"
    try:
        body = encode_chat_details(
            compartment_id="ocid1.compartment.oc1..aaaa",
            serving_mode=serving_mode(model, dedicated=dedicated),
            api_format=api_format,
            messages=history,
            tools=tools,
            params=generation,
            stream=stream,
        )
    except ConfigurationError:
        return
    assert json.loads(as_sent(body)) == json.loads(json.dumps(body))
    assert body["chatRequest"]["apiFormat"] == api_format.value


@FAST
@given(st.lists(messages, max_size=5), st.lists(specs, max_size=3), params, st.booleans())
def test_any_request_encodes_to_sendable_openai_json_or_a_configuration_error(
    history: list[Message], tools: list[ToolSpec], generation: GenerationParams, stream: bool
) -> None:
    try:
        body = encode_openai_chat(
            model="m", messages=history, tools=tools, params=generation, stream=stream
        )
    except ConfigurationError:
        return
    assert json.loads(as_sent(body))["model"] == "m"


def _split(body: bytes, cuts: list[int]) -> list[bytes]:
    bounds = [0, *sorted(c for c in cuts if c <= len(body)), len(body)]
    return [body[a:b] for a, b in itertools.pairwise(bounds)]


async def _read_all(
    parts: list[bytes], wire: ApiFormat | None, *, direct: bool = False
) -> list[dict[str, Any]]:
    """Every payload read; ``direct`` reads through a ``BodySource`` instead of httpx."""
    stream = _Stream(parts)
    extensions = {BODY_SOURCE: stream} if direct else {}
    response = httpx.Response(200, stream=stream, extensions=extensions)
    reader = JsonEventReader(response, endpoint="http://test", grace=0.01)
    decoder = OpenAIStreamDecoder() if wire is None else ChatStreamDecoder(wire)
    seen: list[dict[str, Any]] = []
    try:
        payload = await reader.next()
        while payload is not None:
            seen.append(payload)
            decoder.feed(payload)
            payload = await reader.next()
        decoder.close()
    finally:
        await reader.aclose()
    return seen


async def _outcome(parts: list[bytes], wire: ApiFormat | None, *, direct: bool) -> object:
    try:
        return await _read_all(parts, wire, direct=direct)
    except StreamError as exc:
        return str(exc)


class _Stream(httpx.AsyncByteStream):
    """A response body made of fixed chunks (what the network delivered)."""

    def __init__(self, parts: list[bytes]) -> None:
        self.parts = parts

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for part in self.parts:
            yield part

    # also a BodySource (locus.models.http.BodySource), for readers that take the direct path
    async def read_chunk(self) -> bytes:
        while self.parts:
            part = self.parts.pop(0)
            if part:
                return part
        return b""

    def received_all(self) -> bool:
        return True


EVENT_LINES = [
    b'data: {"index":0,"message":{"role":"ASSISTANT","content":[{"type":"TEXT","text":"hi"}]}}\n\n',
    b'data: {"index":0,"finishReason":"stop","message":{"role":"ASSISTANT"}}\n\n',
    b'data: {"usage":{"promptTokens":1,"completionTokens":2,"totalTokens":3}}\n\n',
    b'data: {"text":"hi","finishReason":"COMPLETE"}\n\n',
    b'data: {"choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":"stop"}]}\n\n',
    b"data: [DONE]\n\n",
    b": comment\n",
    b"event: x\nid: 1\nretry: 5\n",
    b"data: {\n\n",
    b"data: [1,2]\n\n",
    b"\r\n",
]


@FAST
@given(
    st.lists(st.sampled_from(EVENT_LINES) | st.binary(max_size=20), max_size=8),
    st.lists(st.integers(0, 400), max_size=6),
    st.sampled_from([*ApiFormat, None]),
)
def test_event_reader_and_stream_decoders_raise_only_stream_errors(
    pieces: list[bytes], cuts: list[int], wire: ApiFormat | None
) -> None:
    """``wire`` is an OCI api format, or ``None`` for OpenAI chat-completions chunks.

    Read through httpx's iterators or straight from a ``BodySource``, the outcome is the
    same: the same payloads, or the same ``StreamError``.
    """
    parts = _split(b"".join(pieces), cuts)
    via_httpx = asyncio.run(_outcome(list(parts), wire, direct=False))
    direct = asyncio.run(_outcome(list(parts), wire, direct=True))
    assert direct == via_httpx


@FAST
@given(st.binary(max_size=400), st.integers(1, 40), st.integers(1, 80))
def test_sse_size_limits_hold_for_any_input(body: bytes, max_line: int, max_event: int) -> None:
    decoder = SSEDecoder(max_line_size=max_line, max_event_size=max_event)
    try:
        events = decoder.feed(body) + decoder.close()
    except StreamError:
        return
    for event in events:
        assert len(event.data) <= max_event
    assert len(decoder._line) <= max_line
