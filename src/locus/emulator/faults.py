"""Fault injection: by rate with a seed, or by an explicit sequence, per endpoint or model.

Kinds: ``429``, ``429_retry_after``, ``500``, ``503``, ``reset_before`` (connection reset
before any byte), ``reset_during`` (reset in the middle of a stream, or of a body),
``malformed_event`` (a stream event that is not JSON), ``error_event`` (the stream ends
halfway with an error event: ``finishReason`` ``ERROR`` and an ``errorMessage``, or an
OpenAI ``error`` object) and ``slow_first_byte``.
``ok`` in a sequence means "no fault for this request".
"""

from __future__ import annotations

import random
import threading
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ALL_TARGETS", "FAULT_KINDS", "FaultPlan", "Faults"]

FAULT_KINDS = (
    "429",
    "429_retry_after",
    "500",
    "503",
    "reset_before",
    "reset_during",
    "malformed_event",
    "slow_first_byte",
    "error_event",
)
ALL_TARGETS = "*"


@dataclass(slots=True)
class FaultPlan:
    """The faults for one target: an explicit sequence first, then a seeded random rate."""

    sequence: deque[str] = field(default_factory=deque)
    rate: float = 0.0
    kinds: tuple[str, ...] = ("503",)
    rng: random.Random = field(default_factory=random.Random)

    def draw(self) -> str | None:
        """The fault for the next request, or None."""
        if self.sequence:
            kind = self.sequence.popleft()
            return None if kind == "ok" else kind
        if self.rate > 0 and self.rng.random() < self.rate:
            return self.rng.choice(self.kinds)
        return None

    def describe(self) -> dict[str, Any]:
        """The plan as JSON for the admin route."""
        return {"sequence": list(self.sequence), "rate": self.rate, "kinds": list(self.kinds)}


class Faults:
    """Fault plans by target (an endpoint OCID, a model name, or ``*`` for every request)."""

    def __init__(self) -> None:
        self._plans: dict[str, FaultPlan] = {}
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
        plan = FaultPlan(deque(sequence), float(rate), tuple(kinds), random.Random(seed))
        unknown = [k for k in (*plan.sequence, *plan.kinds) if k not in (*FAULT_KINDS, "ok")]
        if unknown:
            raise ValueError(f"unknown fault kind(s) {unknown}; expected {FAULT_KINDS}")
        if not 0.0 <= plan.rate <= 1.0:
            raise ValueError("fault rate must be between 0 and 1")
        with self._lock:
            self._plans[target] = plan

    def clear(self, target: str | None = None) -> None:
        """Remove the plan for ``target``, or every plan."""
        with self._lock:
            if target is None:
                self._plans.clear()
            else:
                self._plans.pop(target, None)

    def draw(self, targets: Iterable[str]) -> str | None:
        """The fault for a request to the first of ``targets`` that has a plan (then ``*``)."""
        if not self._plans:
            return None
        with self._lock:
            for target in (*targets, ALL_TARGETS):
                plan = self._plans.get(target)
                if plan is not None:
                    return plan.draw()
        return None

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
