"""Typed events yielded by ``Agent.run()`` / ``Agent.stream()``, in the order they happen.

Per iteration: ``IterationStarted``, the model's ``ModelTextDelta`` and
``ReasoningDelta`` events, then for each tool call ``ToolCallStarted`` (all calls,
in call order) and ``ToolCallFinished`` (as each call finishes), then
``IterationEnded``. A run that ends normally yields ``RunFinished`` last; a run that
fails raises instead (see ``Agent.run``).

An agent used as a tool (``agent.as_tool``) runs in the caller's tool call; every event
of its run reaches the caller's stream as a ``SubAgentEvent`` (the sub-agent's name,
the caller's tool call id, the event), between that call's ``ToolCallStarted`` and its
``ToolCallFinished``. A run with no agent among its tools never yields one.
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
    "SubAgentEvent",
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


@dataclass(slots=True, frozen=True)
class SubAgentEvent:
    """An event of a sub-agent's run, forwarded into the calling run's stream.

    ``agent_name`` is the sub-agent's, ``call_id`` the id of the caller's tool call
    that runs it; ``event`` is the sub-run's own event: a ``SubAgentEvent`` again when
    the sub-agent itself calls an agent (``path`` and ``innermost`` unwrap that).
    """

    agent_name: str
    call_id: str
    event: RunEvent
    kind: Literal["sub_agent_event"] = "sub_agent_event"

    @property
    def path(self) -> tuple[str, ...]:
        """The agents from this sub-agent down to the one whose event it is."""
        names, event = [self.agent_name], self.event
        while isinstance(event, SubAgentEvent):
            names.append(event.agent_name)
            event = event.event
        return tuple(names)

    @property
    def innermost(self) -> RunEvent:
        """The event itself, unwrapped from every ``SubAgentEvent``."""
        event = self.event
        while isinstance(event, SubAgentEvent):
            event = event.event
        return event


RunEvent = (
    IterationStarted
    | ModelTextDelta
    | OutputDelta
    | ReasoningDelta
    | ToolCallStarted
    | ToolCallFinished
    | IterationEnded
    | RunFinished
    | SubAgentEvent
)
