"""JSON text built from fuzz data, shaped like what servers send: the wire formats' keys
and words, wrong types, huge and odd numbers, escapes (lone surrogates included) and
nesting from shallow to far past the parser's limit.

It builds *text*, not Python values, so that every value reaches the code under test
through the parser the SDK really uses, as a server's bytes would.
"""

from __future__ import annotations

import json

from tests.fuzz._support import Provider

__all__ = ["KEYS", "json_text", "string_text"]

KEYS = [
    "apiFormat",
    "chatResponse",
    "choices",
    "message",
    "content",
    "type",
    "text",
    "toolCalls",
    "id",
    "name",
    "arguments",
    "parameters",
    "function",
    "finishReason",
    "usage",
    "role",
    "promptTokens",
    "completionTokens",
    "totalTokens",
    "completionTokensDetails",
    "promptTokensDetails",
    "cachedTokens",
    "reasoningTokens",
    "reasoningContent",
    "index",
    "thinking",
    "toolPlan",
    "errorMessage",
    "modelId",
    "delta",
    "tool_calls",
    "finish_reason",
    "prompt_tokens",
    "completion_tokens",
    "total_tokens",
    "reasoning",
    "reasoning_content",
    "error",
    "model",
    "v",
    "messages",
    "tool_call_id",
    "images",
    "url",
    "detail",
    "is_error",
    "raw_arguments",
]
WORDS = [
    "GENERIC",
    "COHERE",
    "COHEREV2",
    "TEXT",
    "THINKING",
    "ASSISTANT",
    "FUNCTION",
    "stop",
    "ERROR",
    "COMPLETE",
    "tool_calls",
    "length",
    "",
    " ",
    "{",
    "}",
    '{"a": 1}',
    '"{\\"a\\": 1}"',
    "null",
    "[DONE]",
    "auto",
    "low",
    "user",
    "assistant",
    "tool",
    "system",
    "a",
    "call_0",
]
NUMBERS = [
    "0",
    "-0",
    "1",
    "-1",
    "0.5",
    "1e308",
    "-1e308",
    "1e309",
    "1.0",
    "2.0e0",
    "NaN",
    "Infinity",
    "-Infinity",
    "9" * 40,
    "-" + "9" * 40,
    "1" * 4400,
    "1e-400",
    "4294967296",
    "True",
]
ESCAPES = ["\\ud800", "\\udc00", "\\u0000", "\\n", '\\"', "\\\\", "\\/", "\\u00e9", "\\x"]
DEPTHS = [2, 20, 200, 900, 985, 995, 1100, 5000]


def string_text(p: Provider) -> str:
    """A JSON string literal: a wire word, or fuzz text with escapes mixed in."""
    if p.ConsumeBool():
        return json.dumps(WORDS[p.ConsumeIntInRange(0, len(WORDS) - 1)])
    parts = []
    for _ in range(p.ConsumeIntInRange(0, 3)):
        parts.append(json.dumps(p.ConsumeUnicodeNoSurrogates(8), ensure_ascii=False)[1:-1])
        if p.ConsumeBool():
            parts.append(ESCAPES[p.ConsumeIntInRange(0, len(ESCAPES) - 1)])
    return '"' + "".join(parts) + '"'


def json_text(p: Provider, depth: int = 0) -> str:
    """One JSON value as text (occasionally not quite JSON: ``NaN``, a bad escape)."""
    kind = p.ConsumeIntInRange(0, 9) if depth < 6 else p.ConsumeIntInRange(0, 4)
    if kind == 0:
        return ["null", "true", "false"][p.ConsumeIntInRange(0, 2)]
    if kind == 1:
        return NUMBERS[p.ConsumeIntInRange(0, len(NUMBERS) - 1)]
    if kind == 2:
        return str(p.ConsumeIntInRange(-(2**40), 2**40))
    if kind in (3, 4):
        return string_text(p)
    if kind == 5:
        return _deep(p)
    if kind in (6, 7):
        items = [json_text(p, depth + 1) for _ in range(p.ConsumeIntInRange(0, 4))]
        return "[" + ",".join(items) + "]"
    return object_text(p, depth)


def object_text(p: Provider, depth: int = 0) -> str:
    """A JSON object whose keys are mostly the wire formats' own."""
    members = []
    for _ in range(p.ConsumeIntInRange(0, 5)):
        key = json.dumps(KEYS[p.ConsumeIntInRange(0, len(KEYS) - 1)])
        if not p.ConsumeIntInRange(0, 7):
            key = string_text(p)
        members.append(f"{key}:{json_text(p, depth + 1)}")
    return "{" + ",".join(members) + "}"


def _deep(p: Provider) -> str:
    levels = DEPTHS[p.ConsumeIntInRange(0, len(DEPTHS) - 1)]
    if p.ConsumeBool():
        return "[" * levels + "]" * levels
    return '{"a":' * levels + "1" + "}" * levels
