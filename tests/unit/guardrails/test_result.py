"""``GuardrailsResult``: reading the answer, flags at a threshold, redaction."""

from __future__ import annotations

from typing import Any

import pytest

from locus.core.errors import ResponseError
from locus.guardrails import CategoryScore, GuardrailsResult, PiiEntity
from locus.guardrails._result import parse_result

TEXT = "Call Ann at 555-123-4567 or ann@x.io"


def _answer(**results: Any) -> dict[str, Any]:
    return {"results": results, "guardrailVersion": {"version": "1.0.0"}}


def test_a_full_answer_is_read_into_types() -> None:
    answer = _answer(
        contentModeration={
            "categories": [
                {"name": "OVERALL", "score": 1, "flaggedModalities": ["TEXT"]},
                {"name": "BLOCKLIST", "score": 0.0},
            ]
        },
        personallyIdentifiableInformation=[
            {"label": "EMAIL", "text": "ann@x.io", "offset": 28, "length": 8, "score": 0.97},
            {"label": "PERSON", "text": "Ann", "offset": 5, "length": 3, "score": 0.4},
        ],
        promptInjection={"score": 0.0},
    )
    result = parse_result(TEXT, answer, "https://x")
    assert result.content_moderation == (
        CategoryScore("OVERALL", 1.0, ("TEXT",)),
        CategoryScore("BLOCKLIST", 0.0),
    )
    assert result.pii == (
        PiiEntity("PERSON", "Ann", 5, 3, 0.4),
        PiiEntity("EMAIL", "ann@x.io", 28, 8, 0.97),
    )
    assert result.prompt_injection == 0.0 and result.version == "1.0.0"
    assert result.flags() == ["content_moderation:OVERALL", "pii:EMAIL"]
    assert result.flags(0.3) == ["content_moderation:OVERALL", "pii:PERSON", "pii:EMAIL"]
    assert result.redacted() == "Call Ann at 555-123-4567 or [EMAIL]"
    assert result.redacted("<{label}>", threshold=0.3) == "Call <PERSON> at 555-123-4567 or <EMAIL>"


def test_checks_not_asked_for_are_none() -> None:
    result = parse_result("hi", _answer(promptInjection={"score": 1.0}), "https://x")
    assert result == GuardrailsResult("hi", None, None, 1.0, "1.0.0")
    assert result.flags() == ["prompt_injection"] and result.flagged()
    assert result.redacted() == "hi"


def test_overlapping_spans_are_redacted_once_and_wholly() -> None:
    result = GuardrailsResult(
        "abcdefgh",
        pii=(PiiEntity("A", "abcd", 0, 4, 0.9), PiiEntity("B", "cdef", 2, 4, 0.9)),
    )
    assert result.redacted() == "[A]gh"  # no piece of "cdef" is left


def test_offsets_in_utf16_units_still_redact_the_right_text() -> None:
    text = "🎉🎉 mail ann@x.io now"
    # a service counting UTF-16 code units puts the email at 10, Python at 8
    utf16 = GuardrailsResult(text, pii=(PiiEntity("EMAIL", "ann@x.io", 10, 8, 0.9),))
    assert utf16.redacted() == "🎉🎉 mail [EMAIL] now"
    shifted = GuardrailsResult(
        "ann@x.io and ann@x.io", pii=(PiiEntity("EMAIL", "ann@x.io", 3, 8, 0.9),)
    )
    assert shifted.redacted() == "[EMAIL] and [EMAIL]"
    nowhere = GuardrailsResult("nothing here", pii=(PiiEntity("EMAIL", "a@b.co", 40, 6, 0.9),))
    assert nowhere.redacted() == "nothing here"
    empty = GuardrailsResult("abc", pii=(PiiEntity("X", "", 1, 0, 0.9),))
    assert empty.redacted() == "abc"
    untexted = GuardrailsResult("call 555", pii=(PiiEntity("PHONE", "", 5, 3, 0.9),))
    assert untexted.redacted() == "call [PHONE]"


def test_the_repr_leaves_out_the_user_text() -> None:
    result = GuardrailsResult(TEXT, pii=(PiiEntity("EMAIL", "ann@x.io", 28, 8, 0.97),))
    assert "ann@" not in repr(result) and "555-123" not in repr(result)
    assert "EMAIL" in repr(result)


@pytest.mark.parametrize(
    "answer",
    [
        {"results": None},
        _answer(promptInjection={"score": "high"}),
        _answer(contentModeration={"categories": [{"score": 1.0}]}),
        _answer(personallyIdentifiableInformation=[{"label": "X", "text": "t", "offset": -1}]),
    ],
)
def test_a_malformed_answer_is_a_response_error(answer: dict[str, Any]) -> None:
    with pytest.raises(ResponseError, match="applyGuardrails"):
        parse_result("t", answer, "https://x")
