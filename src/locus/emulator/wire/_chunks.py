"""Split reply text and tool-call arguments into stream-sized pieces."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime

__all__ = ["call_id", "now_iso", "split_arguments", "split_text"]

_WORDS = re.compile(r"\s*\S+\s*|\s+")


def split_text(text: str, chunk_chars: int = 0) -> list[str]:
    """``text`` as deltas: one word each, or about ``chunk_chars`` characters each."""
    if not text:
        return []
    if chunk_chars > 0:
        return [text[i : i + chunk_chars] for i in range(0, len(text), chunk_chars)]
    return _WORDS.findall(text)


def split_arguments(arguments: str, size: int = 8) -> list[str]:
    """A JSON arguments string cut into fragments, as gpt-oss streams them."""
    return [arguments[i : i + size] for i in range(0, len(arguments), size)] or [""]


def call_id() -> str:
    """A fresh tool-call id in OpenAI's ``call_`` form."""
    return "call_" + secrets.token_hex(12)


def now_iso() -> str:
    """The current UTC time as ISO 8601 with microseconds and a ``Z`` suffix."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
