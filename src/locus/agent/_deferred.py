"""Parts of a run imported by the first run that needs them, never by ``import locus``:
the history processor's module and the typed-output plan."""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from locus.agent._config import RunConfig
    from locus.agent._output import OutputPlan

__all__ = ["history_module", "plan_for"]

_history: ModuleType | None = None


def history_module() -> ModuleType:
    """``locus.agent._history`` (``apply_history_processor``, ``record_usage``), imported
    once, by the first run with a ``history_processor``."""
    global _history
    if _history is None:
        from locus.agent import _history as module

        _history = module
    return _history


def plan_for(output_type: Any, config: RunConfig) -> OutputPlan | None:
    """The typed-output plan of a run that asks for an output type (``_output`` and the
    schema machinery load with the first one)."""
    from locus.agent._output import output_plan

    return output_plan(output_type, config.output_mode, config.model)
