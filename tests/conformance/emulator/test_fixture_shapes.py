"""The emulator's answers have the shapes of the SDK-derived fixtures in tests/data/oci/fixtures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from locus.emulator._catalogue import default_catalogue
from locus.emulator._conversation import Call, Conversation, Reply, Turn
from locus.emulator._errors import ApiError, bad_request, cannot_parse, not_authenticated, not_found
from locus.emulator._faults import Fault, fault_error
from locus.emulator.routes._actions import _embeddings, _ranks
from locus.emulator.routes._target import resolve, resolve_serving
from locus.emulator.wire import CHAT_FORMATS

GENERIC, COHERE, COHEREV2 = (CHAT_FORMATS[name] for name in ("GENERIC", "COHERE", "COHEREV2"))

TEXT = Reply(text="The capital is Paris.", prompt_tokens=27, completion_tokens=7)
CALL = Reply(calls=(Call("get_weather", {"city": "Paris"}),), finish="tool_calls")
CONVERSATION = Conversation("m", (Turn("user", "What is the capital of France?"),))


def _fixture(data_dir: Path, name: str) -> Any:
    return json.loads((data_dir / "oci" / "fixtures" / name).read_text())


def _shape(value: Any) -> Any:
    """Keys (recursively) and value types, ignoring the values themselves."""
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shape(value[0])] if value else []
    return type(value).__name__


def _keys(value: Any) -> set[str]:
    return set(value) if isinstance(value, dict) else set()


def test_generic_result_has_the_fixture_shape(data_dir: Path) -> None:
    expected = _fixture(data_dir, "resp_generic_chat.json")
    actual = GENERIC.result(TEXT, CONVERSATION, "m", "1.0")
    expected["chatResponse"]["choices"][0].pop("logprobs")
    assert _shape(actual) == _shape(expected)


def test_generic_tool_call_result_has_the_fixture_shape(data_dir: Path) -> None:
    expected = _fixture(data_dir, "resp_generic_chat_tool_calls.json")["chatResponse"]
    actual = GENERIC.result(CALL, CONVERSATION, "m", "1.0")["chatResponse"]
    assert _shape(actual["choices"]) == _shape(expected["choices"])
    assert actual["choices"][0]["finishReason"] == "tool_calls"


def test_cohere_results_have_the_fixture_shapes(data_dir: Path) -> None:
    expected = _fixture(data_dir, "resp_cohere_chat.json")
    assert _shape(COHERE.result(TEXT, CONVERSATION, "m", "1.6")) == _shape(expected)
    tools = _fixture(data_dir, "resp_cohere_chat_tool_calls.json")["chatResponse"]
    reply = Reply("I will look up the weather in Paris.", CALL.calls, "tool_calls")
    actual = COHERE.result(reply, CONVERSATION, "m", "1.6")["chatResponse"]
    assert _shape(actual) == _shape(tools)
    assert actual["finishReason"] == "COMPLETE"


def test_coherev2_result_has_the_fixture_shape(data_dir: Path) -> None:
    expected = _fixture(data_dir, "resp_coherev2_chat.json")
    assert _shape(COHEREV2.result(TEXT, CONVERSATION, "m", "1.0")) == _shape(expected)


def _event_keys(events: list[Any]) -> list[tuple[set[str], set[str]]]:
    return [(_keys(e), _keys(e.get("message"))) for e in events]


def test_generic_text_stream_matches_the_fixture(data_dir: Path) -> None:
    expected = _fixture(data_dir, "stream_generic_text.json")
    actual = list(GENERIC.events(TEXT, CONVERSATION, True, 0))
    assert _event_keys(actual)[-2:] == _event_keys(expected)[-2:]
    assert _shape(actual[0]) == _shape(expected[0])
    assert set(actual[-1]["usage"]) >= set(expected[-1]["usage"])


def test_generic_tool_call_stream_matches_the_fixture(data_dir: Path) -> None:
    expected = _fixture(data_dir, "stream_generic_tool_calls.json")
    actual = list(GENERIC.events(CALL, CONVERSATION, False, 0))
    assert _shape(actual[0]) == _shape(expected[0])
    assert _shape(actual[1]) == _shape(expected[1])
    assert actual[-1] == expected[-1]
    fragments = "".join(e["message"]["toolCalls"][0]["arguments"] for e in actual[:-1])
    assert json.loads(fragments) == {"city": "Paris"}


def test_cohere_stream_matches_the_fixture(data_dir: Path) -> None:
    expected = _fixture(data_dir, "stream_cohere_text.json")
    actual = list(COHERE.events(TEXT, CONVERSATION, True, 0))
    assert _shape(actual[0]) == _shape(expected[0])
    assert _shape(actual[-1]) == _shape(expected[-1])
    assert actual[-1]["text"] == "".join(e["text"] for e in actual[:-1])


def test_coherev2_stream_matches_the_fixture(data_dir: Path) -> None:
    expected = _fixture(data_dir, "stream_coherev2_text.json")
    actual = list(COHEREV2.events(Reply("Hi"), CONVERSATION, False, 0))
    assert actual == expected


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("err_400.json", bad_request("x")),
        ("err_400.json", cannot_parse("x")),
        ("err_401.json", not_authenticated("x")),
        ("err_404.json", not_found("x")),
        ("err_429.json", fault_error(Fault.TOO_MANY_REQUESTS)),
        ("err_500.json", fault_error(Fault.INTERNAL_ERROR)),
        ("err_503.json", fault_error(Fault.SERVICE_UNAVAILABLE)),
    ],
)
def test_errors_use_the_fixture_status_and_codes(
    data_dir: Path, name: str, error: ApiError | None
) -> None:
    assert error is not None
    expected = _fixture(data_dir, name)
    assert error.status == int(name[4:7])
    if name != "err_400.json" or error.code == "InvalidParameter":
        assert error.code == expected["code"]


@pytest.mark.parametrize(
    ("name", "parser"),
    [
        ("req_generic_chat_ondemand.json", GENERIC.parse),
        ("req_generic_chat_tools.json", GENERIC.parse),
        ("req_generic_chat_tool_result_turn.json", GENERIC.parse),
        ("req_generic_chat_image.json", GENERIC.parse),
        ("req_generic_chat_json_schema_reasoning.json", GENERIC.parse),
        ("req_generic_chat_stream.json", GENERIC.parse),
        ("req_cohere_chat.json", COHERE.parse),
        ("req_cohere_chat_tool_results.json", COHERE.parse),
        ("req_cohere_chat_stream_docs.json", COHERE.parse),
        ("req_coherev2_chat.json", COHEREV2.parse),
    ],
)
def test_sdk_request_fixtures_parse(data_dir: Path, name: str, parser: Any) -> None:
    details = _fixture(data_dir, name)
    conversation = parser(details["chatRequest"], "m")
    assert conversation.turns
    assert conversation.prompt_words() > 0


def test_sdk_fixture_envelope_is_checked_against_the_catalogue(data_dir: Path) -> None:
    details = _fixture(data_dir, "req_generic_chat_ondemand.json")
    catalogue = default_catalogue("us-chicago-1")
    target, chat_request = resolve(details, catalogue, details["compartmentId"], "us-chicago-1")
    assert chat_request["apiFormat"] in target.api_formats
    with pytest.raises(ApiError) as caught:
        resolve(details, catalogue, "ocid1.compartment.oc1..other", "us-chicago-1")
    assert caught.value.code == "NotAuthorizedOrNotFound"


def test_embed_and_rerank_answers_have_the_fixture_shapes(data_dir: Path) -> None:
    catalogue = default_catalogue("us-chicago-1")
    embed_request = _fixture(data_dir, "req_embed_text.json")
    target = resolve_serving(
        embed_request, catalogue, embed_request["compartmentId"], "us-chicago-1"
    )
    embedded = _embeddings({**embed_request, "isEcho": False}, target)
    assert _shape(embedded) == _shape(_fixture(data_dir, "resp_embed_text.json"))
    rerank_request = _fixture(data_dir, "req_rerank_text.json")
    rerank_endpoint = next(e for e in catalogue.endpoints.values() if e.capability == "TEXT_RERANK")
    rerank_request["servingMode"]["endpointId"] = rerank_endpoint.ocid
    target = resolve_serving(
        rerank_request, catalogue, rerank_request["compartmentId"], "us-chicago-1"
    )
    ranked = _ranks(rerank_request, target)
    assert _shape(ranked) == _shape(_fixture(data_dir, "resp_rerank_text.json"))
