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
