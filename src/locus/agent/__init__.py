"""The agent: ``Agent``, its results, run events, hooks, approvals, threads and
context-window processors.

``InMemoryThreadStore`` and ``ThreadStore`` (from ``locus.stores``) are imported on first
use: the stores package imports ``sqlite3``, which a run without a store never needs.
"""

from typing import TYPE_CHECKING, Any

from locus.agent._agent import Agent, Prompt
from locus.agent._context import RunContext
from locus.agent._events import (
    IterationEnded,
    IterationStarted,
    ModelTextDelta,
    OutputDelta,
    ReasoningDelta,
    RunEvent,
    RunFinished,
    SubAgentEvent,
    ToolCallFinished,
    ToolCallStarted,
)
from locus.agent._handoff import Handoff, HandoffHistory
from locus.agent._history import HistoryProcessor, keep_last_turns, within_token_budget
from locus.agent._hooks import Hook, ModelRequest, ToolResult
from locus.agent._output import OutputMode
from locus.agent._result import AgentResult, Metrics, RunStopReason
from locus.agent._state import Approve, Deny, PendingCall, RunState
from locus.agent._validators import ModelRetry, OutputValidator

if TYPE_CHECKING:
    from locus.stores import InMemoryThreadStore, ThreadStore

__all__ = [
    "Agent",
    "AgentResult",
    "Approve",
    "Deny",
    "Handoff",
    "HandoffHistory",
    "HistoryProcessor",
    "Hook",
    "InMemoryThreadStore",
    "IterationEnded",
    "IterationStarted",
    "Metrics",
    "ModelRequest",
    "ModelRetry",
    "ModelTextDelta",
    "OutputDelta",
    "OutputMode",
    "OutputValidator",
    "PendingCall",
    "Prompt",
    "ReasoningDelta",
    "RunContext",
    "RunEvent",
    "RunFinished",
    "RunState",
    "RunStopReason",
    "SubAgentEvent",
    "ThreadStore",
    "ToolCallFinished",
    "ToolCallStarted",
    "ToolResult",
    "keep_last_turns",
    "within_token_budget",
]


def __getattr__(name: str) -> Any:
    if name in ("InMemoryThreadStore", "ThreadStore"):
        import locus.stores

        return getattr(locus.stores, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
