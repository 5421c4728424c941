"""The literal tags of the text tool-call formats, and the marker sets searched for."""

from __future__ import annotations

import functools

from locus.toolcalls._formats import GLM, HERMES, LLAMA_PYTHON_TAG, MISTRAL, QWEN3_CODER
from locus.toolcalls._markers import MarkerSet

THINK_OPEN, THINK_CLOSE = "<think>", "</think>"
GLM_STOPS = ["<|observation|>", "<|user|>", "<|endoftext|>"]
"""GLM's stop tokens, which a server that keeps special tokens leaves in the text."""
PYTHON_TAG, MISTRAL_TAG, ARGS_TAG = "<|python_tag|>", "[TOOL_CALLS]", "[ARGS]"
BLOCK_CLOSERS = {"<tool_call>": "</tool_call>", "<tool_calling>": "</tool_calling>"}
BLOCK_MARKERS = MarkerSet([*BLOCK_CLOSERS, *BLOCK_CLOSERS.values()])
THINK_MARKERS = MarkerSet([THINK_OPEN, THINK_CLOSE])
BARE_CLOSE = (
    "closing </think> without an opening <think>: the text before it was passed on as "
    "content (add 'prefilled_think' to formats when the chat template opens <think>)"
)


@functools.lru_cache(maxsize=64)
def text_markers(enabled: frozenset[str]) -> MarkerSet:
    """The markers to look for in visible text when ``enabled`` formats are on."""
    markers = [THINK_OPEN, THINK_CLOSE]
    if enabled & {HERMES, QWEN3_CODER, GLM}:
        markers += [*BLOCK_CLOSERS, "<|im_end|>"]
    if GLM in enabled:
        markers += GLM_STOPS
    if LLAMA_PYTHON_TAG in enabled:
        markers += [PYTHON_TAG, "<|eot_id|>", "<|eom_id|>"]
    if MISTRAL in enabled:
        markers.append(MISTRAL_TAG)
    return MarkerSet(markers)
