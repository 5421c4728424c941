"""Typed events yielded by ``Agent.run()`` / ``Agent.stream()``, in the order they happen.

Per iteration: ``IterationStarted``, the model's ``ModelTextDelta`` and
``ReasoningDelta`` events, then for each tool call ``ToolCallStarted`` (all calls,
in call order) and ``ToolCallFinished`` (as each call finishes), then
``IterationEnded``. A run that ends normally yields ``RunFinished`` last; a run that
fails raises instead (see ``Agent.run``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from locus.agent._result import AgentResult
from locus.core.errors import ToolError
from locus.core.messages import Message, ToolCall
from locus.core.response import ModelResponse

__all__ = [
    "IterationEnded",
    "IterationStarted",
    "ModelTextDelta",
    "OutputDelta",
    "ReasoningDelta",
    "RunEvent",
    "RunFinished",
    "ToolCallFinished",
    "ToolCallStarted",
]


@dataclass(slots=True, frozen=True)
class IterationStarted:
    """A model call is about to be made (``iteration`` counts from 1)."""

    iteration: int
    kind: Literal["iteration_started"] = "iteration_started"


@dataclass(slots=True, frozen=True)
class ModelTextDelta:
    """A piece of the model's visible answer, as it streams."""

    text: str
    iteration: int
    kind: Literal["model_text_delta"] = "model_text_delta"


@dataclass(slots=True, frozen=True)
class OutputDelta:
    """The typed output validated so far, as it streams (a partial object: fields not
    seen yet are missing or default; the last string may be unfinished)."""

    output: Any
    iteration: int
    kind: Literal["output_delta"] = "output_delta"


@dataclass(slots=True, frozen=True)
class ReasoningDelta:
    """A piece of the model's reasoning, as it streams."""

    text: str
    iteration: int
    kind: Literal["reasoning_delta"] = "reasoning_delta"


@dataclass(slots=True, frozen=True)
class ToolCallStarted:
    """A tool call the model asked for is about to run."""

    call: ToolCall
    iteration: int
    kind: Literal["tool_call_started"] = "tool_call_started"


@dataclass(slots=True, frozen=True)
class ToolCallFinished:
    """A tool call ended; ``result`` is the tool message the model will read."""

    call: ToolCall
    result: Message
    error: ToolError | None
    duration_ms: float
    iteration: int
    kind: Literal["tool_call_finished"] = "tool_call_finished"

    @property
    def is_error(self) -> bool:
        return self.error is not None


@dataclass(slots=True, frozen=True)
class IterationEnded:
    """An iteration ended: the model answered and any tool calls were answered."""

    iteration: int
    response: ModelResponse
    kind: Literal["iteration_ended"] = "iteration_ended"


@dataclass(slots=True, frozen=True)
class RunFinished:
    """The run ended normally (``complete`` or ``max_iterations``); ``result.output``
    is the validated output."""

    result: AgentResult[Any]
    kind: Literal["run_finished"] = "run_finished"


RunEvent = (
    IterationStarted
    | ModelTextDelta
    | OutputDelta
    | ReasoningDelta
    | ToolCallStarted
    | ToolCallFinished
    | IterationEnded
    | RunFinished
)
