"""JSON Schema generation for @tool functions (type hints, defaults, docstrings)."""

from __future__ import annotations

import enum
import warnings
from typing import Any, Literal

import pytest
from pydantic import BaseModel

from locus.core.errors import ConfigurationError, ToolArgumentsError
from locus.core.toolspec import ToolSpec, as_tool_specs
from locus.tools import ToolDefinitionWarning, as_tools
from locus.tools.decorator import tool


class Unit(enum.Enum):
    CELSIUS = "c"
    FAHRENHEIT = "f"


class Point(BaseModel):
    x: int
    y: int = 0


def test_seed_tool_shape() -> None:
    @tool(name="add_two_numbers")
    def add_two_numbers(a: int, b: int) -> int:
        """Return the sum of two integers."""
        return a + b

    spec = add_two_numbers.spec
    assert spec == ToolSpec(
        "add_two_numbers",
        "Return the sum of two integers.",
        {
            "type": "object",
            "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
            "required": ["a", "b"],
            "additionalProperties": False,
        },
    )
    assert add_two_numbers(2, 3) == 5  # still a plain callable
    assert as_tool_specs([add_two_numbers]) == [spec]


def test_optional_default_literal_enum_list_nested() -> None:
    @tool
    def complex_tool(
        query: str,
        limit: int | None = None,
        mode: Literal["fast", "exact"] = "fast",
        unit: Unit = Unit.CELSIUS,
        tags: list[str] | None = None,
        points: list[Point] | None = None,
    ) -> str:
        """Search things."""
        return query

    params: dict[str, Any] = dict(complex_tool.spec.parameters)
    props = params["properties"]
    assert params["required"] == ["query"]
    assert props["query"] == {"type": "string"}
    assert props["limit"] == {"anyOf": [{"type": "integer"}, {"type": "null"}], "default": None}
    assert props["mode"] == {"enum": ["fast", "exact"], "type": "string", "default": "fast"}
    assert props["unit"] == {"$ref": "#/$defs/Unit", "default": "c"}
    assert params["$defs"]["Unit"] == {"enum": ["c", "f"], "type": "string"}
    assert props["tags"]["anyOf"][0] == {"type": "array", "items": {"type": "string"}}
    assert props["points"]["anyOf"][0] == {"type": "array", "items": {"$ref": "#/$defs/Point"}}
    assert params["$defs"]["Point"] == {
        "type": "object",
        "properties": {"x": {"type": "integer"}, "y": {"type": "integer", "default": 0}},
        "required": ["x"],
    }


def test_nested_model_is_validated_into_an_instance() -> None:
    @tool
    def dist(p: Point, unit: Unit = Unit.CELSIUS) -> int:
        """Distance."""
        return p.x

    kwargs = dist.validate({"p": {"x": "3"}, "unit": "f"})
    assert kwargs == {"p": Point(x=3, y=0), "unit": Unit.FAHRENHEIT}


def test_google_docstring_arguments_become_descriptions() -> None:
    @tool
    def weather(city: str, days: int = 1) -> str:
        """Forecast for a city.

        Args:
            city: City name.
            days (int): How many days ahead.
        """
        return city

    props = weather.spec.parameters["properties"]
    assert weather.spec.description == "Forecast for a city."
    assert props["city"]["description"] == "City name."
    assert props["days"] == {"type": "integer", "default": 1, "description": "How many days ahead."}


def test_numpy_docstring_arguments_become_descriptions() -> None:
    @tool
    def convert(value: float) -> float:
        """Convert a temperature.

        Parameters
        ----------
        value : float
            Degrees Celsius.
        """
        return value

    assert convert.spec.parameters["properties"]["value"] == {
        "type": "number",
        "description": "Degrees Celsius.",
    }


def test_name_and_description_overrides_and_async() -> None:
    @tool(name="lookup", description="Find a record.", timeout=2.0)
    async def find(key: str) -> str:
        """Ignored summary."""
        return key

    assert (find.name, find.description, find.timeout, find.is_async) == (
        "lookup",
        "Find a record.",
        2.0,
        True,
    )


def test_parameters_named_like_basemodel_attributes_and_title() -> None:
    @tool
    def odd(schema: str, json: int, title: str = "t") -> str:
        """Odd names."""
        return schema

    assert set(odd.spec.parameters["properties"]) == {"schema", "json", "title"}
    assert odd.validate({"schema": "s", "json": "1"}) == {"schema": "s", "json": 1, "title": "t"}


def test_unannotated_parameter_accepts_anything_with_a_warning() -> None:
    with pytest.warns(ToolDefinitionWarning, match=r"no type hint for 'value'") as caught:

        @tool
        def anything(value) -> None:  # type: ignore[no-untyped-def]
            """Take anything."""

    assert caught[0].filename == __file__  # the warning points at the user's definition

    assert anything.spec.parameters["properties"]["value"] == {}
    assert anything.validate({"value": [1, "x"]}) == {"value": [1, "x"]}


def test_validation_errors_name_the_field() -> None:
    @tool
    def add(a: int, b: int) -> int:
        """Add."""
        return a + b

    with pytest.raises(ToolArgumentsError) as info:
        add.validate({"a": "seven", "c": 1})
    text = str(info.value)
    assert "a: Input should be a valid integer" in text
    assert "b: Field required" in text
    assert "c: Extra inputs are not permitted" in text
    assert info.value.tool_name == "add"


def test_star_args_and_positional_only_are_rejected() -> None:
    def star(*items: int) -> int:
        return 0

    def posonly(a: int, /) -> int:
        return a

    with pytest.raises(ConfigurationError, match="items"):
        tool(star)
    with pytest.raises(ConfigurationError, match="positional-only"):
        tool(posonly)


def test_not_callable_is_rejected() -> None:
    with pytest.raises(ConfigurationError):
        tool(42)  # type: ignore[call-overload]


def test_a_tool_without_a_description_is_warned_about_at_definition() -> None:
    def bare(x: int) -> int:
        return x

    with pytest.warns(ToolDefinitionWarning, match=r"tool 'bare': no description"):
        tool(bare)
    with pytest.warns(ToolDefinitionWarning, match=r"no description"):
        as_tools([bare])  # plain functions given to an agent are tools too


def test_a_described_typed_tool_warns_nothing() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")

        @tool(description="Double it.")
        def double(x: int) -> int:
            return 2 * x

    assert double.description == "Double it."


class _Point(BaseModel):
    x: int


class _Opaque:
    """A plain class: pydantic can check instances of it, but JSON Schema has no word for it."""


def test_a_parameter_type_with_no_json_schema_is_a_configuration_error_at_decoration() -> None:
    def locate(where: _Opaque) -> str:
        """Finds a place."""
        return "here"

    def remember(first: _Point, items: list[_Opaque] | None = None) -> str:
        """Keeps things."""
        return "kept"

    for func, param in ((locate, "where"), (remember, "items")):
        with pytest.raises(
            ConfigurationError, match=rf"tool {func.__name__!r}: parameter {param!r}"
        ) as info:
            tool(func)
        assert "_Opaque" in str(info.value) and "pydantic model" in str(info.value)
