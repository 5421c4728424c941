"""Tool definitions: GENERIC ones encoded once per spec object (never mixed up), COHERE's."""

from __future__ import annotations

import json
from typing import Any

import pytest

from locus.core.messages import Message
from locus.core.params import GenerationParams
from locus.core.toolspec import ToolSpec
from locus.models.providers.oci._formats.cohere_tools import cohere_tool
from locus.models.providers.oci._formats.cohere_v2 import encode_cohere_v2_request
from locus.models.providers.oci._formats.generic import encode_generic_request

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"city": {"anyOf": [{"type": "string"}, {"type": "null"}], "title": "City"}},
    "required": ["city", "gone"],
}


def _tools(*specs: ToolSpec) -> list[dict[str, Any]]:
    request = encode_generic_request([Message.user("hi")], specs, GenerationParams(), False)
    tools: list[dict[str, Any]] = request["tools"]
    return tools


def test_repeated_calls_give_the_same_simplified_definition() -> None:
    spec = ToolSpec("weather", "The weather.", SCHEMA)
    first, second = _tools(spec), _tools(spec)
    assert first == second
    assert first[0]["parameters"]["properties"]["city"]["type"] == "string"
    assert first[0]["parameters"]["required"] == ["city"]
    assert SCHEMA["required"] == ["city", "gone"]  # the input is not modified


def test_a_caller_changing_one_request_does_not_change_the_next() -> None:
    spec = ToolSpec("weather", "The weather.", SCHEMA)
    _tools(spec)[0]["name"] = "changed"
    assert _tools(spec)[0]["name"] == "weather"


def test_equal_looking_specs_with_other_contents_are_encoded_each() -> None:
    one = ToolSpec("a", "", {"type": "object", "properties": {"x": {"type": "integer"}}})
    two = ToolSpec("a", "", {"type": "object", "properties": {"y": {"type": "string"}}})
    assert [t["parameters"]["properties"] for t in _tools(one, two)] == [
        {"x": {"type": "integer"}},
        {"y": {"type": "string"}},
    ]
    for _ in range(3):  # many short-lived specs: ids may be reused, contents never mixed
        fresh = ToolSpec("b", "", {"type": "object", "properties": {"z": {"type": "number"}}})
        assert _tools(fresh)[0]["parameters"]["properties"] == {"z": {"type": "number"}}


def test_cohere_tool_ignores_a_required_list_of_non_names() -> None:
    spec = ToolSpec("add", "", {"type": None, "required": [[]]})
    assert cohere_tool(spec) == {"name": "add", "description": ""}


@pytest.mark.parametrize("encode", [encode_generic_request, encode_cohere_v2_request])
def test_a_definition_is_built_once_per_spec_and_format(encode: Any) -> None:
    spec = ToolSpec("weather", "The weather.", SCHEMA)
    first, again = (encode([Message.user("hi")], [spec], GenerationParams(), False) for _ in "ab")
    assert first["tools"][0] is again["tools"][0]
    assert first["tools"][0].text == json.dumps(first["tools"][0], separators=(",", ":"))
    other = encode_cohere_v2_request if encode is encode_generic_request else encode_generic_request
    assert (
        other([Message.user("hi")], [spec], GenerationParams(), False)["tools"][0]
        != first["tools"][0]
    )  # the other format's own definition
