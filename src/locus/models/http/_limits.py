"""How long an attempt may take and how much a server may send (the answer limits).

``timeout=`` bounds each attempt as a whole: connect, send and the full read of a whole
answer (``attempt`` seconds, the largest part of the ``httpx.Timeout``; its own parts
still bound each connect and each read). A streamed answer must bring its first event
within ``attempt`` seconds of the attempt's start and each next event within ``attempt``
seconds of the one before; it may run at most ``stream_seconds`` in all and carry at most
``stream_bytes``. A whole answer may decode to at most ``response_bytes``. The defaults
are far above what a model sends: 64 MiB for a whole answer, 512 MiB and an hour for a
stream.
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass

import httpx

__all__ = ["ATTEMPT_DEADLINE", "MIB", "AnswerLimits", "attempt_deadline", "attempt_seconds"]

ATTEMPT_DEADLINE = "locus.attempt_deadline"
"""The ``httpx.Response.extensions`` key of the attempt's deadline (``anyio`` clock)."""

MIB = 1024 * 1024


def attempt_seconds(timeout: httpx.Timeout) -> float | None:
    """The bound of one attempt: the largest part of ``timeout`` (``None``: no bound)."""
    parts = [timeout.connect, timeout.read, timeout.write, timeout.pool]
    finite = [p for p in parts if p is not None and math.isfinite(p)]
    return max(finite) if finite else None


def attempt_deadline(response: httpx.Response) -> float:
    """The deadline of the attempt that brought ``response`` (``inf``: none)."""
    deadline: float = response.extensions.get(ATTEMPT_DEADLINE, math.inf)
    return deadline


@dataclass(frozen=True, slots=True)
class AnswerLimits:
    """Time and size limits of one model's answers (see the module docstring)."""

    attempt: float | None = None
    response_bytes: int = 64 * MIB
    stream_bytes: int = 512 * MIB
    stream_seconds: float = 3600.0

    def deadline(self) -> float:
        """The deadline of an attempt starting now (``inf`` when unbounded)."""
        return math.inf if self.attempt is None else _now() + self.attempt


def _now() -> float:
    """The running loop's clock (anyio's clock on asyncio, without its backend lookup:
    ``anyio.current_time`` imports its backend module on every call)."""
    return asyncio.get_running_loop().time()
