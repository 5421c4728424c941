"""What an agent run returns: ``AgentResult`` and its ``Metrics``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar, cast

from locus.core.citations import Citation
from locus.core.messages import Message
from locus.core.response import ModelResponse, StopReason
from locus.core.usage import Usage

__all__ = ["AgentResult", "Metrics", "OutputT", "RunStopReason", "add_usage"]

if TYPE_CHECKING:  # a TypeVar default needs typing_extensions, for the checker only
    from typing_extensions import TypeVar as DefaultTypeVar

    from locus.agent._state import PendingCall, RunState  # loaded when a run pauses

    OutputT = DefaultTypeVar("OutputT", covariant=True, default=str)
else:
    OutputT = TypeVar("OutputT", covariant=True)
"""The output type of a result (``str`` when none is given)."""

RunStopReason = Literal[
    "complete", "max_iterations", "awaiting_approval", "error", "cancelled", "timeout"
]
"""Why a run ended: the model answered, the cap on model calls was hit, tool calls wait
for approval (``result.pending``, ``result.state``), or it failed."""


@dataclass(slots=True)
class Metrics:
    """Counters of one run. ``iterations`` and ``model_calls`` count model calls."""

    iterations: int = 0
    model_calls: int = 0
    tool_calls: int = 0
    tool_errors: int = 0
    output_retries: int = 0
    """How many times the model was asked again because its output did not validate."""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    duration_ms: float = 0.0
    sub_runs: int = 0
    """Runs of agents used as tools (their tokens are included in the counts above)."""

    def add_usage(self, usage: Usage) -> None:
        """Add one model call's token counts."""
        self.prompt_tokens += usage.prompt_tokens
        self.completion_tokens += usage.completion_tokens
        self.total_tokens += usage.total_tokens


@dataclass(slots=True)
class AgentResult(Generic[OutputT]):
    """The outcome of a run.

    ``output`` is the run's validated output: an instance of the ``output_type`` (the
    answer's text when there is none, or it is ``str``). ``message`` (also ``text``) is
    the final answer's text; ``messages`` is the
    whole conversation (system prompt included), with this run's turns appended
    (``new_messages()`` and ``all_messages()`` slice it);
    ``response`` is the last model answer and ``model_stop_reason`` its reason
    (``"length"`` means the answer was cut off). ``error`` is set when the run
    failed (the same exception is raised by ``arun``/``run_sync``).

    A run paused for approval has ``stop_reason == "awaiting_approval"``, the calls in
    ``pending`` (those of a paused agent used as a tool included) and a ``state`` to
    resume (``agent.resume(result.state, approvals=...)``). ``last_agent`` names the
    agent that answered, or that paused (another one after a handoff).
    """

    message: str
    stop_reason: RunStopReason
    messages: list[Message]
    metrics: Metrics
    usage: Usage = field(default_factory=Usage)
    error: BaseException | None = None
    thread_id: str | None = None
    response: ModelResponse | None = None
    output: OutputT = field(default=cast(Any, None))
    history_from: int = field(default=0, repr=False)
    new_from: int = field(default=0, repr=False)
    pending: list[PendingCall] = field(default_factory=list)
    """The calls waiting for approval (``PendingCall``: ``id``, ``tool``, ``arguments``, and
    ``path``, the agents used as tools down to the one that asks)."""
    state: RunState | None = None
    """The ``RunState`` of a paused run (``None`` otherwise)."""
    last_agent: str = ""

    def new_messages(self) -> list[Message]:
        """This run's messages only: its prompt, the assistant turns and tool results."""
        return self.messages[self.new_from :]

    def all_messages(self) -> list[Message]:
        """The history the run started from and its new messages, without the agent's
        system prompt; pass it back as ``message_history=`` to continue."""
        return self.messages[self.history_from :]

    @property
    def text(self) -> str:
        """Same as ``message``."""
        return self.message

    def __repr__(self) -> str:
        m = self.metrics
        return (
            f"AgentResult(stop_reason={self.stop_reason!r}, message={self.message[:80]!r}, "
            f"iterations={m.iterations}, tool_calls={m.tool_calls}, "
            f"messages={len(self.messages)})"
        )

    @property
    def citations(self) -> tuple[Citation, ...]:
        """The citations of the final answer (``response.citations``): spans of
        ``message`` and the documents they come from (a run with ``documents=``)."""
        return self.response.citations if self.response is not None else ()

    @property
    def model_stop_reason(self) -> StopReason | None:
        return self.response.stop_reason if self.response is not None else None


def check_token_budget(usage: Usage, budget: int | None, summary: Callable[[str], str]) -> None:
    """Raise ``UsageLimitError`` when ``usage`` (the run's, sub-agents' included) has reached
    ``budget`` total tokens (``None``: no budget): checked before each model call, so no
    answer is thrown away."""
    if budget is None:
        return
    used = int(usage.get("total_tokens", 0) or 0)
    if used >= budget:
        from locus.core.errors import UsageLimitError

        what = f"reached its max_run_tokens={budget} ({used} tokens used)"
        raise UsageLimitError(
            f"{summary(what)}; it made no further model call (pass a larger max_run_tokens= "
            "to let such runs go on)"
        )


def add_usage(total: Usage, more: Usage) -> None:
    """Add ``more`` into ``total`` in place (``total + more``, same object): the run's
    context and its tool calls' contexts share ``total`` and see the new counts."""
    for key, value in more.items():
        total[key] = total.get(key, 0) + int(value)
