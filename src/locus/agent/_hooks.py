"""Hooks: code that sees, changes or stops every model call and tool call of a run.

A ``Hook`` has six methods, each a no-op unless overridden, each sync or async (a
returned coroutine is awaited). Returning ``None`` keeps the value; returning a new
object replaces it (``before_tool_call`` may return a ``ToolResult`` to skip the tool:
the model reads that result). Raising (``GuardrailTripped`` or anything else) ends
the run with that error; ``error.result`` is the partial result. Before- and
after-hooks alike run in list order. A hook with ``holds_model_text = True`` makes a
streamed run show a model call's text only after ``after_model_call`` passed it.

Where they run (telemetry relies on it): ``on_run_start``, ``before_model_call``, the
model call and ``after_model_call`` in the run's own task; ``before_tool_call``, the tool
and ``after_tool_call`` in the tool call's own task (one task per call), so a
``contextvars`` value set in ``before_tool_call`` is seen by the tool and by any
sub-agent run it starts. ``on_run_end`` is called exactly once for every
``on_run_start``: on success, failure and cancellation (``result.error`` says which).

A run with no hooks calls none of this, and does not import this module: the methods
each hook overrides are found once, when the run starts (``locus.agent._hookset``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from locus.agent._hookset import HookSet, as_hooks, close_stream
from locus.core.messages import Message, ToolCall
from locus.core.response import ModelResponse
from locus.core.toolspec import ToolSpec

if TYPE_CHECKING:
    from locus.agent._context import RunContext
    from locus.agent._result import AgentResult

__all__ = ["Hook", "HookSet", "ModelRequest", "ToolResult", "as_hooks", "close_stream"]


@dataclass(slots=True)
class ModelRequest:
    """One model call about to be made: what is sent, and extra HTTP ``headers``
    (e.g. ``traceparent``) for the request."""

    messages: list[Message]
    tools: list[ToolSpec]
    params: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class ToolResult:
    """What the model reads as a tool call's result."""

    content: str
    is_error: bool = False


class Hook:
    """Base class of hooks: every method is a no-op; override the ones you need."""

    holds_model_text: bool = False
    """``True``: a streamed run (``agent.run``) holds each model call's text back until
    ``after_model_call`` has run, then emits it as one ``ModelTextDelta``: the text as the
    hooks left it. For hooks that check or change the model's output (guardrails), so text
    that did not pass is never streamed. Reasoning deltas are not held."""

    def on_run_start(self, ctx: RunContext[Any]) -> Any:
        """The run starts (its prompt is in ``ctx.messages``)."""

    def on_run_end(self, ctx: RunContext[Any], result: AgentResult[Any]) -> Any:
        """The run ended: ``result.error`` is set when it failed or was cancelled."""

    def before_model_call(self, ctx: RunContext[Any], request: ModelRequest) -> Any:
        """Return a ``ModelRequest`` to change the call, or ``None`` to keep it."""

    def after_model_call(self, ctx: RunContext[Any], response: ModelResponse) -> Any:
        """Return a ``ModelResponse`` to change the answer, or ``None`` to keep it."""

    def before_tool_call(self, ctx: RunContext[Any], call: ToolCall) -> Any:
        """Return a ``ToolCall`` to change the call, a ``ToolResult`` to skip the tool
        (the model reads it), or ``None`` to go ahead."""

    def after_tool_call(self, ctx: RunContext[Any], call: ToolCall, result: ToolResult) -> Any:
        """Return a ``ToolResult`` to change what the model reads, or ``None``."""
