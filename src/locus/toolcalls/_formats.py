"""The names of the text tool-call formats and how a ``formats=`` argument is read."""

from __future__ import annotations

import functools
from collections.abc import Sequence

from locus.core.errors import ConfigurationError

__all__ = [
    "PREFILLED_THINK",
    "TOOL_CALL_FORMATS",
    "FormatsArg",
    "resolve_formats",
]

HERMES = "hermes"
QWEN3_CODER = "qwen3_coder"
LLAMA_JSON = "llama_json"
LLAMA_PYTHON_TAG = "llama_python_tag"
MISTRAL = "mistral"
GLM = "glm"
THINK = "think"

TOOL_CALL_FORMATS: tuple[str, ...] = (
    HERMES,
    QWEN3_CODER,
    LLAMA_JSON,
    LLAMA_PYTHON_TAG,
    MISTRAL,
    GLM,
)
"""Every text tool-call format; ``"auto"`` means all of them."""

PREFILLED_THINK = "prefilled_think"
"""Opt-in option (never part of ``"auto"``): the chat template already opened
``<think>`` in the prompt (QwQ, Qwen3 *-Thinking-2507), so the message starts as
reasoning and a bare ``</think>`` ends it."""

FormatsArg = str | Sequence[str] | None


def resolve_formats(formats: FormatsArg) -> frozenset[str] | None:
    """The set of enabled names (formats plus options), or ``None`` when parsing is off."""
    if formats is None:
        return None
    if isinstance(formats, str):
        return _resolve_name(formats)  # (the usual case, once per streamed answer)
    enabled: set[str] = set()
    for name in formats:
        enabled.update(_expand(name))
    return frozenset(enabled)


@functools.lru_cache(maxsize=32)
def _resolve_name(name: str) -> frozenset[str]:
    """``resolve_formats`` of one name (an unknown one raises each time: errors are not cached)."""
    return frozenset(_expand(name))


def _expand(name: str) -> tuple[str, ...]:
    if name == "auto":
        return TOOL_CALL_FORMATS
    if name in TOOL_CALL_FORMATS or name == PREFILLED_THINK:
        return (name,)
    valid = ", ".join(("auto", *TOOL_CALL_FORMATS, PREFILLED_THINK))
    raise ConfigurationError(f"unknown tool-call format {name!r}; valid ones are: {valid}")
