"""``output_schema``: every output type the structured-output issue lists, shown to a model
as an OCI-simplified object schema and validated back, whole and partial."""

from __future__ import annotations

import dataclasses
import enum
import typing
from typing import Any, Literal

import pytest
from pydantic import BaseModel, Field, TypeAdapter
from typing_extensions import TypedDict

from locus.core._output_schema import (
    InvalidOutput,
    OutputSchema,
    output_schema,
    response_format_spec,
    strip_fence,
)
from locus.core.errors import ConfigurationError


class Address(BaseModel):
    street: str


class City(BaseModel):
    """A city and its population."""

    name: str
    population: int
    address: Address | None = None


class Country(BaseModel):
    name: str
    code: str = Field(description="ISO 3166 alpha-2")


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


@dataclasses.dataclass
class Point:
    x: int
    y: float = 0.0


class Movie(TypedDict):
    title: str
    year: int


def test_pydantic_model_is_shown_as_simplified_object_schema() -> None:
    schema = output_schema(City)
    assert schema.name == "City"
    assert not schema.is_wrapped
    assert schema.output_type is City
    assert schema.description == "A city and its population."
    # $ref inlined, titles gone, Optional collapsed: the OCI simplification
    assert schema.json_schema["properties"]["address"] == {
        "properties": {"street": {"type": "string"}},
        "required": ["street"],
        "type": "object",
        "default": None,
    }
    assert "$defs" not in schema.json_schema
    assert "title" not in schema.json_schema
    assert schema.json_schema["required"] == ["name", "population"]


def test_pydantic_model_validates_json_and_python() -> None:
    schema = output_schema(City)
    city = schema.validate_json('{"name": "Paris", "population": 2100000}')
    assert city == City(name="Paris", population=2100000)
    assert schema.validate_python({"name": "Oslo", "population": "700000"}).population == 700000


def test_same_type_gives_the_cached_schema() -> None:
    assert output_schema(City) is output_schema(City)
    assert output_schema(list[int]) is output_schema(list[int])


def test_dataclass() -> None:
    schema = output_schema(Point)
    assert schema.name == "Point" and not schema.is_wrapped
    assert schema.validate_json('{"x": 1, "y": 2.5}') == Point(1, 2.5)


def test_typed_dict() -> None:
    schema = output_schema(Movie)
    assert schema.json_schema["required"] == ["title", "year"]
    assert schema.validate_json('{"title": "Alien", "year": 1979}') == {
        "title": "Alien",
        "year": 1979,
    }


def test_typing_typed_dict_on_old_python_is_a_clear_configuration_error() -> None:
    class Legacy(typing.TypedDict):
        a: int

    legacy: Any = Legacy
    try:
        TypeAdapter(legacy)
    except Exception:  # pydantic refuses typing.TypedDict before Python 3.12
        with pytest.raises(ConfigurationError, match=r"typing_extensions\.TypedDict"):
            output_schema(legacy)
    else:
        assert output_schema(legacy).validate_json('{"a": 1}') == {"a": 1}


@pytest.mark.parametrize(
    ("tp", "wire", "value", "wire_type"),
    [
        (int, '{"response": 42}', 42, "integer"),
        (float, '{"response": 2.5}', 2.5, "number"),
        (bool, '{"response": true}', True, "boolean"),
        (str, '{"response": "hello"}', "hello", "string"),
    ],
)
def test_primitives_are_wrapped_and_unwrapped(
    tp: Any, wire: str, value: Any, wire_type: str
) -> None:
    schema = output_schema(tp)
    assert schema.is_wrapped
    assert schema.name == tp.__name__
    assert schema.json_schema == {
        "type": "object",
        "properties": {"response": {"type": wire_type}},
        "required": ["response"],
    }
    assert schema.validate_json(wire) == value
    assert schema.validate_python({"response": value}) == value


def test_wrapped_value_may_come_bare() -> None:
    assert output_schema(int).validate_json("7") == 7
    assert output_schema(list[int]).validate_python([1, 2]) == [1, 2]


def test_list_of_models() -> None:
    schema = output_schema(list[City])
    assert schema.name == "list_City" and schema.is_wrapped
    assert schema.json_schema["properties"]["response"]["type"] == "array"
    got = schema.validate_json('{"response": [{"name": "Rome", "population": 1}]}')
    assert got == [City(name="Rome", population=1)]


def test_literal() -> None:
    schema = output_schema(Literal["yes", "no"])
    assert schema.name == "Literal_yes_no"
    assert schema.json_schema["properties"]["response"] == {"enum": ["yes", "no"], "type": "string"}
    assert schema.validate_json('{"response": "no"}') == "no"
    with pytest.raises(InvalidOutput, match="'yes' or 'no'"):
        schema.validate_json('{"response": "maybe"}')


def test_enum() -> None:
    schema = output_schema(Color)
    assert schema.json_schema["properties"]["response"]["enum"] == ["red", "blue"]
    assert schema.validate_json('{"response": "blue"}') is Color.BLUE


def test_union_of_models_picks_the_member_and_lists_members() -> None:
    schema = output_schema(City | Country)
    assert schema.name == "City_or_Country"
    assert schema.is_wrapped
    assert [m.name for m in schema.members] == ["City", "Country"]
    assert all(not m.is_wrapped for m in schema.members)
    got = schema.validate_json('{"response": {"name": "France", "code": "FR"}}')
    assert got == Country(name="France", code="FR")
    assert schema.validate_json('{"response": {"name": "Lyon", "population": 5}}') == City(
        name="Lyon", population=5
    )


