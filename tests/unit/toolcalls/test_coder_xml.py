"""Qwen3-Coder XML calls and their schema-driven value coercion."""

from __future__ import annotations

from typing import Any

from locus.core import ToolSpec
from tests.unit.toolcalls.helpers import calls, whole

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "n": {"type": "integer"},
        "x": {"type": "number"},
        "ok": {"type": "boolean"},
        "tags": {"type": "array"},
        "opts": {"type": "object"},
        "maybe": {"type": ["integer", "null"]},
        "s": {"type": "string"},
    },
}
TOOLS = [ToolSpec("f", parameters=SCHEMA)]


def _block(params: str, name: str = "f") -> str:
    return f"<tool_call>\n<function={name}>\n{params}</function>\n</tool_call>"


def _param(key: str, value: str) -> str:
    return f"<parameter={key}>\n{value}\n</parameter>\n"


def test_values_are_coerced_by_the_tool_schema() -> None:
    params = "".join(
        _param(k, v)
        for k, v in [
            ("n", "42"),
            ("x", "2.5"),
            ("ok", "True"),
            ("tags", '["a", 1, true]'),
            ("opts", '{"deep": null}'),
            ("maybe", "7"),
            ("s", "007"),
        ]
    )
    parsed = whole(_block(params), tools=TOOLS)
    assert calls(parsed) == [
        (
            "f",
            {
                "n": 42,
                "x": 2.5,
                "ok": True,
                "tags": ["a", 1, True],
                "opts": {"deep": None},
                "maybe": 7,
                "s": "007",
            },
        )
    ]


def test_values_that_do_not_fit_stay_text_for_the_tool_to_reject() -> None:
    params = _param("n", "forty") + _param("ok", "1") + _param("tags", "{}") + _param("x", "true")
    parsed = whole(_block(params), tools=TOOLS)
    assert calls(parsed) == [("f", {"n": "forty", "ok": "1", "tags": "{}", "x": "true"})]


def test_without_a_schema_values_stay_strings_and_multiline_text_is_kept() -> None:
    parsed = whole(_block(_param("n", "42") + _param("code", "a\n  b\n")))
    assert calls(parsed) == [("f", {"n": "42", "code": "a\n  b\n"})]


def test_several_functions_and_blocks() -> None:
    one = _block(_param("s", "a")) + "\n" + _block("", name="g")
    assert calls(whole(one, tools=TOOLS)) == [("f", {"s": "a"}), ("g", {})]
    two = "<tool_call><function=a></function><function=b></function></tool_call>"
    assert calls(whole(two)) == [("a", {}), ("b", {})]


def test_malformed_xml_is_text_and_reported() -> None:
    for body in (
        "<function=f><parameter=a>1</function>",
        "<function=f>stray<parameter=a>1</parameter></function>",
        "<function=f>",
        "<function=f></function> junk",
    ):
        text = f"<tool_call>{body}</tool_call>"
        parsed = whole(text)
        assert (parsed.content, parsed.tool_calls) == (text, []), body
        assert parsed.problems[0].format == "qwen3_coder"


def test_xml_payload_refused_when_qwen3_coder_is_off() -> None:
    text = _block(_param("s", "a"))
    parsed = whole(text, "hermes")
    assert (parsed.content, parsed.tool_calls) == (text, [])
    assert "qwen3_coder" in parsed.problems[0].reason
