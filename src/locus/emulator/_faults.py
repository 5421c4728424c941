"""Fault injection: by rate with a seed, or by an explicit sequence, per endpoint or model.

Kinds: ``429``, ``429_retry_after``, ``500``, ``503``, ``reset_before`` (connection reset
before any byte), ``reset_during`` (reset in the middle of a stream, or of a body),
``malformed_event`` (a stream event that is not JSON), ``error_event`` (the stream ends
halfway with an error event: ``finishReason`` ``ERROR`` and an ``errorMessage``, or an
OpenAI ``error`` object) and ``slow_first_byte``.
``ok`` in a sequence means "no fault for this request".

A drawn fault is counted as *fired* only when a response carries it out (a
``malformed_event`` drawn for a non-streaming request does nothing, and is not counted).
"""

from __future__ import annotations

import random
import threading
from collections import Counter, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from locus.emulator._errors import ApiError

__all__ = ["ALL_TARGETS", "FAULT_KINDS", "Fault", "FaultPlan", "Faults", "fault_error"]


class Fault(StrEnum):
    """A kind of fault; its value is the name used in sequences, rates and counts."""

    TOO_MANY_REQUESTS = "429"
    TOO_MANY_REQUESTS_RETRY_AFTER = "429_retry_after"
    INTERNAL_ERROR = "500"
    SERVICE_UNAVAILABLE = "503"
    RESET_BEFORE = "reset_before"
    RESET_DURING = "reset_during"
    MALFORMED_EVENT = "malformed_event"
    SLOW_FIRST_BYTE = "slow_first_byte"
    ERROR_EVENT = "error_event"


FAULT_KINDS = tuple(kind.value for kind in Fault)
ALL_TARGETS = "*"
_OK = "ok"


def fault_error(kind: Fault) -> ApiError | None:
    """The HTTP error a fault kind answers with, if it is an HTTP error."""
    if kind in (Fault.TOO_MANY_REQUESTS, Fault.TOO_MANY_REQUESTS_RETRY_AFTER):
        retry = {"retry-after": "1"} if kind is Fault.TOO_MANY_REQUESTS_RETRY_AFTER else None
        return ApiError(429, "TooManyRequests", "Too many requests for the user", retry)
    if kind is Fault.INTERNAL_ERROR:
        return ApiError(500, "InternalServerError", "Internal error occurred")
    if kind is Fault.SERVICE_UNAVAILABLE:
        return ApiError(503, "ServiceUnavailable", "Service unavailable")
    return None


@dataclass(slots=True)
class FaultPlan:
    """The faults for one target: an explicit sequence first, then a seeded random rate.

    ``None`` in the sequence is an ``ok``: no fault for that request.
    """

    sequence: deque[Fault | None] = field(default_factory=deque)
    rate: float = 0.0
    kinds: tuple[Fault, ...] = (Fault.SERVICE_UNAVAILABLE,)
    rng: random.Random = field(default_factory=random.Random)

    def draw(self) -> Fault | None:
        """The fault for the next request, or None."""
        if self.sequence:
            return self.sequence.popleft()
        if self.rate > 0 and self.rng.random() < self.rate:
            return self.rng.choice(self.kinds)
        return None

    def describe(self) -> dict[str, Any]:
        """The plan as JSON for the admin route."""
        sequence = [_OK if kind is None else kind.value for kind in self.sequence]
        return {"sequence": sequence, "rate": self.rate, "kinds": [k.value for k in self.kinds]}


class Faults:
    """Fault plans by target (an endpoint OCID, a model name, or ``*`` for every request).

    Also counts the faults that fired, by kind, so a test can tell that one did.
    """

    def __init__(self) -> None:
        self._plans: dict[str, FaultPlan] = {}
        self._fired: Counter[Fault] = Counter()
        self._lock = threading.Lock()

    def set(
        self,
        target: str = ALL_TARGETS,
        sequence: Iterable[str] = (),
        rate: float = 0.0,
        kinds: Iterable[str] = ("503",),
        seed: int | None = None,
    ) -> None:
        """Install a plan for ``target``, replacing any previous one."""
        sequence, kinds = list(sequence), list(kinds)
        unknown = [k for k in (*sequence, *kinds) if k not in (*FAULT_KINDS, _OK)]
        if unknown:
            raise ValueError(f"unknown fault kind(s) {unknown}; expected {FAULT_KINDS}")
        if not 0.0 <= float(rate) <= 1.0:
            raise ValueError("fault rate must be between 0 and 1")
        steps = deque(None if k == _OK else Fault(k) for k in sequence)
        plan = FaultPlan(steps, float(rate), tuple(Fault(k) for k in kinds), random.Random(seed))
        with self._lock:
            self._plans[target] = plan

    def clear(self, target: str | None = None) -> None:
        """Remove the plan for ``target``, or every plan."""
        with self._lock:
            if target is None:
                self._plans.clear()
            else:
                self._plans.pop(target, None)

    def draw(self, targets: Iterable[str]) -> Fault | None:
        """The fault for a request to the first of ``targets`` that has a plan (then ``*``)."""
        if not self._plans:
            return None
        with self._lock:
            for target in (*targets, ALL_TARGETS):
                plan = self._plans.get(target)
                if plan is not None:
                    return plan.draw()
        return None

    def record(self, kind: Fault) -> None:
        """Count ``kind`` as fired: a response has just carried it out."""
        with self._lock:
            self._fired[kind] += 1

    def fired(self) -> dict[str, int]:
        """How many faults of each kind fired (kinds that never did are left out)."""
        with self._lock:
            return {kind.value: count for kind, count in self._fired.items()}

    def reset(self) -> None:
        """Remove every plan and forget the counts."""
        with self._lock:
            self._plans.clear()
            self._fired.clear()

    def describe(self) -> dict[str, Any]:
        """Every plan, as JSON."""
        with self._lock:
            return {target: plan.describe() for target, plan in self._plans.items()}

    def configure(self, body: Mapping[str, Any]) -> None:
        """Apply an admin-route body: ``{"target", "sequence", "rate", "kinds", "seed"}``."""
        target = str(body.get("target") or ALL_TARGETS)
        if body.get("clear") or not (body.get("sequence") or body.get("rate")):
            self.clear(None if body.get("clear") == "all" else target)
            return
        self.set(
            target,
            sequence=[str(k) for k in body.get("sequence") or ()],
            rate=float(body.get("rate") or 0.0),
            kinds=[str(k) for k in body.get("kinds") or ("503",)],
            seed=body.get("seed"),
        )
