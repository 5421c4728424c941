"""Every case of tests/data/conformance/toolcall_peer_cases.json, whole and streamed.

Content is compared after ``strip()``: Locus keeps whitespace around markup verbatim
(so streamed text never has to be taken back), while some peers strip it. The cases
where Locus deliberately decides otherwise are listed in ``EXCEPTIONS`` (and in
docs/toolcalls.md); they assert the Locus behaviour instead.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from locus.core import ToolCall, ToolSpec
from locus.toolcalls import ParsedText, ReasoningText, ToolCallStreamParser, parse_tool_calls
from tests.conftest import DATA_DIR

CORPUS = DATA_DIR / "conformance" / "toolcall_peer_cases.json"
PICK_SCHEMA = {"type": "object", "properties": {"items": {"type": "array"}}}
TOOLS = [ToolSpec("pick", parameters=PICK_SCHEMA)]

NON_OBJECT_ARGUMENTS = (
    "arguments that are not a JSON object (nor a string holding one) cannot be a "
    "ToolCall (arguments is a dict): the block stays text and is reported"
)
EXCEPTIONS: dict[str, str] = {
    "05-test_hermes_parser_non_streaming_bare_string_arguments": NON_OBJECT_ARGUMENTS,
    "12-test_hermes_streaming_string_arguments_match_non_streaming_h": NON_OBJECT_ARGUMENTS,
    "13-test_hermes_streaming_string_arguments_match_non_streaming_a": NON_OBJECT_ARGUMENTS,
    "17-test_extract_tool_calls_simple": (
        "Llama JSON is a whole-message format: JSON inside prose stays text (vLLM extracts "
        "it and drops the prose)"
    ),
    "38-test_streaming_partial_bot_token_does_not_leak_prefix": (
        "only the suffix that could become an opener ('<tool') is held; 'I think ' flows "
        "at once (SGLang holds the whole chunk)"
    ),
    "54-test_json_array_with_invalid_json": (
        "a malformed [TOOL_CALLS] payload is kept as text and reported (SGLang drops it)"
    ),
}
MALFORMED = {  # calls == [] because markup was refused: it must be kept AND reported
    "03-test_hermes_parser_non_streaming_tool_call_invalid_json",
    "22-test_extract_tool_calls_invalid_json",
    "31-test_malformed_json",
    "36-test_malformed_json_is_skipped",
    "41-test_non_object_array_entries_are_skipped_qwen25_1_2",
    "44-test_malformed_json_returns_original_text",
    "58-test_extract_malformed_block_left_in_text",
    "61-test_extract_does_not_match_mismatched_open_close",
    "65-test_stream_unclosed_tool_call_flushed_at_end_of_stream",
}
MARKUP = re.compile(r"</?tool_call|\[TOOL_CALLS\]|<\|python_tag\|>|</?think>|<function=")


def _case_id(index: int, case: dict[str, Any]) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "_", case["test"]).strip("_")[:60]
    return f"{index:02d}-{slug}"


def _load() -> list[tuple[str, dict[str, Any]]]:
    cases = json.loads(CORPUS.read_text(encoding="utf-8"))
    return [(_case_id(i, case), case) for i, case in enumerate(cases)]


CASES = _load()


def _ids() -> Callable[[], str]:
    counter = itertools.count()
    return lambda: f"call_{next(counter)}"


def _tools(case: dict[str, Any]) -> list[ToolSpec] | None:
    return TOOLS if "<function=pick>" in case["text"] else None


def _whole(case: dict[str, Any]) -> ParsedText:
    return parse_tool_calls(case["text"], tools=_tools(case), id_factory=_ids())


def _streamed(case: dict[str, Any], chunks: Sequence[str]) -> tuple[ParsedText, list[Any]]:
    parser = ToolCallStreamParser(tools=_tools(case), id_factory=_ids())
    items = [item for chunk in chunks for item in parser.feed(chunk)] + parser.close()
    content = "".join(i for i in items if isinstance(i, str))
    calls = [i for i in items if isinstance(i, ToolCall)]
    reasoning = "".join(i.text for i in items if isinstance(i, ReasoningText)) or None
    return ParsedText(content, calls, reasoning, parser.problems), items


def _calls(parsed: ParsedText) -> list[dict[str, Any]]:
    return [{"name": c.name, "arguments": c.arguments} for c in parsed.tool_calls]


def _chunkings(case: dict[str, Any]) -> list[list[str]]:
    text = case["text"]
    chunkings = [list(text), [text[i : i + 7] for i in range(0, len(text), 7)]]
    if "chunks" in case:
        chunkings.append(case["chunks"])
    return chunkings


@pytest.mark.parametrize(("case_id", "case"), CASES, ids=[c[0] for c in CASES])
def test_corpus_case(case_id: str, case: dict[str, Any]) -> None:
    parsed = _whole(case)
    if case_id in EXCEPTIONS:
        _assert_exception(case_id, case, parsed)
        return
    assert _calls(parsed) == case["expected_calls"]
    if case["expected_content"] is not None:
        assert parsed.content.strip() == case["expected_content"].strip()
    if case_id in MALFORMED:
        assert parsed.problems, "refused markup must be reported"
        assert all(p.text in parsed.content for p in parsed.problems)
    elif parsed.tool_calls:
        assert not MARKUP.search(parsed.content)


@pytest.mark.parametrize(("case_id", "case"), CASES, ids=[c[0] for c in CASES])
def test_corpus_case_streamed_equals_whole(case_id: str, case: dict[str, Any]) -> None:
    whole = _whole(case)
    for chunks in _chunkings(case):
        streamed, items = _streamed(case, chunks)
        assert streamed == whole
        if whole.tool_calls and case_id not in MALFORMED:
            texts = [item for item in items if isinstance(item, str)]
            assert not any(MARKUP.search(text) for text in texts), "markup leaked"


def _assert_exception(case_id: str, case: dict[str, Any], parsed: ParsedText) -> None:
    text = case["text"]
    if EXCEPTIONS[case_id] == NON_OBJECT_ARGUMENTS:
        assert parsed.tool_calls == []
        assert parsed.content == text
        assert [p.text for p in parsed.problems] == [text]
        assert "not a JSON object" in parsed.problems[0].reason
    elif case_id.startswith("17-"):
        assert (parsed.content, parsed.tool_calls, parsed.problems) == (text, [], [])
    elif case_id.startswith("38-"):
        parser = ToolCallStreamParser()
        assert parser.feed(text) == ["I think "]
        assert parser.close() == ["<tool"]
    elif case_id.startswith("54-"):
        assert (parsed.content, parsed.tool_calls) == (text, [])
        assert parsed.problems[0].format == "mistral"
    else:  # pragma: no cover - every exception needs its own assertion
        pytest.fail(f"no assertion written for exception {case_id}")


def test_chunked_cases_per_delta() -> None:
    """Per-delta guarantees the peers assert on their own pre-chunked inputs."""
    parser = ToolCallStreamParser()
    assert parser.feed("see <") == ["see "]
    assert parser.feed("nope, just less-than") == ["<nope, just less-than"]
    parser = ToolCallStreamParser()
    assert parser.feed("hello <tool_") == ["hello "]
    items = parser.feed('call>\n{"name": "search", "arguments": {"query": "hi"}}\n</tool_call>')
    assert [(i.name, i.arguments) for i in items if isinstance(i, ToolCall)] == [
        ("search", {"query": "hi"})
    ]
    parser = ToolCallStreamParser()
    assert parser.feed("Sure! ") == ["Sure! "]
    assert parser.feed("[TOOL_") == []
    assert parser.feed("CALLS]get_weather") == []
    (call,) = parser.feed('[ARGS]{"city": "Beijing"}')
    assert isinstance(call, ToolCall) and call.arguments == {"city": "Beijing"}


def test_exceptions_and_malformed_ids_exist() -> None:
    ids = {case_id for case_id, _ in CASES}
    assert set(EXCEPTIONS) <= ids
    assert ids >= MALFORMED
