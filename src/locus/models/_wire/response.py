"""Building the core ``ModelResponse`` from the pieces a decoder gathered."""

from __future__ import annotations

from locus.core.messages import Message, ToolCall
from locus.core.response import ModelResponse
from locus.core.usage import Usage
from locus.models._wire.stop import normalise_stop_reason
from locus.models._wire.surrogates import whole_text

__all__ = ["build_response", "usage_from_counts"]


def build_response(
    *,
    text: str | None,
    reasoning: str | None,
    tool_calls: list[ToolCall],
    raw_stop: str | None,
    usage: Usage | None,
    model_id: str | None = None,
    request_id: str | None = None,
) -> ModelResponse:
    """One assistant answer; empty text or reasoning becomes ``None``; text is valid
    Unicode (``whole_text``: surrogate halves joined or replaced)."""
    text = whole_text(text) if text else None
    reasoning = whole_text(reasoning) if reasoning else None
    message = Message.assistant(text, tool_calls, reasoning=reasoning)
    return ModelResponse(
        message=message,
        usage=usage if usage is not None else Usage(),
        stop_reason=normalise_stop_reason(raw_stop, has_tool_calls=bool(tool_calls)),
        raw_stop_reason=raw_stop,
        model_id=model_id,
        request_id=request_id,
    )


def usage_from_counts(
    prompt: int | None,
    completion: int | None,
    total: int | None,
    reasoning: int | None,
    cached: int | None,
) -> Usage:
    """A ``Usage`` with the counts reported; zero detail counts are left out.

    Detail counts (reasoning, cached) of 0 are omitted so that a plain answer prints
    as ``{'prompt_tokens': .., 'completion_tokens': .., 'total_tokens': ..}``.
    """
    return Usage(
        prompt_tokens=prompt,
        completion_tokens=completion,
        total_tokens=total,
        reasoning_tokens=reasoning or None,
        cached_tokens=cached or None,
    )
