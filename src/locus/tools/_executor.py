"""Run a model turn's tool calls: validate, call with a timeout, and report every problem.

Nothing here raises to the caller for a bad call: an unknown tool, invalid
arguments, an exception inside the tool, a timeout or an unserialisable result
all become a tool-result ``Message`` with ``is_error=True`` that the model reads.
Calls of one turn run concurrently; outcomes come back in call order. Every call
is executed, including two identical calls in one turn (a tool may have side
effects or return different values, and each call id needs its own answer).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from locus._lazy import lazy_exports
from locus.core.errors import (
    ConfigurationError,
    ToolArgumentsError,
    ToolError,
    ToolExecutionError,
    ToolTimeoutError,
    UnknownToolError,
)
from locus.core.messages import Message, ToolCall
from locus.tools._results import (
    DEFAULT_MAX_RESULT_CHARS,
    format_result,
    truncate,
    valid_unicode,
)
from locus.tools._tool import Tool, tool_threads

if TYPE_CHECKING:  # (the sync tools' thread pool: imported by the first sync tool call)
    from locus.tools._threads import Started

__all__ = ["Started", "ToolExecutor", "ToolOutcome", "Toolset", "as_tools", "split_tools"]

logger = logging.getLogger("locus.tools")


@dataclass(slots=True)
class ToolOutcome:
    """The result of one call: the tool message for the model, and the error if any."""

    call: ToolCall
    message: Message
    error: ToolError | None = None
    duration_ms: float = 0.0

    @property
    def is_error(self) -> bool:
        return self.error is not None


@runtime_checkable
class Toolset(Protocol):
    """A source of tools asked for its list when a run starts (e.g. an MCP server).

    It may cache the list. One with ``async def aclose()`` is closed by
    ``agent.aclose()`` / ``async with agent:``.
    """

    async def list_tools(self) -> Sequence[Tool[..., Any]]: ...


def as_tools(items: Iterable[object]) -> list[Tool[Any, Any]]:
    """Accept ``Tool`` objects and plain functions (wrapped); reject anything else."""
    tools, toolsets = split_tools(items)
    if toolsets:
        raise ConfigurationError(
            f"{toolsets[0]!r} is a toolset; its tools are listed when an agent run starts"
        )
    return tools


def split_tools(items: Iterable[object]) -> tuple[list[Tool[Any, Any]], list[Toolset]]:
    """Tools (plain functions wrapped) and toolsets, in order; reject anything else."""
    tools: list[Tool[Any, Any]] = []
    toolsets: list[Toolset] = []
    for item in items:
        if isinstance(item, Tool):
            tools.append(item)
        elif isinstance(item, Toolset):
            toolsets.append(item)
        elif callable(item):
            tools.append(Tool(item))
        else:
            raise ConfigurationError(
                f"cannot run {item!r} as a tool: pass a @tool function, a plain function or "
                "a toolset (an object with async list_tools(), such as an MCP server)"
            )
    return tools, toolsets


class ToolExecutor:
    """Holds the tools of an agent and runs calls against them."""

    def __init__(
        self,
        tools: Sequence[Tool[Any, Any]],
        *,
        timeout: float | None = None,
        max_result_chars: int | None = DEFAULT_MAX_RESULT_CHARS,
    ) -> None:
        self.tools: dict[str, Tool[Any, Any]] = {}
        for item in tools:
            if item.name in self.tools:
                raise ConfigurationError(f"two tools are named {item.name!r}")
            self.tools[item.name] = item
        self.timeout = timeout
        self.max_result_chars = max_result_chars

    async def run_all(self, calls: Sequence[ToolCall]) -> list[ToolOutcome]:
        """Run ``calls`` concurrently; outcomes in call order."""
        if len(calls) == 1:
            return [await self.run_one(calls[0])]
        return list(await asyncio.gather(*(self.run_one(call) for call in calls)))

    async def run_one(self, call: ToolCall, context: Any = None) -> ToolOutcome:
        """Run one call; every failure becomes an error outcome, never an exception.

        ``context`` (the run's ``RunContext``) goes to a tool parameter that asks for it.
        """
        started = time.perf_counter()
        try:
            text = await self._execute(call, context)
            error: ToolError | None = None
        except ToolError as exc:
            text, error = f"Error: {exc}", exc
        return self._outcome(call, text, error, started)

    def start(self, call: ToolCall, context: Any = None) -> Started | None:
        """Hand a plain call to a tool thread now, with no task or coroutine of its own.

        Only a sync tool in a thread with no timeout whose arguments pass the scalar
        fast path starts here; ``None`` means the call needs ``run_one`` (which gives
        every error its usual outcome). Await ``started.future``, then ``finish`` it;
        whoever stops waiting first calls ``abandon``.
        """
        began = time.perf_counter()
        found = self.tools.get(call.name)
        if found is None or call.raw_arguments is not None:
            return None
        timeout = found.timeout if found.timeout is not None else self.timeout
        if timeout is not None or not isinstance(call.arguments, Mapping):
            return None
        job = found.start_in_thread(call.arguments, context)
        if job is None:
            return None
        started: Started = tool_threads().Started(call, job, began)
        return started

    def finish(self, started: Started) -> ToolOutcome:
        """The outcome of a started call whose future is done (as ``run_one`` gives it)."""
        call = started.call
        value, raised = started.future.result()
        try:
            if raised is not None:
                raise _error_of(call, raised)
            text = format_result(value, call.name)
            error: ToolError | None = None
        except ToolError as exc:
            text, error = f"Error: {exc}", exc
        return self._outcome(call, text, error, started.began)

    @staticmethod
    def abandon(started: Started) -> None:
        """Stop waiting for a started call (the run ends before it does)."""
        tool_threads().abandon(started.job)

    def _outcome(
        self, call: ToolCall, text: str, error: ToolError | None, started: float
    ) -> ToolOutcome:
        text = truncate(valid_unicode(text), self.max_result_chars)
        message = Message.tool(text, call.id, call.name, is_error=error is not None)
        elapsed = (time.perf_counter() - started) * 1000
        return ToolOutcome(call, message, error, elapsed)

    async def _execute(self, call: ToolCall, context: Any) -> str:
        found = self.tools.get(call.name)
        if found is None:
            raise UnknownToolError(self._unknown_text(call.name), tool_name=call.name)
        arguments = _checked_arguments(call)
        timeout = found.timeout if found.timeout is not None else self.timeout
        scope = None
        try:
            if timeout is None:  # no scope to make or enter: the cheap path of most calls
                value = await found.invoke(arguments, context)
            elif found.is_async or found.arguments_model is None:  # (may swallow a cancel)
                value = await _bounded(found, arguments, context, timeout)
            else:  # a sync tool's thread is given up on by the await (see _threads)
                async with (scope := asyncio.timeout(timeout)):
                    value = await found.invoke(arguments, context)
        except ToolError:
            raise
        except TimeoutError as exc:
            if scope is None or not scope.expired():  # the tool's own, not our deadline
                raise _raised(call, exc) from exc
            raise ToolTimeoutError(
                f"tool {call.name!r} did not finish within {timeout} s", tool_name=call.name
            ) from exc
        except Exception as exc:
            raise _raised(call, exc) from exc
        except (asyncio.CancelledError, GeneratorExit) as exc:
            if isinstance(exc, asyncio.CancelledError) and _cancelled():
                raise  # a real cancellation of this run: let it end the run
            raise _raised(call, exc) from exc  # raised by the tool itself
        return format_result(value, call.name)

    def _unknown_text(self, name: str) -> str:
        known = ", ".join(sorted(self.tools)) or "(none)"
        return f"there is no tool named {name!r}; available tools: {known}"


async def _bounded(found: Tool[Any, Any], arguments: Any, context: Any, timeout: float) -> Any:
    """``found.invoke(...)`` in a task of its own, given ``timeout`` seconds.

    At the timeout the task is cancelled and given as long again (at most
    ``STOP_GRACE`` s) to stop. A coroutine can catch ``CancelledError`` and go on; in the
    caller's own task it would hold the call, and the run, past its timeout. Such a task
    is left running (``_left``: kept, its outcome dropped) and the call still ends, with
    an error that says so. A cancel of the caller cancels the tool, as before.
    """
    task = asyncio.ensure_future(found.invoke(arguments, context))
    grace = min(timeout, STOP_GRACE)
    try:
        try:
            done, _ = await asyncio.wait((task,), timeout=timeout)
        except asyncio.CancelledError:
            task.cancel()
            if not (await asyncio.wait((task,), timeout=grace))[0]:
                _left(task, found.name)
            raise
        if done:
            return task.result()
        task.cancel()
        text = f"tool {found.name!r} did not finish within {timeout} s"
        if not (await asyncio.wait((task,), timeout=grace))[0]:
            _left(task, found.name)
            text += " and did not stop when cancelled (it is still running; its result "
            text += "will be dropped)"
        raise ToolTimeoutError(text, tool_name=found.name)
    finally:
        if not task.done():  # (kept until it ends: also when a second cancel came while
            task.cancel()  # it was given time to stop)
            _LEFT.add(task)
            task.add_done_callback(_LEFT.discard)
        _drop_outcome(task)


STOP_GRACE = 1.0
"""The most a timed-out async tool is given, after its cancel, to stop."""

_LEFT: set[asyncio.Task[Any]] = set()
_WARNED: set[str] = set()


def _left(task: asyncio.Task[Any], name: str) -> None:
    """Warn, once per tool name, about a task that would not stop (``_bounded`` keeps it
    until it ends)."""
    if name not in _WARNED:
        _WARNED.add(name)
        logger.warning(
            "async tool %r did not stop when cancelled (at its timeout or with its run: it catches "
            "CancelledError and goes on): it is still running, and its result will be "
            "dropped; let CancelledError propagate (re-raise it after any cleanup)",
            name,
        )


def _drop_outcome(task: asyncio.Task[Any]) -> None:
    """Retrieve the outcome of ``task`` whenever it ends (no 'never retrieved' report)."""
    if task.done():
        if not task.cancelled():
            task.exception()
    else:
        task.add_done_callback(_drop_outcome)


def _error_of(call: ToolCall, raised: BaseException) -> BaseException:
    """What ``_execute`` makes of an exception a sync tool raised in its thread."""
    if isinstance(raised, ToolError):
        return raised
    if isinstance(raised, (Exception, asyncio.CancelledError, GeneratorExit)):
        return _raised(call, raised)  # (a thread's CancelledError is the tool's own)
    return raised  # KeyboardInterrupt, SystemExit: not a tool failure, they end the run


def _cancelled() -> bool:
    """Whether the current task was asked to cancel (not just handed a CancelledError)."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


def _raised(call: ToolCall, exc: BaseException) -> ToolExecutionError:
    text = f"tool {call.name!r} raised {type(exc).__name__}: {exc}"
    return ToolExecutionError(text, tool_name=call.name)


def _checked_arguments(call: ToolCall) -> Mapping[str, Any]:
    arguments = call.arguments
    if not isinstance(arguments, Mapping):
        raise ToolArgumentsError(
            f"arguments for tool {call.name!r} must be a JSON object, got "
            f"{type(arguments).__name__}",
            tool_name=call.name,
        )
    if call.raw_arguments is not None:
        raw = call.raw_arguments[:500]
        kind = _json_kind(call.raw_arguments)
        if kind is None:
            what = "were not valid JSON"
        else:  # valid JSON: saying "invalid" would have the model fix the wrong thing
            what = f"must be a JSON object of named arguments, got a JSON {kind}"
        text = f"arguments for tool {call.name!r} {what}: {raw}"
        raise ToolArgumentsError(text, tool_name=call.name)
    return arguments


_JSON_KINDS = {list: "array", str: "string", int: "number", float: "number", bool: "boolean"}


def _json_kind(text: str) -> str | None:
    """What JSON value ``text`` holds (``None``: it is not JSON, or holds an object)."""
    import json  # (an error path)

    try:
        value = json.loads(text)
    except (ValueError, RecursionError):  # (nested too deeply to read)
        return None
    return "null" if value is None else _JSON_KINDS.get(type(value))


# (``Started`` is defined with the thread pool it is for)
__getattr__, __dir__ = lazy_exports(__name__, {"Started": "locus.tools._threads"})
