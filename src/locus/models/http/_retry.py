"""When and how long to wait before another attempt.

Retried: 429, 409 ``IncorrectState``/``LockConflict``, 5xx except 501, and connection
errors or timeouts (wire-spec §5.2). The wait before retry *n* is
``min(base * 2**(n-1) + uniform(0, base), max_delay)``, or the server's ``Retry-After``
(capped at ``max_retry_after``; a value that is not finite or is negative counts as
none). A call stops retrying after ``max_retries`` retries, or when the next wait would
end after its ``deadline``.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

__all__ = ["RetryBudget", "RetryPolicy", "is_retryable_status"]

_CONFLICT_CODES = frozenset({"IncorrectState", "LockConflict"})


def is_retryable_status(status: int, code: str | None = None) -> bool:
    """True for the statuses worth another attempt."""
    if status == 429:
        return True
    if status == 409:
        return code in _CONFLICT_CODES
    return 500 <= status < 600 and status != 501


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Retry settings of a model. ``max_retries=0`` turns retrying off."""

    max_retries: int = 4
    deadline: float = 120.0
    base_delay: float = 1.0
    max_delay: float = 30.0
    max_retry_after: float = 60.0
    sleep: Callable[[float], Awaitable[None]] = field(default=asyncio.sleep, compare=False)

    def backoff(self, retry_number: int, rng: random.Random) -> float:
        """The jittered exponential wait before retry ``retry_number`` (1-based)."""
        raw = self.base_delay * 2.0 ** (retry_number - 1) + rng.uniform(0, self.base_delay)
        return min(raw, self.max_delay)

    def delay(self, retry_number: int, retry_after: float | None, rng: random.Random) -> float:
        """The wait before a retry: ``Retry-After`` when the server gave a usable one (a
        finite number of seconds, not negative), else the backoff."""
        if retry_after is not None and math.isfinite(retry_after) and retry_after >= 0.0:
            return min(retry_after, self.max_retry_after)
        return self.backoff(retry_number, rng)


_JITTER = random.Random()
"""One jitter source for every call (a ``Random`` per call costs ~2.5 KiB)."""


class RetryBudget:
    """The retries left to one call (one ``complete()`` or one ``stream()``)."""

    __slots__ = ("_clock", "_end", "_rng", "policy", "retries")  # (one per call in flight)

    def __init__(
        self,
        policy: RetryPolicy,
        *,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self.policy = policy
        self.retries = 0
        self._clock = clock
        self._end = clock() + policy.deadline
        self._rng = rng or _JITTER

    def next_delay(self, retry_after: float | None = None) -> float | None:
        """The wait before the next attempt, or ``None`` when the budget is spent."""
        if self.retries >= self.policy.max_retries:
            return None
        wait = self.policy.delay(self.retries + 1, retry_after, self._rng)
        if self._clock() + wait > self._end:
            return None
        self.retries += 1
        return wait

    async def wait(self, delay: float) -> None:
        """Sleep ``delay`` seconds with the policy's sleep function."""
        await self.policy.sleep(delay)
