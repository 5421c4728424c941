"""The emulator's side of the wire: requests parsed into a :class:`Conversation`, replies
rendered back in each format, and the HTTP answers (JSON, errors, event streams).

It shares no code with the client's codec (``locus.models``): the two must be able to
disagree, so that tests catch a bug on either side.
"""

from __future__ import annotations

from locus.emulator.wire._chat_formats import CHAT_FORMATS, ChatFormat, include_usage
from locus.emulator.wire._fields import as_mapping
from locus.emulator.wire._openai import (
    openai_chunks,
    openai_completion,
    openai_error_chunk,
    openai_include_usage,
    parse_openai,
)
from locus.emulator.wire._responses import (
    Aborter,
    FaultHooks,
    PartialBody,
    Reset,
    error_response,
    json_response,
)
from locus.emulator.wire._stream import EventStream, Pacing, Piece, coalesce, plan_stream
from locus.emulator.wire._tool_styles import apply_style

__all__ = [
    "CHAT_FORMATS",
    "Aborter",
    "ChatFormat",
    "EventStream",
    "FaultHooks",
    "Pacing",
    "PartialBody",
    "Piece",
    "Reset",
    "apply_style",
    "as_mapping",
    "coalesce",
    "error_response",
    "include_usage",
    "json_response",
    "openai_chunks",
    "openai_completion",
    "openai_error_chunk",
    "openai_include_usage",
    "parse_openai",
    "plan_stream",
]
