"""``response_format`` with a type, a ``TypeAdapter`` or a schema dict: what each codec
sends (never dropped, strict where the family enforces schemas) and ``parsed`` back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from pydantic import BaseModel, TypeAdapter

from locus.core._json_schema import strict_schema
from locus.core._output_schema import output_schema
from locus.core.errors import ConfigurationError
from locus.core.messages import Message
from locus.core.params import GenerationParams
from locus.core.response import ModelResponse, StreamEvent
from locus.models._openai import OpenAIChatCodec
from locus.models._wire.codec import ChatRequest
from locus.models._wire.structured import parsed_stream, wire_params, with_parsed
from locus.models.providers.oci._formats import OCIChatCodec

CITY_SCHEMA = {
    "description": "A city.",
    "type": "object",
    "properties": {"name": {"type": "string"}, "population": {"type": "integer"}},
    "required": ["name", "population"],
}
STRICT_CITY = {**CITY_SCHEMA, "additionalProperties": False}


class City(BaseModel):
    """A city."""

    name: str
    population: int


class Town(BaseModel):
    name: str
    mayor: str | None = None


def _oci(model_id: str, fmt: Any, api_format: str | None = None, dedicated: bool = False) -> Any:
    codec = OCIChatCodec(model_id, api_format, dedicated=dedicated)
    params = GenerationParams(response_format=fmt)
    request = ChatRequest([Message.user("Paris?")], [], params, False, "ocid1.compartment.oc1..c")
    return codec.encode(request)["chatRequest"].get("responseFormat")


def _openai(fmt: Any, strict: bool = False) -> Any:
    codec = OpenAIChatCodec("m", strict_output=strict)
    request = ChatRequest(
        [Message.user("Paris?")], [], GenerationParams(response_format=fmt), False
    )
    return codec.encode(request).get("response_format")


@pytest.mark.parametrize(
    "fmt", [City, TypeAdapter(City), City.model_json_schema(), output_schema(City)]
)
def test_generic_sends_json_schema_for_every_accepted_form(fmt: Any) -> None:
    assert _oci("meta.llama-3.3-70b-instruct", fmt) == {
        "type": "JSON_SCHEMA",
        "jsonSchema": {"name": "City", "schema": CITY_SCHEMA, "description": "A city."},
    }


def test_generic_is_strict_where_the_family_enforces_schemas() -> None:
    sent = _oci("openai.gpt-oss-120b", City)
    assert sent["jsonSchema"]["isStrict"] is True
    assert sent["jsonSchema"]["schema"] == STRICT_CITY


def test_strict_family_with_an_optional_field_is_not_sent_strict() -> None:
    sent = _oci("xai.grok-4", Town)
    assert "isStrict" not in sent["jsonSchema"]
    assert "additionalProperties" not in sent["jsonSchema"]["schema"]


def test_a_dac_is_never_strict_by_default() -> None:
    ocid = "ocid1.generativeaiendpoint.oc1.uk-london-1.amaaaaaaexample"
    sent = _oci(ocid, City, dedicated=True)
    assert "isStrict" not in sent["jsonSchema"]


def test_named_dict_strictness_is_kept_as_given() -> None:
    fmt = {"name": "city", "schema": CITY_SCHEMA, "strict": False}
    assert _oci("openai.gpt-oss-120b", fmt)["jsonSchema"]["isStrict"] is False


@pytest.mark.parametrize("api_format", ["COHERE", "COHEREV2"])
def test_cohere_sends_json_object_with_the_schema(api_format: str) -> None:
    assert _oci("cohere.command-a-03-2025", City, api_format) == {
        "type": "JSON_OBJECT",
        "schema": CITY_SCHEMA,
    }
    wrapped = _oci("cohere.command-a-03-2025", list[int], api_format)
    assert wrapped["schema"]["properties"]["response"] == {
        "items": {"type": "integer"},
        "type": "array",
    }


def test_openai_sends_json_schema_and_strict_when_asked() -> None:
    assert _openai(City) == {
        "type": "json_schema",
        "json_schema": {"name": "City", "schema": CITY_SCHEMA, "description": "A city."},
    }
    strict = _openai(City, strict=True)["json_schema"]
    assert strict["strict"] is True and strict["schema"] == STRICT_CITY
    assert _openai("json_object") == {"type": "json_object"}


def test_a_bare_schema_dict_is_no_longer_dropped() -> None:
    sent = _oci("meta.llama-3.3-70b-instruct", {"type": "object", "properties": {"a": {}}})
    assert sent["jsonSchema"]["schema"]["properties"] == {"a": {}}


@pytest.mark.parametrize("bad", [42, {"name": "x"}, {"foo": "bar"}])
def test_unusable_format_is_a_configuration_error(bad: Any) -> None:
    with pytest.raises(ConfigurationError, match="Accepted"):
        _oci("meta.llama-3.3-70b-instruct", bad)
    with pytest.raises(ConfigurationError, match="Accepted"):
        _openai(bad)


def test_wire_params_leaves_text_formats_and_none_alone() -> None:
    for fmt in (None, "text", "json_object"):
        params = GenerationParams(response_format=fmt)
        assert wire_params(params, strict=True) is params


def test_strict_schema_closes_nested_objects_and_refuses_free_form_ones() -> None:
    nested = {
        "type": "object",
        "properties": {"home": CITY_SCHEMA, "tags": {"type": "array", "items": CITY_SCHEMA}},
        "required": ["home", "tags"],
    }
    closed = strict_schema(nested)
    assert closed is not None
    assert closed["properties"]["home"]["additionalProperties"] is False
    assert closed["properties"]["tags"]["items"]["additionalProperties"] is False
    free = {"type": "object", "additionalProperties": {"type": "integer"}}
    assert strict_schema(free) is None
    assert strict_schema({"type": "object", "properties": {"a": {}}, "required": []}) is None


def _answer(text: str | None, **kw: Any) -> ModelResponse:
    return ModelResponse(Message.assistant(text, **kw))


def test_with_parsed_validates_the_answer() -> None:
    good = with_parsed(_answer('{"name": "Paris", "population": 2}'), output_schema(City))
    assert good.parsed == City(name="Paris", population=2) and good.parse_error is None


def test_with_parsed_keeps_a_bad_answer_and_says_why() -> None:
    bad = with_parsed(_answer('{"name": "Paris"}'), output_schema(City))
    assert bad.parsed is None
    assert bad.parse_error == "population: Field required"
    broken = with_parsed(_answer("Paris has two million people."), output_schema(City))
    assert broken.parse_error is not None and broken.parse_error.startswith("Invalid JSON")
    empty = with_parsed(_answer(None), output_schema(City))
    assert empty.parse_error is not None and "empty" in empty.parse_error


def test_with_parsed_leaves_tool_calls_and_untyped_answers_alone() -> None:
    from locus.core.messages import ToolCall

    calling = _answer(None, tool_calls=[ToolCall("c", "f", {})])
    assert with_parsed(calling, output_schema(City)).parse_error is None
    plain = _answer("hi")
    assert with_parsed(plain, None).parsed is None


async def _events(text: str) -> AsyncIterator[StreamEvent]:
    for part in (text[:5], text[5:]):
        yield StreamEvent(content=part)
    yield StreamEvent.final(_answer(text))


async def test_parsed_stream_sets_parsed_on_the_final_event_only() -> None:
    events = [e async for e in parsed_stream(_events('{"response": [1, 2]}'), list[int])]
    assert [e.content for e in events[:2]] == ['{"res', 'ponse": [1, 2]}']
    final = events[-1]
    assert final.done and final.response is not None
    assert final.response.parsed == [1, 2]
