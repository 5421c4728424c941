"""What goes over the wire, on the ``locus.wire`` logger: each chat call's request body and
its answer (a whole answer's body, or a stream's events one by one), at DEBUG.

It is off unless that logger itself is set to DEBUG: it starts at INFO, so a DEBUG root
logger (or ``locus``) does not turn it on, because bodies hold prompts, tool results and
answers. Headers are never logged (they carry the request's signature, or a session
token); a body is cut at ``MAX_LOGGED`` characters. Turning it on::

    logging.basicConfig()
    logging.getLogger("locus.wire").setLevel(logging.DEBUG)

A model checks the level once per call; with the logger off, that check is all it costs.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

__all__ = ["MAX_LOGGED", "log_answer", "log_event", "log_request", "logger", "wire_logged"]

logger = logging.getLogger("locus.wire")
if logger.level == logging.NOTSET:  # (an application's own setting, made first, stays)
    logger.setLevel(logging.INFO)

MAX_LOGGED = 65536
"""Characters of one body or event logged at most (the rest is counted, not shown)."""


def wire_logged() -> bool:
    """True when ``locus.wire`` logs at DEBUG."""
    return logger.isEnabledFor(logging.DEBUG)


def log_request(endpoint: str, body: bytes, *, stream: bool) -> None:
    """One call's request body (sent once per attempt, the same each time)."""
    kind = "stream" if stream else "call"
    logger.debug("POST %s (%s) request body: %s", endpoint, kind, _shown(body))


def log_answer(endpoint: str, request_id: str | None, status: int, body: bytes) -> None:
    """A whole answer's body."""
    logger.debug(
        "answer %d from %s (opc-request-id %s): %s", status, endpoint, request_id, _shown(body)
    )


def log_event(request_id: str | None, payload: Mapping[str, Any]) -> None:
    """One event of a streamed answer, as JSON (its ``data:`` payload, decoded)."""
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=repr)
    logger.debug("stream event (opc-request-id %s): %s", request_id, _cut(text))


def _shown(body: bytes) -> str:
    return _cut(body.decode("utf-8", errors="replace"))


def _cut(text: str) -> str:
    if len(text) <= MAX_LOGGED:
        return text
    return f"{text[:MAX_LOGGED]}... ({len(text) - MAX_LOGGED} more characters)"
