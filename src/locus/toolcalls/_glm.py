"""GLM calls (Z.ai GLM-4.5 and later):
``<tool_call>name<arg_key>k</arg_key><arg_value>v</arg_value></tool_call>``.

One call per block: the tool's name, then one ``<arg_key>``/``<arg_value>`` pair per
argument (whitespace, newlines included, around and between them), or no pair for a
call without arguments. The chat template writes string values as they are and other
values as JSON, so a value is decoded by the type the tool's JSON Schema declares, as
Qwen3-Coder XML values are (``coerce_value``). Format as published in the GLM-4.5 and
GLM-4.7 chat templates (zai-org on Hugging Face).
"""

from __future__ import annotations

import re

from locus.toolcalls._calls import NamedArgs
from locus.toolcalls._coder_xml import Schemas, coerce_value

__all__ = ["MAX_HEAD", "NAME_START", "is_glm_head", "looks_like_glm", "parse_glm"]

_PAIR = re.compile(r"<arg_key>(.*?)</arg_key>\s*<arg_value>(.*?)</arg_value>", re.DOTALL)
_NAME = re.compile(r"[A-Za-z0-9_.:\-]+")
NAME_START = _NAME
"""A character that may start a tool's name (``match`` it on one character)."""
_HEAD = re.compile(r"\s*[A-Za-z0-9_.:\-]+\s*")


def looks_like_glm(payload: str) -> bool:
    """Whether a ``<tool_call>`` payload is GLM's: a name and ``<arg_key>`` pairs, or a
    name alone (a call without arguments). JSON payloads start with ``{`` or ``[``."""
    stripped = payload.strip()
    if not stripped or stripped[0] in "{[<":
        return False
    return "<arg_key>" in stripped or _NAME.fullmatch(stripped) is not None


MAX_HEAD = 256
"""Characters a name and the blanks around it may take before ``<``: past them, prose."""


def is_glm_head(text: str) -> bool | None:
    """Whether ``text`` (what follows ``<tool_call>`` so far) starts a GLM payload:
    ``True`` once a name is followed by ``<``, ``False`` once it cannot (prose that
    mentions the tag, or a "name" longer than ``MAX_HEAD``), ``None`` while it may still
    be either. Only the head decides, so any split of a text decides alike."""
    match = _HEAD.match(text)
    if match is None:
        return False if text.strip() else None
    if match.end() > MAX_HEAD:
        return False
    if match.end() == len(text):
        return None
    return text[match.end()] == "<"


def parse_glm(payload: str, schemas: Schemas) -> list[NamedArgs] | str:
    """The call in a payload, or the reason it is malformed."""
    first = payload.find("<arg_key>")
    end = len(payload) if first < 0 else first
    name = payload[:end].strip()
    if _NAME.fullmatch(name) is None:
        return "not a tool's name before the first <arg_key>"
    properties = (schemas.get(name) or {}).get("properties") or {}
    arguments = {}
    for match in _PAIR.finditer(payload, end):
        if payload[end : match.start()].strip():
            return "text outside <arg_key>/<arg_value> pairs"
        key = match.group(1).strip()
        if not key:
            return "an empty <arg_key>"
        arguments[key] = coerce_value(match.group(2), properties.get(key))
        end = match.end()
    if payload[end:].strip():
        return "unclosed <arg_key>/<arg_value> pair or text after it"
    return [(name, arguments)]
