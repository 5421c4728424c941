"""The agent: ``Agent``, its results, run events and thread memory."""

from locus.agent._agent import Agent, Prompt
from locus.agent._events import (
    IterationEnded,
    IterationStarted,
    ModelTextDelta,
    ReasoningDelta,
    RunEvent,
    RunFinished,
    ToolCallFinished,
    ToolCallStarted,
)
from locus.agent._memory import InMemoryThreadStore, ThreadStore
from locus.agent._result import AgentResult, Metrics, RunStopReason

__all__ = [
    "Agent",
    "AgentResult",
    "InMemoryThreadStore",
    "IterationEnded",
    "IterationStarted",
    "Metrics",
    "ModelTextDelta",
    "Prompt",
    "ReasoningDelta",
    "RunEvent",
    "RunFinished",
    "RunStopReason",
    "ThreadStore",
    "ToolCallFinished",
    "ToolCallStarted",
]
