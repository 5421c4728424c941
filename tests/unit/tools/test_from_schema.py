"""``Tool.from_schema``: a JSON-schema tool whose handler takes the arguments dict."""

from __future__ import annotations

from typing import Any

import pytest

from locus.core.errors import ConfigurationError, ToolArgumentsError
from locus.core.messages import ToolCall
from locus.tools import Tool, ToolExecutor

SCHEMA: dict[str, Any] = {
    "type": "object",
    "$defs": {"Unit": {"type": "string", "enum": ["c", "f"]}},
    "properties": {
        "city": {"type": "string", "title": "City"},
        "days": {"type": "integer"},
        "unit": {"$ref": "#/$defs/Unit"},
    },
    "required": ["city"],
    "additionalProperties": False,
}


async def forecast(arguments: dict[str, Any]) -> dict[str, Any]:
    return {"seen": arguments}


def test_the_spec_is_the_simplified_schema() -> None:
    made = Tool.from_schema("forecast", "Weather.", SCHEMA, forecast)
    params = made.spec.parameters
    assert made.spec.name == "forecast" and made.spec.description == "Weather."
    assert "$defs" not in params and params["properties"]["unit"] == {
        "type": "string",
        "enum": ["c", "f"],
    }
    assert "title" not in params["properties"]["city"]


async def test_valid_arguments_reach_the_handler_as_a_dict() -> None:
    made = Tool.from_schema("forecast", "Weather.", SCHEMA, forecast)
    executor = ToolExecutor([made])
    outcome = await executor.run_one(ToolCall("1", "forecast", {"city": "Oslo", "days": 2}))
    assert not outcome.is_error
    assert outcome.message.text == '{"seen":{"city":"Oslo","days":2}}'


@pytest.mark.parametrize(
    ("arguments", "problem"),
    [
        ({}, "city: field required"),
        ({"city": 3}, "city: must be of type string, got integer"),
        ({"city": "x", "days": True}, "days: must be of type integer, got boolean"),
        ({"city": "x", "unit": "k"}, "unit: must be one of ['c', 'f']"),
        ({"city": "x", "when": 1}, "when: not a known argument"),
    ],
)
async def test_bad_arguments_are_an_error_the_model_reads(
    arguments: dict[str, Any], problem: str
) -> None:
    made = Tool.from_schema("forecast", "Weather.", SCHEMA, forecast)
    with pytest.raises(ToolArgumentsError, match=problem.replace("[", r"\[").replace("]", r"\]")):
        made.validate(arguments)
    outcome = await ToolExecutor([made]).run_one(ToolCall("1", "forecast", arguments))
    assert outcome.is_error and problem in outcome.message.text


async def test_a_sync_handler_runs_in_a_tool_thread() -> None:
    import threading

    def where(arguments: dict[str, Any]) -> str:
        return threading.current_thread().name

    made = Tool.from_schema("where", "Thread name.", {"type": "object", "properties": {}}, where)
    outcome = await ToolExecutor([made]).run_one(ToolCall("1", "where", {}))
    assert outcome.message.text.startswith("locus-tool-")


def test_strict_closes_a_schema_that_can_be_closed() -> None:
    closable = {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}
    made = Tool.from_schema("a", "A.", closable, forecast, strict=True)
    assert made.spec.parameters.get("additionalProperties") is False
    optional = {"type": "object", "properties": {"a": {"type": "string"}}}
    made = Tool.from_schema("a", "A.", optional, forecast, strict=True)
    assert "additionalProperties" not in made.spec.parameters  # left as it was


def test_bad_definitions_are_configuration_errors() -> None:
    with pytest.raises(ConfigurationError, match="object JSON schema"):
        Tool.from_schema("a", "A.", {"type": "string"}, forecast)
    with pytest.raises(ConfigurationError, match="invalid tool name"):
        Tool.from_schema("a b", "A.", SCHEMA, forecast)
    with pytest.raises(ConfigurationError, match="requires_approval"):
        Tool.from_schema("a", "A.", SCHEMA, forecast, requires_approval="yes")  # type: ignore[arg-type]
