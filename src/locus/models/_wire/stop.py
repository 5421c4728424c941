"""Normalisation of providers' stop reasons to ``locus.core.StopReason``."""

from __future__ import annotations

from locus.core.response import StopReason

__all__ = ["normalise_stop_reason"]

_STOP_REASONS: dict[str, StopReason] = {
    # OpenAI / OCI GENERIC (lower case), Gemini and Anthropic spellings
    "stop": "stop",
    "end_turn": "stop",
    "stop_sequence": "stop",
    "eos": "stop",
    "length": "length",
    "max_tokens": "length",
    "tool_calls": "tool_calls",
    "tool_call": "tool_calls",
    "function_call": "tool_calls",
    "tool_use": "tool_calls",
    "content_filter": "content_filter",
    "safety": "content_filter",
    "recitation": "content_filter",
    "blocklist": "content_filter",
    "prohibited_content": "content_filter",
    "error": "error",
    # OCI COHERE (V1) and COHEREV2 enums (wire-spec §3.2)
    "complete": "stop",
    "error_toxic": "content_filter",
    "error_limit": "length",
    "user_cancel": "error",
}


def normalise_stop_reason(raw: str | None, *, has_tool_calls: bool) -> StopReason | None:
    """The core stop reason for a provider's word (any case); ``None`` when unknown.

    A turn that carries tool calls but says it simply stopped (Llama, Cohere V1's
    ``COMPLETE``) is reported as ``"tool_calls"``.
    """
    reason = _STOP_REASONS.get(raw.strip().lower()) if raw else None
    if has_tool_calls and reason in (None, "stop"):
        return "tool_calls"
    return reason
