"""The OCI native codecs against the SDK-produced fixtures in tests/data/oci/fixtures.

Request bodies must equal the fixture for the same logical request (key order aside).
Two documented normalisations: a fixture without ``isStream`` means ``false`` (we
always send it), and ``req_cohere_chat_stream_docs.json`` carries its system prompt as
a SYSTEM history turn where we send a leading system message as ``preambleOverride``.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any, Literal, cast

import pytest

from locus.core.messages import Message, ToolCall
from locus.core.params import GenerationParams
from locus.core.toolspec import ToolSpec
from locus.models._wire.sse import SSEDecoder, json_payload
from locus.models.providers.oci._formats import (
    ApiFormat,
    ChatStreamDecoder,
    decode_chat_result,
    encode_chat_details,
    serving_mode,
)

COMPARTMENT = "ocid1.compartment.oc1..aaaaaaaaexamplecompartmentxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
ENDPOINT = (
    "ocid1.generativeaiendpoint.oc1.us-chicago-1."
    "amaaaaaaexampleendpointxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
)
WEATHER = ToolSpec(
    "get_weather",
    "Get current weather for a city",
    {
        "type": "object",
        "properties": {
            "city": {"type": "string", "description": "City name"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        },
        "required": ["city"],
    },
)
COHERE_WEATHER = ToolSpec(
    "get_weather",
    "Get current weather for a city",
    {
        "type": "object",
        "properties": {
            "city": {"type": "string", "description": "City name"},
            "unit": {"type": "string", "description": "celsius or fahrenheit"},
        },
        "required": ["city"],
    },
)
CAPITAL = [
    Message.system("You are a terse assistant."),
    Message.user("What is the capital of France?"),
]
CAPITAL_PARAMS = GenerationParams(
    max_tokens=600,
    temperature=0.2,
    top_p=0.9,
    top_k=-1,
    frequency_penalty=0.0,
    presence_penalty=0.0,
    stop=("\n\n",),
    seed=42,
    extra={"numGenerations": 1},
)


@pytest.fixture(scope="module")
def fixtures(data_dir: Path) -> Path:
    return data_dir / "oci" / "fixtures"


def load(fixtures: Path, name: str) -> Any:
    return json.loads((fixtures / name).read_text())


def encode(
    *,
    model: str,
    api_format: ApiFormat,
    messages: list[Message],
    tools: list[ToolSpec] | None = None,
    params: GenerationParams | None = None,
    stream: bool = False,
) -> dict[str, Any]:
    dedicated = model.startswith("ocid1.generativeaiendpoint")
    return encode_chat_details(
        compartment_id=COMPARTMENT,
        serving_mode=serving_mode(model, dedicated=dedicated),
        api_format=api_format,
        messages=messages,
        tools=tools or [],
        params=params or GenerationParams(),
        stream=stream,
    )


def expected(fixtures: Path, name: str) -> dict[str, Any]:
    body = load(fixtures, name)
    body["chatRequest"].setdefault("isStream", False)
    return cast(dict[str, Any], body)


# --- requests -------------------------------------------------------------------


def test_generic_on_demand(fixtures: Path) -> None:
    body = encode(
        model="meta.llama-3.3-70b-instruct",
        api_format=ApiFormat.GENERIC,
        messages=CAPITAL,
        params=CAPITAL_PARAMS,
    )
    assert body == expected(fixtures, "req_generic_chat_ondemand.json")


def test_generic_dac_differs_only_by_serving_mode(fixtures: Path) -> None:
    body = encode(
        model=ENDPOINT, api_format=ApiFormat.GENERIC, messages=CAPITAL, params=CAPITAL_PARAMS
    )
    assert body == expected(fixtures, "req_generic_chat_dac.json")


def test_generic_tools(fixtures: Path) -> None:
    params = GenerationParams(max_tokens=512, tool_choice="auto", parallel_tool_calls=True)
    body = encode(
        model="xai.grok-3",
        api_format=ApiFormat.GENERIC,
        messages=[Message.user("What's the weather in Paris?")],
        tools=[WEATHER],
        params=params,
    )
    assert body == expected(fixtures, "req_generic_chat_tools.json")


@pytest.mark.parametrize(
    ("choice", "name"),
    [
        ("none", "frag_tool_choice_none.json"),
        ("required", "frag_tool_choice_required.json"),
        ("get_weather", "frag_tool_choice_function.json"),
    ],
)
def test_generic_tool_choice_fragments(fixtures: Path, choice: str, name: str) -> None:
    body = encode(
        model="xai.grok-3",
        api_format=ApiFormat.GENERIC,
        messages=[Message.user("hi")],
        params=GenerationParams(tool_choice=choice),
    )
    assert body["chatRequest"]["toolChoice"] == load(fixtures, name)


@pytest.mark.parametrize(
    ("fmt", "name"),
    [
        ("text", "frag_response_format_text.json"),
        ("json_object", "frag_response_format_json_object.json"),
    ],
)
def test_generic_response_format_fragments(
    fixtures: Path, fmt: Literal["text", "json_object"], name: str
) -> None:
    body = encode(
        model="xai.grok-3",
        api_format=ApiFormat.GENERIC,
        messages=[Message.user("hi")],
        params=GenerationParams(response_format=fmt),
    )
    assert body["chatRequest"]["responseFormat"] == load(fixtures, name)


def test_generic_tool_result_turn(fixtures: Path) -> None:
    call = ToolCall("call_0_abc123", "get_weather", {"city": "Paris"})
    messages = [
        Message.user("What's the weather in Paris?"),
        Message.assistant(None, [call]),
        Message.tool('{"temp_c": 18, "sky": "cloudy"}', "call_0_abc123", "get_weather"),
    ]
    body = encode(
        model="xai.grok-3",
        api_format=ApiFormat.GENERIC,
        messages=messages,
        tools=[WEATHER],
        params=GenerationParams(max_tokens=512),
    )
    assert body == expected(fixtures, "req_generic_chat_tool_result_turn.json")


def test_generic_stream(fixtures: Path) -> None:
    body = encode(
        model=ENDPOINT,
        api_format=ApiFormat.GENERIC,
        messages=[Message.user("Count to three.")],
        params=GenerationParams(max_tokens=100),
        stream=True,
    )
    assert body == expected(fixtures, "req_generic_chat_stream.json")


def test_generic_image(fixtures: Path) -> None:
    url = load(fixtures, "req_generic_chat_image.json")["chatRequest"]["messages"][0]["content"][1][
        "imageUrl"
    ]["url"]
    body = encode(
        model="meta.llama-3.2-90b-vision-instruct",
        api_format=ApiFormat.GENERIC,
        messages=[Message.user("Describe this image.", images=[url])],
        params=GenerationParams(max_tokens=300),
    )
    assert body == expected(fixtures, "req_generic_chat_image.json")


def test_generic_json_schema_reasoning_developer(fixtures: Path) -> None:
    developer = Message(role=cast(Any, "developer"), content="Answer in JSON.")
    schema = {
        "type": "object",
        "properties": {"city": {"type": "string"}, "country": {"type": "string"}},
        "required": ["city", "country"],
    }
    params = GenerationParams(
        max_completion_tokens=2000,
        reasoning_effort="low",
        response_format={"name": "city", "description": "A city", "schema": schema, "strict": True},
        extra={"verbosity": "LOW"},
    )
    body = encode(
        model="openai.gpt-oss-120b",
        api_format=ApiFormat.GENERIC,
        messages=[developer, Message.user("Give me a city and its country.")],
        params=params,
    )
    assert body == expected(fixtures, "req_generic_chat_json_schema_reasoning.json")


def test_cohere_chat(fixtures: Path) -> None:
    messages = [
        Message.system("You are a helpful weather bot."),
        Message.user("Hi"),
        Message.assistant("Hello! How can I help?"),
        Message.user("What's the weather in Paris?"),
    ]
    params = GenerationParams(
        max_tokens=600,
        temperature=0.3,
        top_k=0,
        top_p=0.75,
        frequency_penalty=0.0,
        presence_penalty=0.0,
        extra={"isForceSingleStep": False, "safetyMode": "CONTEXTUAL"},
    )
    body = encode(
        model="cohere.command-r-plus-08-2024",
        api_format=ApiFormat.COHERE,
        messages=messages,
        tools=[COHERE_WEATHER],
        params=params,
    )
    assert body == expected(fixtures, "req_cohere_chat.json")


def test_cohere_tool_results_on_dac(fixtures: Path) -> None:
    call = ToolCall("cohere_call_0", "get_weather", {"city": "Paris"})
    messages = [
        Message.user("What's the weather in Paris?"),
        Message.assistant(None, [call]),
        Message.tool('{"temp_c": 18, "sky": "cloudy"}', "cohere_call_0", "get_weather"),
    ]
    body = encode(
        model=ENDPOINT,
        api_format=ApiFormat.COHERE,
        messages=messages,
        tools=[COHERE_WEATHER],
        params=GenerationParams(max_tokens=600),
    )
    assert body == expected(fixtures, "req_cohere_chat_tool_results.json")


def test_cohere_stream_with_documents(fixtures: Path) -> None:
    want = expected(fixtures, "req_cohere_chat_stream_docs.json")
    request = want["chatRequest"]
    params = GenerationParams(
        max_tokens=200,
        response_format={"schema": {"type": "object"}},
        extra={
            "documents": request["documents"],
            "promptTruncation": "AUTO_PRESERVE_ORDER",
            "citationQuality": "FAST",
        },
    )
    body = encode(
        model="cohere.command-a-03-2025",
        api_format=ApiFormat.COHERE,
        messages=[Message.system("Be brief."), Message.user("Tell me a joke")],
        params=params,
        stream=True,
    )
    # Normalisation (module docstring): our leading system message is the preamble.
    del request["chatHistory"]
    request["preambleOverride"] = "Be brief."
    assert body == want


def test_coherev2_chat_with_image(fixtures: Path) -> None:
    tool = ToolSpec("get_weather", "Get weather", WEATHER.parameters)
    messages = [
        Message.system("Be brief."),
        Message.user("What is in this picture?", images=["data:image/png;base64,iVBORw0KGgo="]),
    ]
    body = encode(
        model="cohere.command-a-vision-07-2025",
        api_format=ApiFormat.COHEREV2,
        messages=messages,
        tools=[tool],
        params=GenerationParams(max_tokens=300, reasoning_effort="none"),
    )
    assert body == expected(fixtures, "req_coherev2_chat.json")


def test_signing_vector_body_is_what_we_encode(data_dir: Path) -> None:
    vector = json.loads((data_dir / "oci" / "signing" / "vector.json").read_text())
    body = json.loads(vector["vectors"]["post_chat_api_key"]["body"])
    ours = encode(
        model="meta.llama-3.3-70b-instruct",
        api_format=ApiFormat.GENERIC,
        messages=[Message.user("Hello")],
        params=GenerationParams(max_tokens=16),
    )
    ours["compartmentId"] = "ocid1.compartment.oc1..aaaaaaaatestcompartment"
    assert ours == body


# --- responses ------------------------------------------------------------------


def test_resp_generic_chat(fixtures: Path) -> None:
    response = decode_chat_result(load(fixtures, "resp_generic_chat.json"), request_id="rq1")
    assert response.message.role == "assistant"
    assert response.message.content == "The capital of France is Paris."
    assert response.stop_reason == "stop"
    assert response.raw_stop_reason == "stop"
    assert response.usage == {"prompt_tokens": 27, "completion_tokens": 7, "total_tokens": 34}
    assert response.model_id == "meta.llama-3.3-70b-instruct"
    assert response.request_id == "rq1"
    assert response.tool_calls == []


def test_resp_generic_dac(fixtures: Path) -> None:
    response = decode_chat_result(load(fixtures, "resp_generic_chat_dac.json"))
    assert response.text == "The capital of France is Paris."
    assert (
        str(response.usage) == "{'prompt_tokens': 27, 'completion_tokens': 7, 'total_tokens': 34}"
    )
    assert response.model_id is not None and response.model_id.startswith("ocid1.generativeaimodel")


def test_resp_generic_tool_calls(fixtures: Path) -> None:
    response = decode_chat_result(load(fixtures, "resp_generic_chat_tool_calls.json"))
    assert response.message.content is None
    assert response.tool_calls == [ToolCall("call_0_abc123", "get_weather", {"city": "Paris"})]
    assert response.stop_reason == "tool_calls"
    assert response.usage.total_tokens == 138


def test_resp_cohere_chat(fixtures: Path) -> None:
    response = decode_chat_result(load(fixtures, "resp_cohere_chat.json"))
    assert response.text == "The capital of France is Paris."
    assert response.stop_reason == "stop"
    assert response.raw_stop_reason == "COMPLETE"
    assert response.usage == {"prompt_tokens": 212, "completion_tokens": 8, "total_tokens": 220}


def test_resp_cohere_tool_calls_get_ids(fixtures: Path) -> None:
    response = decode_chat_result(load(fixtures, "resp_cohere_chat_tool_calls.json"))
    assert response.text == "I will look up the weather in Paris."
    assert [(c.name, c.arguments) for c in response.tool_calls] == [
        ("get_weather", {"city": "Paris"})
    ]
    assert response.tool_calls[0].id
    assert response.stop_reason == "tool_calls"
    assert response.raw_stop_reason == "COMPLETE"


def test_resp_coherev2_chat(fixtures: Path) -> None:
    response = decode_chat_result(load(fixtures, "resp_coherev2_chat.json"))
    assert response.text == "Paris."
    assert response.stop_reason == "stop"
    assert response.usage == {"prompt_tokens": 10, "completion_tokens": 2, "total_tokens": 12}
    assert response.model_id == "cohere.command-a-03-2025"


# --- streams --------------------------------------------------------------------

STREAMS = [
    ("stream_generic_text", ApiFormat.GENERIC),
    ("stream_generic_tool_calls", ApiFormat.GENERIC),
    ("stream_cohere_text", ApiFormat.COHERE),
    ("stream_coherev2_text", ApiFormat.COHEREV2),
]


def decode_stream(raw: bytes, api_format: ApiFormat, cuts: list[int]) -> list[Any]:
    sse = SSEDecoder()
    decoder = ChatStreamDecoder(api_format)
    out: list[Any] = []
    bounds = [0, *cuts, len(raw)]
    events = []
    for start, end in itertools.pairwise(bounds):
        events += sse.feed(raw[start:end])
    events += sse.close()
    for event in events:
        payload = json_payload(event)
        if payload is not None:
            out += decoder.feed(payload)
    out.append(decoder.close())
    return out


@pytest.mark.parametrize(("name", "api_format"), STREAMS)
def test_sse_fixture_equals_json_fixture(fixtures: Path, name: str, api_format: ApiFormat) -> None:
    sse = SSEDecoder()
    events = sse.feed((fixtures / f"{name}.sse").read_bytes()) + sse.close()
    payloads = [json_payload(e) for e in events]
    assert payloads == load(fixtures, f"{name}.json")


@pytest.mark.parametrize(("name", "api_format"), STREAMS)
def test_stream_fixture_resplit_everywhere(
    fixtures: Path, name: str, api_format: ApiFormat
) -> None:
    raw = (fixtures / f"{name}.sse").read_bytes()
    whole = decode_stream(raw, api_format, [])
    for cut in range(1, len(raw)):
        assert decode_stream(raw, api_format, [cut]) == whole, cut
    assert decode_stream(raw, api_format, list(range(1, len(raw)))) == whole
    crlf = raw.replace(b"\n", b"\r\n")
    for cut in range(1, len(crlf)):
        assert decode_stream(crlf, api_format, [cut]) == whole, cut


def test_stream_generic_text(fixtures: Path) -> None:
    events = decode_stream(
        (fixtures / "stream_generic_text.sse").read_bytes(), ApiFormat.GENERIC, []
    )
    assert [e.content for e in events[:-1]] == ["The", " capital", " is Paris."]
    final = events[-1]
    assert final.done and final.stop_reason == "stop"
    assert final.usage == {"prompt_tokens": 27, "completion_tokens": 7, "total_tokens": 34}
    assert final.response is not None
    assert final.response.text == "The capital is Paris."
    assert final.response.usage == final.usage


def test_stream_generic_tool_calls(fixtures: Path) -> None:
    raw = (fixtures / "stream_generic_tool_calls.sse").read_bytes()
    events = decode_stream(raw, ApiFormat.GENERIC, [])
    assert len(events) == 1
    final = events[0]
    assert final.tool_calls == [ToolCall("call_A", "get_weather", {"city": "Paris"})]
    assert final.stop_reason == "tool_calls"
    assert final.response is not None and final.response.message.content is None


def test_stream_cohere_terminal_text_not_duplicated(fixtures: Path) -> None:
    raw = (fixtures / "stream_cohere_text.sse").read_bytes()
    events = decode_stream(raw, ApiFormat.COHERE, [])
    assert [e.content for e in events[:-1]] == ["The", " capital is", " Paris."]
    final = events[-1]
    assert final.response is not None
    assert final.response.text == "The capital is Paris."
    assert final.stop_reason == "stop" and final.usage is not None
    assert final.usage.total_tokens == 218


def test_stream_coherev2(fixtures: Path) -> None:
    raw = (fixtures / "stream_coherev2_text.sse").read_bytes()
    events = decode_stream(raw, ApiFormat.COHEREV2, [])
    assert [e.content for e in events[:-1]] == ["Hi"]
    assert events[-1].response is not None and events[-1].response.text == "Hi"
    assert events[-1].stop_reason == "stop"
