"""What ``locus doctor`` found: one line per step, in plain words, never a secret."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from typing import TextIO

__all__ = ["Report", "Status", "Step"]

# The library's errors name its keywords ("pass config_file=..."); doctor takes flags.
_KEYWORDS = re.compile(
    r"\b(config_file|profile_name|region|compartment_id|service_endpoint)=\.\.\."
)
_FLAGS = {"profile_name": "--profile"}


def _as_flags(text: str) -> str:
    """A library hint in doctor's own terms: ``config_file=...`` -> ``--config-file``."""
    return _KEYWORDS.sub(lambda m: _FLAGS.get(m[1], "--" + m[1].replace("_", "-")), text)


class Status(enum.Enum):
    """How a step went."""

    OK = "ok"
    WARN = "warn"
    FAIL = "FAIL"
    SKIP = "skip"


@dataclass(frozen=True, slots=True)
class Step:
    """One check: its name, outcome and a sentence saying what was found or what to do."""

    name: str
    status: Status
    text: str


@dataclass(slots=True)
class Report:
    """The steps so far; ``failed`` once any step failed."""

    steps: list[Step] = field(default_factory=list)

    def add(self, name: str, status: Status, text: str) -> Step:
        """Record a step and return it."""
        step = Step(name, status, _as_flags(text))
        self.steps.append(step)
        return step

    @property
    def failed(self) -> bool:
        """True when a step failed."""
        return any(step.status is Status.FAIL for step in self.steps)

    def write(self, out: TextIO) -> None:
        """Print one line per step, then a verdict."""
        width = max((len(step.name) for step in self.steps), default=0)
        for step in self.steps:
            out.write(f"[{step.status.value:>4}] {step.name:<{width}}  {step.text}\n")
        verdict = "some checks failed (see above)" if self.failed else "all checks passed"
        out.write(f"\n{verdict}\n")
