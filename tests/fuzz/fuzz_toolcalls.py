"""Fuzz the text tool-call parsers with arbitrary text, whole and streamed.

Input: byte 0 picks the formats, byte 1 the tools offered, bytes 2-3 seed the chunk
splits; the rest is the model's text (UTF-8; undecodable bytes become lone surrogates,
which a JSON string from a server may hold too).

Judged by: nothing raises; the same text in random chunks gives the same content, calls
(same ids from a deterministic factory), reasoning and problems as whole; calls have a
name and dict arguments; and the model-level wrappers the SDK calls (``parse_response_text``
for ``complete()``, ``StreamTextCalls`` for ``stream()``) agree on the final answer.

Run: ``.venv/bin/python -m tests.fuzz.fuzz_toolcalls -dict=tests/fuzz/toolcalls.dict
-max_total_time=600 <corpus dir>`` (see tests/fuzz/README.md).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

from locus.core.messages import Message
from locus.core.response import ModelResponse, StreamEvent
from locus.core.toolspec import ToolSpec
from locus.models.http._textcalls import StreamTextCalls, parse_response_text
from locus.toolcalls import ParsedText, ReasoningText, ToolCallStreamParser, parse_tool_calls
from tests.fuzz._support import chunks, fuzz

FORMAT_SETS: list[Any] = [
    "auto",
    ["auto", "prefilled_think"],
    "hermes",
    "qwen3_coder",
    "llama_json",
    "llama_python_tag",
    "mistral",
    "glm",
    ["hermes", "qwen3_coder"],
    ["hermes", "glm"],
    ["llama_json", "llama_python_tag"],
    ["mistral", "prefilled_think"],
]
SCHEMA = {
    "type": "object",
    "properties": {
        "n": {"type": "integer"},
        "x": {"type": ["null", "number"]},
        "b": {"type": "boolean"},
        "l": {"type": "array"},
        "o": {"type": "object"},
        "s": {"type": "string"},
        "z": {"type": "null"},
        "bad": {"type": 7},
    },
}
TOOL_SETS: list[list[ToolSpec] | None] = [
    None,
    [ToolSpec("a", "", SCHEMA), ToolSpec("f", "", SCHEMA)],
    [ToolSpec("get_weather", "", {"type": "object"}), ToolSpec("f", "", {"properties": []})],
]


def ids() -> Callable[[], str]:
    counter = itertools.count()
    return lambda: f"call_{next(counter)}"


def streamed(pieces: Sequence[str], formats: Any, tools: list[ToolSpec] | None) -> ParsedText:
    parser = ToolCallStreamParser(formats, tools=tools, id_factory=ids())
    items: list[Any] = []
    for piece in pieces:
        items += parser.feed(piece)
    items += parser.close()
    assert parser.close() == []
    content = "".join(i for i in items if isinstance(i, str))
    calls = [i for i in items if not isinstance(i, str | ReasoningText)]
    reasoning = "".join(i.text for i in items if isinstance(i, ReasoningText)) or None
    return ParsedText(content, calls, reasoning, parser.problems)


def check_parser(text: str, pieces: list[str], formats: Any, tools: list[ToolSpec] | None) -> None:
    whole = parse_tool_calls(text, formats, tools=tools, id_factory=ids())
    for call in whole.tool_calls:
        assert isinstance(call.name, str) and call.name.strip(), call
        assert isinstance(call.arguments, dict), call
    split = streamed(pieces, formats, tools)
    assert split == whole, (pieces, split, whole)


def check_model_level(text: str, pieces: list[str], formats: Any, tools: list[ToolSpec]) -> None:
    answer = ModelResponse(Message.assistant(text), stop_reason="stop")
    complete = parse_response_text(answer, formats, tools)
    wrapper = StreamTextCalls(formats, tools)
    shown: list[StreamEvent] = []
    for piece in pieces:
        shown += wrapper.feed(StreamEvent(content=piece))
    shown += wrapper.finish(StreamEvent.final(answer))
    final = shown[-1].response
    assert final is not None
    visible = "".join(e.content or "" for e in shown[:-1])
    calls = final.message.tool_calls
    assert final.message.content == (visible if visible.strip() or not calls else None)
    got = (final.message.content, final.message.reasoning, final.stop_reason)
    want = (complete.message.content, complete.message.reasoning, complete.stop_reason)
    assert got == want, (got, want)
    assert _calls(final) == _calls(complete)


def _calls(response: ModelResponse) -> list[tuple[str, dict[str, Any], str | None]]:
    return [(c.name, c.arguments, c.raw_arguments) for c in response.message.tool_calls]


def test_one_input(data: bytes) -> None:
    if len(data) < 4:
        return
    formats = FORMAT_SETS[data[0] % len(FORMAT_SETS)]
    tools = TOOL_SETS[data[1] % len(TOOL_SETS)]
    seed = int.from_bytes(data[2:4], "little")
    text = data[4:].decode("utf-8", "surrogateescape")
    pieces = list(chunks(text, seed))
    check_parser(text, pieces, formats, tools)
    if tools:
        check_model_level(text, pieces, formats, tools)


if __name__ == "__main__":
    fuzz(test_one_input)
