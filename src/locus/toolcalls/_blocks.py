"""Decoding the payload of a ``<tool_call>``/``<tool_calling>`` block: Hermes JSON or
Qwen3-Coder XML, depending on what it holds and which formats are enabled."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from locus.toolcalls._calls import NamedArgs, decode_json_calls
from locus.toolcalls._coder_xml import Schemas, looks_like_coder_xml, parse_coder_xml
from locus.toolcalls._formats import HERMES, QWEN3_CODER

__all__ = ["BlockResult", "decode_block"]


@dataclass(slots=True)
class BlockResult:
    """The calls of one block, or ``error``; ``skipped`` lists array items that were
    not calls (text, reason)."""

    format: str
    calls: list[NamedArgs] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    error: str | None = None


def decode_block(body: str, enabled: Collection[str], schemas: Schemas) -> BlockResult:
    """Decode a block body; the format is chosen by the payload's first character."""
    if looks_like_coder_xml(body):
        return _coder(body, enabled, schemas)
    if HERMES not in enabled:
        return BlockResult(QWEN3_CODER, error="not a <function=...> payload")
    decoded = decode_json_calls(body.strip())
    return BlockResult(HERMES, decoded.calls, decoded.skipped, decoded.error)


def _coder(body: str, enabled: Collection[str], schemas: Schemas) -> BlockResult:
    if QWEN3_CODER not in enabled:
        return BlockResult(HERMES, error="Qwen3-Coder XML payload, format 'qwen3_coder' is off")
    parsed = parse_coder_xml(body, schemas)
    if isinstance(parsed, str):
        return BlockResult(QWEN3_CODER, error=parsed)
    return BlockResult(QWEN3_CODER, parsed)
