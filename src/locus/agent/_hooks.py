"""Hooks: code that sees, changes or stops every model call and tool call of a run.

A ``Hook`` has six methods, each a no-op unless overridden, each sync or async (a
returned coroutine is awaited). Returning ``None`` keeps the value; returning a new
object replaces it (``before_tool_call`` may return a ``ToolResult`` to skip the tool:
the model reads that result). Raising (``GuardrailTripped`` or anything else) ends
the run with that error; ``error.result`` is the partial result. Before- and
after-hooks alike run in list order.

Where they run (telemetry relies on it): ``on_run_start``, ``before_model_call``, the
model call and ``after_model_call`` in the run's own task; ``before_tool_call``, the tool
and ``after_tool_call`` in the tool call's own task (one task per call), so a
``contextvars`` value set in ``before_tool_call`` is seen by the tool and by any
sub-agent run it starts. ``on_run_end`` is called exactly once for every
``on_run_start``: on success, failure and cancellation (``result.error`` says which).

A run with no hooks calls none of this: the methods each hook overrides are found
once, when the run starts.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from locus.core._headers import model_headers
from locus.core.errors import ConfigurationError
from locus.core.messages import Message, ToolCall
from locus.core.response import ModelResponse, StreamEvent
from locus.core.toolspec import ToolSpec

if TYPE_CHECKING:
    from locus.agent._context import RunContext
    from locus.agent._result import AgentResult

__all__ = ["Hook", "HookSet", "ModelRequest", "ToolResult", "as_hooks", "close_stream"]

_METHODS = (
    "on_run_start",
    "on_run_end",
    "before_model_call",
    "after_model_call",
    "before_tool_call",
    "after_tool_call",
)


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


def as_hooks(hooks: object, where: str) -> tuple[object, ...]:
    """Check ``hooks=``: a list of objects with at least one hook method."""
    if hooks is None:
        return ()
    if not isinstance(hooks, Sequence) or isinstance(hooks, str):
        raise ConfigurationError(f"{where} hooks must be a list of Hook objects")
    for hook in hooks:
        if not any(callable(getattr(hook, name, None)) for name in _METHODS):
            raise ConfigurationError(
                f"{where} hooks: {hook!r} has none of the hook methods ({', '.join(_METHODS)}); "
                "subclass locus.agent.Hook and override the ones you need"
            )
    return tuple(hooks)


class HookSet:
    """The hooks of one run, by method: only the hooks that override a method are called."""

    __slots__ = (*_METHODS, "tools")

    on_run_start: tuple[Any, ...]
    on_run_end: tuple[Any, ...]
    before_model_call: tuple[Any, ...]
    after_model_call: tuple[Any, ...]
    before_tool_call: tuple[Any, ...]
    after_tool_call: tuple[Any, ...]
    tools: bool
    """Whether any hook sees tool calls (they then run in tasks of their own)."""

    def __init__(self, hooks: Sequence[object]) -> None:
        for name in _METHODS:
            base = getattr(Hook, name)
            found = []
            for hook in hooks:
                method = getattr(hook, name, None)
                if callable(method) and getattr(type(hook), name, None) is not base:
                    found.append(method)
            setattr(self, name, tuple(found))
        self.tools = bool(self.before_tool_call or self.after_tool_call)

    @classmethod
    def of(cls, *groups: Sequence[object]) -> HookSet | None:
        """The hooks of the groups, global (telemetry) hooks first; ``None`` when none."""
        hooks = [*_global_hooks(), *(hook for group in groups for hook in group)]
        return cls(hooks) if hooks else None


async def call_hook(method: Any, *args: Any) -> Any:
    """Call one hook method, awaiting it when it is async."""
    value = method(*args)
    if inspect.isawaitable(value):
        value = await value
    return value


def _global_hooks() -> tuple[object, ...]:
    """Hooks every run gets (``locus.telemetry.instrument()``), asked only once imported."""
    telemetry = sys.modules.get("locus.telemetry")
    found = getattr(telemetry, "_global_hooks", None)
    return tuple(found()) if found is not None else ()


async def close_stream(stream: AsyncIterator[StreamEvent]) -> None:
    """Close a model call's stream; a ``before_model_call`` hook's headers were for that
    call only, so they are cleared."""
    aclose = getattr(stream, "aclose", None)
    if aclose is not None:
        await aclose()
    if model_headers.get() is not None:
        model_headers.set(None)
