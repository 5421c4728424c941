"""Texts covering every format, reasoning, refusals, CRLF and multi-byte characters."""

from __future__ import annotations

FIXTURES: dict[str, str] = {
    "hermes_prose": (
        'Sure — 天气?\r\n<tool_call>\r\n{"name": "w", "arguments": {"city": "Züri'
        'ch 😀"}}\r\n</tool_call>\r\nDone.'
    ),
    "hermes_variant_mix": (
        '<tool_call>{"name": "a"}</tool_call> then <tool_calling>{"name": "b", '
        '"arguments": "{\\"x\\": 1}"}</tool_calling><|im_end|>'
    ),
    "hermes_malformed": 'x <tool_call>{bad}</tool_call> y <tool_call>{"name": "ok"}',
    "hermes_unclosed_before_opener": (
        '<tool_call>{"name": "a"}\n<tool_call>{"name": "b"}</tool_call>'
    ),
    "coder_xml": (
        "<tool_call>\n<function=f>\n<parameter=n>\n4\n</parameter>\n<parameter="
        "t>\n多行\ntext\n</parameter>\n</function>\n</tool_call>"
    ),
    "llama_json_list": (
        '  {"name": "a", "parameters": {"s": "}{]["}};\n{"name": "b", "parameters": {}} tail {x}'
    ),
    "llama_not_a_call": '{"answer": "\\"quoted\\" 😀", "list": [1, {"a": []}]} and more',
    "llama_broken": '{"name": "a", "parameters": {"q": ',
    "python_tag": 'Checking… <|python_tag|>{"name": "a", "arguments": {}}; {"name": "b"}<|eom_id|>',
    "python_tag_bad": "<|python_tag|>search.call(q='x') after",
    "mistral_array": 'Voilà [TOOL_CALLS] [{"name": "a", "arguments": {"k": "é"}}, 3] fin',
    "mistral_compact": '[TOOL_CALLS]get_weather[ARGS]{"city": "東京"}[TOOL_CALLS]x[ARGS]{}',
    "mistral_bad": "[TOOL_CALLS] maybe not [TOOL_CALL [ARGS]",
    "think": "<think>\n考虑 <tool_call> inside\n</think>\n\n答案 42",
    "bare_think_close": 'reasoning…</think>\n\n<tool_call>\n{"name": "s"}\n</tool_call>\n\n ',
    "lookalikes": "a < b, [TOOL] <tool_ <thinker> [TOOL_CALLS <|python <|im_end| {not json",
    "empty": "",
}
