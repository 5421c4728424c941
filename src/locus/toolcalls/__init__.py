"""Text tool calls: Hermes/Qwen ``<tool_call>``, Qwen3-Coder XML, Llama 3 JSON and
``<|python_tag|>``, Mistral ``[TOOL_CALLS]``, plus ``<think>`` reasoning.

Pure and incremental: ``parse_tool_calls`` for a whole message,
``ToolCallStreamParser`` for a stream; both give the same result. See
``docs/toolcalls.md`` for the formats and the decisions taken where peers disagree.
"""

from locus.toolcalls._formats import PREFILLED_THINK, TOOL_CALL_FORMATS
from locus.toolcalls._parse import parse_tool_calls
from locus.toolcalls._results import ParsedText, ParseProblem, ReasoningText, StreamItem
from locus.toolcalls._stream import ToolCallStreamParser

__all__ = [
    "PREFILLED_THINK",
    "TOOL_CALL_FORMATS",
    "ParseProblem",
    "ParsedText",
    "ReasoningText",
    "StreamItem",
    "ToolCallStreamParser",
    "parse_tool_calls",
]
