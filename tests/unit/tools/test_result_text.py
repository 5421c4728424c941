"""Tool results as text: every value a tool may plausibly return reaches the model."""

from __future__ import annotations

import dataclasses
import json

import pydantic
import pytest

from locus.core.errors import ToolExecutionError
from locus.tools._results import format_result

NAME = b"caf\xe9.txt".decode("utf-8", "surrogateescape")  # an undecodable OS file name


@dataclasses.dataclass
class Entry:
    name: str


class Listing(pydantic.BaseModel):
    names: list[str]


@pytest.mark.parametrize(
    "value",
    [
        {NAME: 12},  # file sizes by name: the name is a key
        {"sizes": {NAME: 12}},
        [{NAME: 1}, {"x": NAME}],
        (NAME, {NAME}),
        Entry(NAME),
        {"entry": Entry(NAME)},
        Listing(names=[NAME]),
    ],
)
def test_lone_surrogates_anywhere_become_escapes(value: object) -> None:
    text = format_result(value, "files")
    text.encode("utf-8")  # the next request is sent as UTF-8
    assert "\\udce9" in text
    json.loads(text.replace("\\udce9", "_"))  # the rest is JSON


def test_a_value_with_no_json_form_is_still_a_typed_error() -> None:
    with pytest.raises(ToolExecutionError, match="cannot be turned into JSON text"):
        format_result({NAME: object()}, "files")


def strict(text: str) -> object:
    """``text`` read as JSON proper: ``NaN`` and ``Infinity`` are refused, as a provider
    refuses a request body that holds them."""

    def refuse(constant: str) -> object:
        raise ValueError(f"{constant} is not JSON")

    return json.loads(text, parse_constant=refuse)


class Reading(pydantic.BaseModel):
    value: float


class LooseReading(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(ser_json_inf_nan="constants")
    value: float


@dataclasses.dataclass
class Sample:
    value: float


NAN, INF = float("nan"), float("inf")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (NAN, "NaN"),
        (INF, "Infinity"),
        (
            {"ratio": NAN, "limits": [-INF, INF, 1.5]},
            {"ratio": "NaN", "limits": ["-Infinity", "Infinity", 1.5]},
        ),
        ((NAN, 2), ["NaN", 2]),
        (Sample(NAN), {"value": "NaN"}),
        ({"sample": Sample(-INF)}, {"sample": {"value": "-Infinity"}}),
        (LooseReading(value=NAN), {"value": "NaN"}),  # its config writes the constants
        (Reading(value=INF), {"value": None}),  # pydantic's own default for models: null
        ({NAME: NAN}, {NAME: "NaN"}),  # (the fallback encoder: its text, valid UTF-8)
    ],
)
def test_numbers_json_cannot_hold_reach_the_model_as_strings(
    value: object, expected: object
) -> None:
    text = format_result(value, "measure")
    assert strict(text) == expected


def test_the_strings_nan_and_infinity_in_a_result_are_left_alone() -> None:
    value = {"note": "NaN is not a number; Infinity is big", "n": 1}
    assert format_result(value, "note") == '{"note":"NaN is not a number; Infinity is big","n":1}'
