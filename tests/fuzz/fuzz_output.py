"""Fuzz structured output: a model's answer text validated against an output schema
(``with_parsed`` for ``complete()``/``stream()`` with a ``response_format``, and the
agent's ``validate_json`` / ``validate_partial`` while an answer streams).

Input: byte 0 picks the schema (a pydantic model, ``int``, ``list[int]``, a JSON-schema
dict), the rest is the answer (UTF-8; undecodable bytes become lone surrogates, as a
JSON ``\\ud800`` escape in a stream event does).

Judged by: ``validate_json`` raises only ``InvalidOutput``; ``validate_partial`` and
``parse_partial`` never raise; ``with_parsed`` never raises and sets ``parsed`` or
``parse_error``.

Run: ``.venv/bin/python -m tests.fuzz.fuzz_output -dict=tests/fuzz/json.dict
-max_total_time=300 <corpus dir>``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from locus.core._output_schema import InvalidOutput, OutputSchema, output_schema
from locus.core.messages import Message
from locus.core.response import ModelResponse
from locus.models._wire.structured import with_parsed
from tests.fuzz._support import fuzz


class Answer(BaseModel):
    a: int
    b: list[str] = []


SCHEMAS: list[OutputSchema[Any]] = [
    output_schema(Answer),
    output_schema(int),
    output_schema(list[int]),
    output_schema({"name": "answer", "schema": {"type": "object"}}),
]


def check(schema: OutputSchema[Any], text: str) -> None:
    try:
        schema.validate_json(text)
        valid = True
    except InvalidOutput:
        valid = False
    schema.validate_partial(text)
    schema.parse_partial(text)
    response = with_parsed(ModelResponse(Message.assistant(text)), schema)
    if text.strip():
        assert (response.parse_error is None) == valid, (text, response.parse_error)


def test_one_input(data: bytes) -> None:
    if data:
        schema = SCHEMAS[data[0] % len(SCHEMAS)]
        check(schema, data[1:].decode("utf-8", "surrogateescape"))


if __name__ == "__main__":
    fuzz(test_one_input)
