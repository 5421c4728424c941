"""``new_call_id``: the id Locus gives a tool call that came without one."""

from __future__ import annotations

from locus.core._entropy import random_bytes

__all__ = ["new_call_id"]


def new_call_id(prefix: str = "call") -> str:
    """``<prefix>_<24 random hex digits>``: unique across turns and runs, since an id names
    one call wherever calls are looked up by it (a durable run's decisions, a chat page's
    tool-call cards); a numbered id (``call_0``) would name a call of every turn. For
    text tool calls, Cohere's calls (which carry no id) and streamed calls sent without
    one."""
    return f"{prefix}_{random_bytes(12).hex()}"
