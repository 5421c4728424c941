"""The agent: ``Agent``, its results, run events, threads and context-window processors."""

from locus.agent._agent import Agent, Prompt
from locus.agent._events import (
    IterationEnded,
    IterationStarted,
    ModelTextDelta,
    OutputDelta,
    ReasoningDelta,
    RunEvent,
    RunFinished,
    ToolCallFinished,
    ToolCallStarted,
)
from locus.agent._history import HistoryProcessor, keep_last_turns, within_token_budget
from locus.agent._output import OutputMode
from locus.agent._result import AgentResult, Metrics, RunStopReason
from locus.agent._validators import ModelRetry, OutputValidator
from locus.stores import InMemoryThreadStore, ThreadStore

__all__ = [
    "Agent",
    "AgentResult",
    "HistoryProcessor",
    "InMemoryThreadStore",
    "IterationEnded",
    "IterationStarted",
    "Metrics",
    "ModelRetry",
    "ModelTextDelta",
    "OutputDelta",
    "OutputMode",
    "OutputValidator",
    "Prompt",
    "ReasoningDelta",
    "RunEvent",
    "RunFinished",
    "RunStopReason",
    "ThreadStore",
    "ToolCallFinished",
    "ToolCallStarted",
    "keep_last_turns",
    "within_token_budget",
]
