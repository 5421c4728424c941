"""ApiFormat parsing, serving modes and tool-schema simplification."""

from __future__ import annotations

import pytest

from locus.core.errors import ConfigurationError
from locus.models.providers.oci._formats import (
    ApiFormat,
    parse_api_format,
    serving_mode,
    simplify_schema,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("generic", ApiFormat.GENERIC),
        ("GENERIC", ApiFormat.GENERIC),
        ("cohere", ApiFormat.COHERE),
        ("Cohere", ApiFormat.COHERE),
        ("cohere_v2", ApiFormat.COHEREV2),
        ("coherev2", ApiFormat.COHEREV2),
        ("COHEREV2", ApiFormat.COHEREV2),
        ("cohere-v2", ApiFormat.COHEREV2),
        (ApiFormat.COHERE, ApiFormat.COHERE),
    ],
)
def test_parse_api_format(value: str, expected: ApiFormat) -> None:
    assert parse_api_format(value) is expected


def test_parse_api_format_lists_valid_values() -> None:
    with pytest.raises(ConfigurationError, match="'generic', 'cohere' and 'cohere_v2'"):
        parse_api_format("llama")


def test_api_format_is_a_string() -> None:
    assert ApiFormat.COHEREV2 == "COHEREV2"


def test_serving_mode() -> None:
    assert serving_mode("ocid1.generativeaiendpoint.x", dedicated=True) == {
        "servingType": "DEDICATED",
        "endpointId": "ocid1.generativeaiendpoint.x",
    }
    assert serving_mode("xai.grok-3", dedicated=False) == {
        "servingType": "ON_DEMAND",
        "modelId": "xai.grok-3",
    }


def test_refs_are_inlined_and_metadata_dropped() -> None:
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Args",
        "type": "object",
        "$defs": {
            "Place": {
                "title": "Place",
                "type": "object",
                "properties": {"city": {"type": "string", "title": "City"}},
                "required": ["city"],
            }
        },
        "properties": {
            "place": {"$ref": "#/$defs/Place", "description": "where"},
            "title": {"type": "string", "examples": ["x"]},
            "count": {"type": "integer", "exclusiveMinimum": 0},
        },
        "required": ["place", "ghost"],
    }
    assert simplify_schema(schema) == {
        "type": "object",
        "properties": {
            "place": {
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"],
                "description": "where",
            },
            "title": {"type": "string"},
            "count": {"type": "integer"},
        },
        "required": ["place"],
    }
    assert "$defs" in schema  # input untouched


def test_optional_unions_collapse_real_unions_stay() -> None:
    schema = {
        "type": "object",
        "properties": {
            "a": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None},
            "b": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
            "c": {"allOf": [{"$ref": "#/definitions/E"}], "description": "e"},
            "d": {"type": "array", "items": {"$ref": "#/definitions/E"}},
        },
        "definitions": {"E": {"type": "string", "enum": ["x", "y"]}},
    }
    out = simplify_schema(schema)["properties"]
    assert out["a"] == {"type": "string", "default": None}
    assert out["b"] == {"anyOf": [{"type": "string"}, {"type": "integer"}]}
    assert out["c"] == {"type": "string", "enum": ["x", "y"], "description": "e"}
    assert out["d"] == {"type": "array", "items": {"type": "string", "enum": ["x", "y"]}}


def test_recursive_ref_becomes_a_plain_object() -> None:
    schema = {
        "type": "object",
        "properties": {"node": {"$ref": "#/$defs/Node"}},
        "$defs": {
            "Node": {
                "type": "object",
                "properties": {"child": {"$ref": "#/$defs/Node", "description": "next"}},
            }
        },
    }
    node = simplify_schema(schema)["properties"]["node"]
    assert node["properties"]["child"] == {"type": "object", "description": "next"}
