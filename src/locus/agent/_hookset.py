"""How a run calls its hooks (``locus.agent._hooks``), at no cost to a run without any.

``HookSet.of`` gives ``None`` when a run has no hooks, and the run then calls none of
this; ``locus.agent._hooks`` (the ``Hook`` base class, ``ModelRequest``, ``ToolResult``)
is imported with the first ``HookSet``, i.e. by the first run that has a hook, and kept
in ``hook_types()`` afterwards. ``close_stream`` and ``call_hook`` are also used without
hooks (every model call; approval rules).
"""

from __future__ import annotations

import contextlib
import inspect
import sys
from collections.abc import AsyncIterator, Sequence
from types import ModuleType
from typing import Any

from locus.core._headers import model_headers
from locus.core.errors import ConfigurationError
from locus.core.response import StreamEvent

__all__ = [
    "METHODS",
    "HookSet",
    "as_hooks",
    "call_hook",
    "close_stream",
    "end_hooks",
    "hook_types",
    "replaced",
    "wrong_return",
]

METHODS = (
    "on_run_start",
    "on_run_end",
    "before_model_call",
    "after_model_call",
    "before_tool_call",
    "after_tool_call",
)

_types: ModuleType | None = None


def hook_types() -> ModuleType:
    """``locus.agent._hooks`` (``Hook``, ``ModelRequest``, ``ToolResult``), imported once."""
    global _types
    if _types is None:
        from locus.agent import _hooks

        _types = _hooks
    return _types


def as_hooks(hooks: object, where: str) -> tuple[object, ...]:
    """Check ``hooks=``: a list of objects with at least one hook method."""
    if hooks is None:
        return ()
    if not isinstance(hooks, Sequence) or isinstance(hooks, str):
        raise ConfigurationError(f"{where} hooks must be a list of Hook objects")
    for hook in hooks:
        if not any(callable(getattr(hook, name, None)) for name in METHODS):
            raise ConfigurationError(
                f"{where} hooks: {hook!r} has none of the hook methods ({', '.join(METHODS)}); "
                "subclass locus.agent.Hook and override the ones you need"
            )
    return tuple(hooks)


class HookSet:
    """The hooks of one run, by method: only the hooks that override a method are called."""

    __slots__ = (*METHODS, "holds_text", "tools")

    on_run_start: tuple[Any, ...]
    on_run_end: tuple[Any, ...]
    before_model_call: tuple[Any, ...]
    after_model_call: tuple[Any, ...]
    before_tool_call: tuple[Any, ...]
    after_tool_call: tuple[Any, ...]
    tools: bool
    """Whether any hook sees tool calls (they then run in tasks of their own)."""
    holds_text: bool
    """Whether any hook holds a model call's text until ``after_model_call`` passed it."""

    def __init__(self, hooks: Sequence[object]) -> None:
        hook = hook_types().Hook
        for name in METHODS:
            base = getattr(hook, name)
            found = []
            for item in hooks:
                method = getattr(item, name, None)
                if callable(method) and getattr(type(item), name, None) is not base:
                    found.append(method)
            setattr(self, name, tuple(found))
        self.tools = bool(self.before_tool_call or self.after_tool_call)
        self.holds_text = any(getattr(item, "holds_model_text", False) is True for item in hooks)

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


async def end_hooks(methods: Sequence[Any], ctx: Any, result: Any) -> None:
    """Call the ``on_run_end`` hooks; an error one raises gets the run's ``result`` (a
    failed run's has the run's own error as ``result.error``): the run is over, and
    its result must not be lost with it."""
    try:
        for method in methods:
            await call_hook(method, ctx, result)
    except BaseException as exc:
        if getattr(exc, "result", None) is None:
            with contextlib.suppress(AttributeError):  # exceptions with __slots__
                exc.result = result  # type: ignore[attr-defined]
        raise


def replaced(method: Any, got: Any, kind: type, current: Any) -> Any:
    """What a hook's return value ``got`` leaves: ``current`` for ``None``, ``got`` when it
    is a ``kind``; anything else is a ``ConfigurationError`` (never silently dropped)."""
    if got is None:
        return current
    if isinstance(got, kind):
        return got
    raise wrong_return(method, got, f"None or a {kind.__name__}")


def wrong_return(method: Any, got: object, allowed: str) -> ConfigurationError:
    """The error for a hook method that returned something it may not return."""
    owner = type(getattr(method, "__self__", method)).__name__
    name = getattr(method, "__name__", "hook")
    return ConfigurationError(
        f"hook {owner}.{name} returned a {type(got).__name__}; it may return {allowed} "
        "(None keeps the value, the other replaces it)"
    )


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
