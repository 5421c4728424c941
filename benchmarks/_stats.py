"""Repetition and summary helpers: every figure is a median with min and max beside it."""

from __future__ import annotations

import statistics
from collections.abc import Awaitable, Callable
from typing import Any

__all__ = ["figure", "repeat", "summary"]


def summary(values: list[float]) -> dict[str, float]:
    """Median, min and max of a list of measurements."""
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


async def repeat(fn: Callable[[], Awaitable[float]], *, warmup: int, reps: int) -> list[float]:
    """Run ``fn`` ``warmup`` times unmeasured, then ``reps`` times; return its measurements."""
    for _ in range(warmup):
        await fn()
    return [await fn() for _ in range(reps)]


def figure(values: list[float], scale: float = 1.0, digits: int = 3) -> dict[str, Any]:
    """A summary scaled (e.g. seconds to microseconds) and rounded for the JSON."""
    s = summary([v * scale for v in values])
    return {k: round(v, digits) for k, v in s.items()}
