"""Structured output on an answer holding a lone UTF-16 surrogate: found by fuzzing
(tests/fuzz/fuzz_output.py).

A JSON ``"\\ud83d"`` escape in an answer (a server that splits an emoji's surrogate pair
between deltas sends one) decodes to a lone surrogate. pydantic-core cannot take such a
``str`` and raised ``TypeError``, which escaped ``complete()`` with a JSON-schema dict as
``response_format`` (``with_parsed``) and the agent's partial validation of a streamed
answer. It is now an answer that does not validate (``parse_error``), as it already was
for a pydantic model.

Since then a decoder passes on valid Unicode only (``locus.models._wire.surrogates``): a
half with no partner in a model's answer becomes U+FFFD, so such an answer from the wire
parses, with the replacement character where the broken one was. The schema's own check
still refuses a lone surrogate reaching it another way (a ``FunctionModel``, a hook).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from locus.core._output_schema import InvalidOutput, output_schema
from locus.models._openai import decode_openai_chat
from locus.models._wire.structured import schema_of, with_parsed
from tests.fuzz import fuzz_output

DICT_FORMAT = {"name": "answer", "schema": {"type": "object"}}
BODY = {"choices": [{"message": {"content": '{"a": "\ud83d"}'}, "finish_reason": "stop"}]}


class Answer(BaseModel):
    a: str


@pytest.mark.parametrize("fmt", [DICT_FORMAT, Answer], ids=["dict schema", "model"])
def test_complete_with_a_lone_surrogate_in_the_answer_parses_with_the_replacement(
    fmt: Any,
) -> None:
    response = with_parsed(decode_openai_chat(BODY), schema_of(fmt))
    assert response.parse_error is None
    parsed = response.parsed
    assert (parsed["a"] if isinstance(parsed, dict) else parsed.a) == "\ufffd"


def test_a_dict_schema_refuses_it_as_invalid_json() -> None:
    schema = output_schema(DICT_FORMAT)
    with pytest.raises(InvalidOutput, match="lone UTF-16 surrogate"):
        schema.validate_json('{"a": "\udc00"}')


@pytest.mark.parametrize("fmt", [DICT_FORMAT, Answer, int], ids=["dict schema", "model", "int"])
def test_partial_answers_with_a_lone_surrogate_are_not_readable_yet(fmt: Any) -> None:
    schema = output_schema(fmt)
    assert schema.validate_partial('{"a": "\ud800') is None
    assert schema.parse_partial('{"a": "\ud800') is None


_answers = st.lists(
    st.sampled_from(['{"a": ', '"', "1", "}", "[", "]", "\ud800", "\\ud83d", "NaN", "```json\n"])
    | st.text(max_size=4),
    max_size=12,
).map("".join)


@settings(max_examples=150, deadline=None)
@given(schema=st.sampled_from(fuzz_output.SCHEMAS), text=_answers)
def test_any_answer_validates_or_is_refused_never_raises(schema: Any, text: str) -> None:
    fuzz_output.check(schema, text)  # (the fuzz harness's check, bounded)
