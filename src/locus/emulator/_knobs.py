"""Run-time switches for latency and stream realism, changed through the admin route."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["Knobs"]


@dataclass(slots=True)
class Knobs:
    """How responses are paced and how streams end.

    ``latency`` is the time from a request's arrival to the first byte of its answer
    (the emulator's own work counts toward it); ``chunk_delay`` separates stream
    events; ``chunk_chars`` sets the text per delta (0 means one word);
    ``done_marker`` appends ``data: [DONE]``; ``hold_open`` keeps the stream open that
    many seconds after the finish event; ``slow_first_byte`` is the delay the fault of
    that name adds. ``coalesce_writes`` sends an unpaced stream's events in one write (less
    emulator CPU; off by default, since a real model's stream comes event by event and a
    client's per-event cost is part of what is measured). ``bad_json`` and ``bad_schema``
    spoil that many of the next structured answers (JSON answers to a response format, or
    ``final_result`` tool calls): cut JSON, or JSON without a required property; each
    spoiled answer counts one down.
    """

    latency: float = 0.0
    chunk_delay: float = 0.0
    chunk_chars: int = 0
    done_marker: bool = False
    hold_open: float = 0.0
    coalesce_writes: bool = False
    slow_first_byte: float = 1.0
    bad_json: int = 0
    bad_schema: int = 0

    def update(self, values: Mapping[str, Any]) -> None:
        """Set the named fields (unknown names are an error, not ignored)."""
        unknown = set(values) - set(asdict(self))
        if unknown:
            raise ValueError(
                f"unknown setting(s) {sorted(unknown)}; expected {sorted(asdict(self))}"
            )
        for name, value in values.items():
            current = getattr(self, name)
            setattr(self, name, type(current)(value))

    def describe(self) -> dict[str, Any]:
        """The current settings as JSON."""
        return asdict(self)
