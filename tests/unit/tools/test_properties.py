"""Property tests: no docstring or argument payload makes the tool layer fail untyped."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from locus.core.errors import ToolArgumentsError
from locus.core.messages import ToolCall
from locus.tools import ToolExecutor, tool
from locus.tools._docstrings import parse_docstring

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@tool
def typed(count: int, names: list[str], ratio: float = 1.0, flag: bool | None = None) -> str:
    """A tool with several argument types."""
    return f"{count} {names} {ratio} {flag}"


@given(st.text())
def test_any_docstring_parses(text: str) -> None:
    doc = parse_docstring(text)
    assert isinstance(doc.summary, str)
    assert all(isinstance(v, str) for v in doc.params.values())


@given(st.dictionaries(st.sampled_from(["count", "names", "ratio", "flag", "other"]), JSON))
def test_any_arguments_validate_or_raise_a_tool_arguments_error(arguments: dict[str, Any]) -> None:
    try:
        kwargs = typed.validate(arguments)
    except ToolArgumentsError as exc:
        assert exc.tool_name == "typed"
    else:
        assert isinstance(kwargs["count"], int) and isinstance(kwargs["names"], list)


@settings(max_examples=50)
@given(JSON)
async def test_any_payload_becomes_a_tool_message(arguments: Any) -> None:
    outcome = await ToolExecutor([typed]).run_one(ToolCall("c", "typed", arguments))
    assert outcome.message.role == "tool" and outcome.message.tool_call_id == "c"
    assert outcome.message.is_error == (outcome.error is not None)
