"""Decoding the payload of a ``<tool_call>``/``<tool_calling>`` block: Hermes JSON,
Qwen3-Coder XML or GLM's name and ``<arg_key>`` pairs, depending on what it holds and
which formats are enabled."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field

from locus.toolcalls._calls import NamedArgs, decode_json_calls
from locus.toolcalls._coder_xml import Schemas, looks_like_coder_xml, parse_coder_xml
from locus.toolcalls._formats import GLM, HERMES, QWEN3_CODER
from locus.toolcalls._glm import looks_like_glm, parse_glm

__all__ = [
    "BlockResult",
    "decode_block",
    "intended_tool",
]


@dataclass(slots=True)
class BlockResult:
    """The calls of one block, or ``error``; ``skipped`` lists array items that were
    not calls (text, reason)."""

    format: str
    calls: list[NamedArgs] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    error: str | None = None


def decode_block(body: str, enabled: Collection[str], schemas: Schemas) -> BlockResult:
    """Decode a block body; the format is chosen by what the payload holds: ``<function=``
    first (Qwen3-Coder), a name with ``<arg_key>`` pairs (GLM), else JSON (Hermes)."""
    if looks_like_coder_xml(body):
        return _coder(body, enabled, schemas)
    if looks_like_glm(body) and _glm_call(body, schemas):
        return _glm(body, enabled, schemas)
    if HERMES not in enabled:
        fmt = QWEN3_CODER if QWEN3_CODER in enabled else GLM
        return BlockResult(fmt, error="neither a <function=...> nor a GLM payload")
    decoded = decode_json_calls(body.strip())
    return BlockResult(HERMES, decoded.calls, decoded.skipped, decoded.error)


def _coder(body: str, enabled: Collection[str], schemas: Schemas) -> BlockResult:
    if QWEN3_CODER not in enabled:
        return BlockResult(HERMES, error="Qwen3-Coder XML payload, format 'qwen3_coder' is off")
    parsed = parse_coder_xml(body, schemas)
    if isinstance(parsed, str):
        return BlockResult(QWEN3_CODER, error=parsed)
    return BlockResult(QWEN3_CODER, parsed)


def _glm_call(body: str, schemas: Schemas) -> bool:
    """A GLM payload, unless it is a bare word that names no offered tool (then it is
    Hermes's, and malformed: ``<tool_call>oops</tool_call>`` is no call to ``oops``;
    without ``tools=`` no bare word is a call)."""
    return "<arg_key>" in body or body.strip() in schemas


def _glm(body: str, enabled: Collection[str], schemas: Schemas) -> BlockResult:
    if GLM not in enabled:
        return BlockResult(HERMES, error="GLM <arg_key> payload, format 'glm' is off")
    parsed = parse_glm(body, schemas)
    if isinstance(parsed, str):
        return BlockResult(GLM, error=parsed)
    return BlockResult(GLM, parsed)


_JSON_NAME = re.compile(r'"name"\s*:\s*"([^"\\]{1,200})"')
_CODER_NAME = re.compile(r"<function=([^>\s]{1,200})>")
_GLM_NAME = re.compile(r"\s*([^\s<]{1,200})\s*<arg_key>")


def intended_tool(body: str, schemas: Schemas) -> str | None:
    """The offered tool a block that could not be decoded names (``"name": "add"``,
    ``<function=add>``, ``add<arg_key>``), or ``None``: then nothing says which tool the
    model meant, and the block stays text."""
    for pattern in (_JSON_NAME, _CODER_NAME, _GLM_NAME):
        found = pattern.search(body) if pattern is not _GLM_NAME else pattern.match(body)
        if found is not None and found.group(1) in schemas:
            return found.group(1)
    return None
