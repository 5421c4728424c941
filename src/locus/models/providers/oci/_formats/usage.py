"""OCI ``Usage`` (camelCase, with optional token details) as a core ``Usage``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from locus.core.usage import Usage
from locus.models._wire.response import usage_from_counts
from locus.models._wire.shape import opt_int, opt_map

__all__ = ["decode_usage"]


def decode_usage(usage: Mapping[str, Any] | None) -> Usage | None:
    """Prompt, completion, total, reasoning and cached counts; ``None`` when absent."""
    if usage is None:
        return None
    completion = opt_map(usage, "completionTokensDetails", "usage") or {}
    prompt = opt_map(usage, "promptTokensDetails", "usage") or {}
    return usage_from_counts(
        opt_int(usage, "promptTokens", "usage"),
        opt_int(usage, "completionTokens", "usage"),
        opt_int(usage, "totalTokens", "usage"),
        opt_int(completion, "reasoningTokens", "usage.completionTokensDetails"),
        opt_int(prompt, "cachedTokens", "usage.promptTokensDetails"),
    )