def test_type_adapter() -> None:
    schema = output_schema(TypeAdapter(list[int]))
    assert schema.is_wrapped and schema.name == "list_int"
    assert schema.validate_json('{"response": [1, "2"]}') == [1, 2]


def test_bare_schema_dict_validates_only_as_json() -> None:
    schema = output_schema(City.model_json_schema())
    assert schema.name == "City"
    assert not schema.validates_types
    assert schema.json_schema["required"] == ["name", "population"]
    assert schema.validate_json('{"name": "x", "anything": 1}') == {"name": "x", "anything": 1}
    with pytest.raises(InvalidOutput, match="invalid JSON"):
        schema.validate_json("{not json")


def test_named_schema_dict_keeps_name_strict_and_description() -> None:
    spec = {"name": "city info", "schema": City.model_json_schema(), "strict": True}
    schema = output_schema({**spec, "description": "a city"})
    assert schema.name == "city_info"
    assert schema.strict is True
    assert schema.response_format() == {
        "name": "city_info",
        "schema": schema.json_schema,
        "strict": True,
        "description": "a city",
    }


def test_non_object_schema_dict_is_wrapped() -> None:
    schema = output_schema({"type": "array", "items": {"type": "integer"}})
    assert schema.is_wrapped
    assert schema.validate_json('{"response": [1]}') == [1]


@pytest.mark.parametrize("bad", [42, "City", None, City(name="a", population=1), {"foo": 1}])
def test_unusable_values_say_what_is_accepted(bad: Any) -> None:
    with pytest.raises(ConfigurationError, match="Accepted: a pydantic model"):
        output_schema(bad)


def test_a_type_pydantic_cannot_handle_is_a_configuration_error() -> None:
    class Opaque:
        pass

    with pytest.raises(ConfigurationError, match=r"cannot use .*Opaque"):
        output_schema(Opaque)


def test_errors_are_compact_with_locations() -> None:
    schema = output_schema(City)
    with pytest.raises(InvalidOutput) as info:
        schema.validate_json('{"name": "Paris", "population": "many"}')
    assert str(info.value) == (
        "population: Input should be a valid integer, unable to parse string as an integer "
        "(got 'many')"
    )
    assert info.value.errors == [
        {
            "loc": "population",
            "msg": "Input should be a valid integer, unable to parse string as an integer",
            "type": "int_parsing",
        }
    ]
    with pytest.raises(InvalidOutput) as missing:
        schema.validate_json('{"name": "Paris"}')
    assert str(missing.value) == "population: Field required"


def test_wrapped_errors_drop_the_wrapper_from_locations() -> None:
    with pytest.raises(InvalidOutput) as info:
        output_schema(list[int]).validate_json('{"response": [1, "x"]}')
    assert info.value.errors[0]["loc"] == "1"


def test_invalid_json_is_invalid_output() -> None:
    with pytest.raises(InvalidOutput) as info:
        output_schema(City).validate_json('{"name": "Par')
    assert info.value.errors[0]["type"] == "json_invalid"
    assert isinstance(info.value, ValueError)


def test_code_fence_is_taken_off() -> None:
    text = '```json\n{"name": "Paris", "population": 1}\n```'
    assert output_schema(City).validate_json(text).name == "Paris"
    assert strip_fence("```\n[1]\n```") == "[1]"
    assert strip_fence("```json\n[1, 2", partial=True) == "[1, 2"
    assert strip_fence("  {}  ") == "{}"


def test_partial_validation_grows_with_the_text() -> None:
    schema = output_schema(City)
    assert schema.validate_partial("") is None
    assert schema.validate_partial('{"name": "Par') is None  # population not seen yet
    assert schema.validate_partial('{"name": "Paris", "population": 21') == City(
        name="Paris", population=21
    )


def test_partial_validation_of_wrapped_lists_and_strings() -> None:
    assert output_schema(list[int]).validate_partial('{"response": [1, 2') == [1, 2]
    assert output_schema(str).validate_partial('{"response": "Hel') == "Hel"
    assert output_schema(list[int]).validate_partial('{"resp') is None


def test_parse_partial_gives_the_raw_value_so_far() -> None:
    schema = output_schema(City)
    assert schema.parse_partial('{"name": "Par') == {"name": "Par"}
    assert output_schema(list[int]).parse_partial('{"response": [1, 2') == [1, 2]
    assert schema.parse_partial("   ") is None


def test_bare_dict_partial_is_the_raw_json() -> None:
    schema = output_schema({"type": "object", "properties": {"a": {"type": "string"}}})
    assert schema.validate_partial('{"a": "x') == {"a": "x"}


def test_response_format_spec_normalises_every_accepted_form() -> None:
    assert response_format_spec("json_object") == "json_object"
    named = response_format_spec({"name": "c", "schema": City.model_json_schema()})
    assert isinstance(named, dict) and named["name"] == "c"
    assert "$defs" not in named["schema"]
    by_type = response_format_spec(City)
    assert by_type == {
        "name": "City",
        "schema": output_schema(City).json_schema,
        "description": "A city and its population.",
    }
    bare = response_format_spec(Country.model_json_schema())
    assert isinstance(bare, dict) and bare["schema"]["required"] == ["name", "code"]
    assert response_format_spec(output_schema(int)) == output_schema(int).response_format()


def test_output_schema_of_an_output_schema_is_itself() -> None:
    schema: OutputSchema[Any] = output_schema(City)
    assert output_schema(schema) is schema
