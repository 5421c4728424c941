"""``load_messages`` on documents of the right shape with wrong values: found by
coverage-guided fuzzing (tests/fuzz/fuzz_messages.py).

A role or image detail that was a JSON array or object raised ``TypeError: unhashable
type`` (looked up in a frozenset) instead of ``SerializationError``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from locus.core.errors import SerializationError
from locus.core.messages import dump_messages, load_messages


def _doc(*messages: Any) -> bytes:
    return json.dumps({"v": 1, "messages": list(messages)}).encode()


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (_doc({"role": []}), r"messages\[0\].role must be one of .*, got an array"),
        (_doc({"role": {"a": 1}}), r"messages\[0\].role must be one of .*, got an object"),
        (_doc({}), r"messages\[0\].role must be one of .*, got null"),
        (
            _doc({"role": "user", "images": [{"url": "u", "detail": ["low"]}]}),
            r"messages\[0\].images\[0\].detail must be one of .*, got an array",
        ),
        (
            _doc({"role": "user", "images": [{"url": "u", "detail": {}}]}),
            r"images\[0\].detail must be one of .*, got an object",
        ),
        (_doc({"role": [[[[[[[[[[[]]]]]]]]]]]}), "got an array"),
    ],
)
def test_unhashable_choice_values_are_a_serialization_error(data: bytes, match: str) -> None:
    with pytest.raises(SerializationError, match=match):
        load_messages(data)


_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=8,
)
_fields = ["role", "content", "tool_calls", "tool_call_id", "name", "reasoning", "images"]
_choices = st.sampled_from(["user", "assistant", "tool", "system", "auto", "low"]) | _values
_calls = st.fixed_dictionaries({}, optional={k: _values for k in ("id", "name", "arguments")})
_images = st.fixed_dictionaries({}, optional={"url": _choices, "detail": _choices})
_message = st.fixed_dictionaries(
    {},
    optional={
        **{k: _values for k in _fields},
        "role": _choices,
        "is_error": _values,
        "tool_calls": st.lists(_calls | _values, max_size=2),
        "images": st.lists(_images | _values, max_size=2),
    },
)


@settings(max_examples=80, deadline=None)
@given(st.lists(_message | _values, max_size=3))
def test_any_document_of_the_right_shape_loads_or_is_a_serialization_error(
    messages: list[Any],
) -> None:
    try:
        loaded = load_messages(_doc(*messages))
    except SerializationError:
        return
    try:
        written = dump_messages(loaded)
    except SerializationError:
        return  # (e.g. NaN in arguments: JSON reads it, the strict writer refuses it)
    assert load_messages(written) == loaded or repr(load_messages(written)) == repr(loaded)
