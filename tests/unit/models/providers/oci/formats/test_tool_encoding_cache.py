"""Tool definitions: GENERIC ones encoded once per spec object (never mixed up), COHERE's."""

from __future__ import annotations

from typing import Any

from locus.core.messages import Message
from locus.core.params import GenerationParams
from locus.core.toolspec import ToolSpec
from locus.models.providers.oci._formats.cohere_tools import cohere_tool
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
