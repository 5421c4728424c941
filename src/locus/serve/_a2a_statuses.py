"""The statuses an A2A task's record went through (``earlier``), so a process that follows
the task by reading its record (``SubscribeToTask`` elsewhere: ``_a2a_subscribe``) sends
each of them, even one that a later write replaced between two of its reads: a run that
paused for approval and was resumed by a quick approval before the next read.

The record is written when a run starts, pauses or ends, when an approval claims the task,
and when a task whose process is gone is ended (``_a2a_records``); each write that changes
its status keeps the one it replaces here, the latest ``MAX_EARLIER`` of them, within
``MAX_EARLIER_BYTES``. No write is added for it: the statuses a run goes through between
those writes (its tool calls) are not in the record, and no process but the one running
the task sees them.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["MAX_EARLIER", "MAX_EARLIER_BYTES", "after", "carried"]

MAX_EARLIER = 8
"""Statuses a record keeps from before its current one, at most."""
MAX_EARLIER_BYTES = 16_000
"""About how many bytes of JSON they may take (a status message names the calls waiting
for approval, with their arguments); past it, the oldest are dropped."""


def _earlier(data: dict[str, Any] | None) -> list[dict[str, Any]]:
    found = data.get("earlier") if data is not None else None
    return [s for s in found if isinstance(s, dict)] if isinstance(found, list) else []


def _size(data: dict[str, Any]) -> int:
    return len(json.dumps(data, ensure_ascii=False))


def carried(old: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
    """The stored record ``new`` replacing ``old`` (of the same task, or ``None``): with
    ``old``'s earlier statuses, and ``old``'s status when ``new`` changes it, the latest that
    fit; its ``bytes`` counting them."""
    earlier = _earlier(old)
    status = old.get("status") if old is not None else None
    if isinstance(status, dict) and status != new.get("status"):
        earlier.append(status)
    earlier = earlier[-MAX_EARLIER:]
    sizes = [_size(s) for s in earlier]
    while earlier and sum(sizes) > MAX_EARLIER_BYTES:
        earlier, sizes = earlier[1:], sizes[1:]
    kept = {k: v for k, v in new.items() if k != "earlier"}
    if not earlier:
        return kept
    size = kept.get("bytes")
    if isinstance(size, int) and not isinstance(size, bool):
        kept["bytes"] = size + sum(sizes) + len(earlier) + 12  # (the key, commas, brackets)
    return {**kept, "earlier": earlier}


def after(last: dict[str, Any], statuses: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The statuses of ``statuses`` (a record's earlier ones and its own, oldest first)
    that came after ``last``, the one a reader saw last: those after it when it is among
    them, else those stamped later (it was dropped: more changes than are kept), else the
    current one if it differs."""
    for index in range(len(statuses) - 1, -1, -1):
        if statuses[index] == last:
            return statuses[index + 1 :]
    stamp = last.get("timestamp")
    if isinstance(stamp, str):
        later = [s for s in statuses if str(s.get("timestamp", "")) > stamp]
        if later:
            return later
    return statuses[-1:] if statuses and statuses[-1] != last else []
