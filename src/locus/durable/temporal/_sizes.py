"""How large a payload a durable run may give Temporal.

A Temporal cluster refuses a payload (a workflow's input or result, an activity's input or
result, a local activity's recorded answer) over 2 MiB by default (``limit.blobSize.error``;
the SDK checks before it sends). A payload refused when a run *starts* fails the start, but
one refused when a workflow task completes fails that task, and the task is tried again and
again: the run is stuck, neither finished nor failed, until someone terminates it. So the
run checks what it is about to hand over, and refuses it with a typed error instead.
"""

from __future__ import annotations

import json
from typing import Any

from temporalio.exceptions import ApplicationError

__all__ = [
    "MAX_ARGUMENTS_BYTES",
    "MAX_PAYLOAD_BYTES",
    "events_page",
    "json_size",
    "too_large",
    "unrecordable",
]

MAX_PAYLOAD_BYTES = 2 * 1024 * 1024 - 16 * 1024
"""The largest JSON a durable run hands Temporal as one payload: Temporal's default limit
(2 MiB) less room for the payload's metadata and what goes with it."""


MAX_ARGUMENTS_BYTES = 256 * 1024
"""The largest arguments a person may give an approved call, as JSON bytes: they become
part of the conversation, which a model call and the run's result carry whole (a model's
own arguments are a few hundred bytes)."""


def json_size(value: Any) -> int:
    """The bytes of ``value``'s JSON, as Temporal's JSON converter writes it (compact)."""
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())


def unrecordable(what: str, size: int, advice: str) -> ApplicationError:
    """A ``RunError`` as an activity raises it (not retried: the same step gives the same
    size) for ``what``, ``size`` bytes of JSON, which Temporal would refuse to record."""
    return ApplicationError(too_large(what, size, advice), type="RunError", non_retryable=True)


def too_large(what: str, size: int, advice: str) -> str:
    """Why the run stops: ``what`` (``size`` bytes of JSON) is over the payload limit."""
    return (
        f"{what} is {size} bytes of JSON, over Temporal's payload limit ({MAX_PAYLOAD_BYTES} "
        f"bytes here), so the run cannot record it and stops: {advice}. What the run did is "
        "kept: DurableRun.events() and the run's history in Temporal"
    )


PAGE_BYTES = MAX_PAYLOAD_BYTES // 2
"""How many bytes of events one ``locus.events_page`` answer holds, at most (a query's answer
is a payload too: all of a long run's events at once could be over the limit)."""

LONGEST_TEXT = 64 * 1024
"""A string longer than this in an event too large for a page alone is cut to it."""


def events_page(events: list[dict[str, Any]], since: int) -> dict[str, Any]:
    """``events[since:]`` as pages: as many as fit in ``PAGE_BYTES`` (one at least), and
    whether ``more`` follow. An event too large for a page alone has its long strings cut
    (a tool result of megabytes: the run's result and history keep it whole)."""
    found: list[dict[str, Any]] = []
    used = 0
    for event in events[since:]:
        size = json_size(event)
        if found and used + size > PAGE_BYTES:
            return {"events": found, "more": True}
        found.append(event if size <= PAGE_BYTES else _cut(event))
        used += size
    return {"events": found, "more": False}


def _cut(value: Any) -> Any:
    if isinstance(value, str) and len(value) > LONGEST_TEXT:
        rest = len(value) - LONGEST_TEXT
        return f"{value[:LONGEST_TEXT]}... [{rest} more characters: see the run's result]"
    if isinstance(value, dict):
        return {key: _cut(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_cut(item) for item in value]
    return value
