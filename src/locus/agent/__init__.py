"""The agent: ``Agent``, its results, run events, hooks, approvals, threads and
context-window processors.

The names of features a plain run does not use are imported on first use (PEP 562):
``InMemoryThreadStore`` and ``ThreadStore`` (``locus.stores`` imports ``sqlite3``),
``Approve``, ``Deny``, ``PendingCall`` and ``RunState`` (approvals), ``Handoff`` and
``HandoffHistory`` (handoffs), ``Hook``, ``ModelRequest`` and ``ToolResult`` (hooks),
``HistoryProcessor``, ``keep_last_turns`` and ``within_token_budget`` (context windows).
The agent imports those modules itself when the feature is first configured.
"""

from typing import TYPE_CHECKING

from locus._lazy import lazy_exports
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
from locus.agent._options import OutputMode
from locus.agent._result import AgentResult, Metrics, RunStopReason
from locus.agent._validators import ModelRetry, OutputValidator

if TYPE_CHECKING:
    from locus.agent._handoff import Handoff, HandoffHistory
    from locus.agent._history import HistoryProcessor, keep_last_turns, within_token_budget
    from locus.agent._hooks import Hook, ModelRequest, ToolResult
    from locus.agent._state import Approve, Deny, PendingCall, RunState
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


_LAZY = {
    "Approve": "locus.agent._state",
    "Deny": "locus.agent._state",
    "PendingCall": "locus.agent._state",
    "RunState": "locus.agent._state",
    "Handoff": "locus.agent._handoff",
    "HandoffHistory": "locus.agent._handoff",
    "Hook": "locus.agent._hooks",
    "ModelRequest": "locus.agent._hooks",
    "ToolResult": "locus.agent._hooks",
    "HistoryProcessor": "locus.agent._history",
    "keep_last_turns": "locus.agent._history",
    "within_token_budget": "locus.agent._history",
    "InMemoryThreadStore": "locus.stores",
    "ThreadStore": "locus.stores",
}


__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
