"""``Agent``: a model, tools and a system prompt, run as a loop until the model answers.

``run()``/``stream()`` yield typed events; ``arun()`` drains ``run()``; ``run_sync()``
wraps ``arun()`` for synchronous code. There is one loop (``locus.agent._run``).

Errors: problems with a tool call (unknown tool, invalid or non-JSON arguments,
the tool raised or timed out, an unserialisable result) become tool messages with
``is_error=True`` that the model reads; they never end the run. A failed model
call, a timeout or ``agent.cancel()`` ends the run by raising a typed error
(``ModelError`` and subclasses, ``RunTimeoutError``, ``RunCancelledError``) with the
partial ``AgentResult`` attached as ``exc.result``; cancelling the task itself
raises ``asyncio.CancelledError`` as usual. Either way the model stream is closed
and pending tools are cancelled. Identical calls in one turn each run (each call
id needs its answer, and a tool may have side effects).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence
from contextlib import aclosing
from typing import Any

from locus._sync import run_sync as _run_sync
from locus.agent._conversation import as_history
from locus.agent._events import RunEvent, RunFinished
from locus.agent._history import HistoryProcessor
from locus.agent._result import AgentResult
from locus.agent._run import AgentRun, RunConfig
from locus.agent._threads import open_store
from locus.core._checks import reject_unknown
from locus.core.errors import ConfigurationError
from locus.core.messages import Message
from locus.core.model import Model
from locus.stores import ThreadStore
from locus.tools._executor import ToolExecutor, as_tools
from locus.tools._results import DEFAULT_MAX_RESULT_CHARS

__all__ = ["Agent", "Prompt"]

Prompt = str | Message | Sequence[Message]
"""A user prompt as text, or ready-made messages appended after the history."""

_OPTIONS = (
    "model",
    "tools",
    "system_prompt",
    "max_iterations",
    "model_kwargs",
    "call_kwargs",
    "tool_timeout",
    "run_timeout",
    "max_tool_result_chars",
    "thread_store",
    "concurrent_tools",
    "history_processor",
)


class Agent:
    """An agent: call the model, run the tools it asks for, repeat, answer.

    ``max_iterations`` caps model calls per run. ``tool_timeout`` is the default
    per-tool timeout (a ``@tool(timeout=...)`` wins); ``run_timeout`` the default
    per-run deadline (``timeout=`` on a run wins). Tool results longer than
    ``max_tool_result_chars`` are truncated with a marker. ``model_kwargs`` are the
    provider settings used to build the model when ``model`` is a ``"provider:id"``
    string (``get_model(model, **model_kwargs)``); ``call_kwargs`` (generation
    parameters such as ``temperature``) go to every model call. Tools of one turn run
    concurrently unless ``concurrent_tools=False``.

    ``thread_store`` keeps the threads of ``thread_id=`` runs: a store object or a URL
    (``"memory://"``, ``"sqlite:///path.db"``, ``"postgresql://..."``); the default is
    an in-memory store of this agent. ``history_processor`` (sync or async
    ``fn(messages) -> messages``, e.g. ``keep_last_turns(10)``) trims what each model
    call is sent; what is stored is never trimmed.
    """

    def __init__(
        self,
        model: Model | str,
        tools: Sequence[object] = (),
        *,
        system_prompt: str | None = None,
        max_iterations: int = 10,
        model_kwargs: dict[str, Any] | None = None,
        call_kwargs: dict[str, Any] | None = None,
        tool_timeout: float | None = None,
        run_timeout: float | None = None,
        max_tool_result_chars: int | None = DEFAULT_MAX_RESULT_CHARS,
        thread_store: ThreadStore | str | None = None,
        concurrent_tools: bool = True,
        history_processor: HistoryProcessor | None = None,
        **unknown: Any,
    ) -> None:
        _reject_unknown(unknown)
        _check_positive("max_iterations", max_iterations, integer=True)
        _check_positive("tool_timeout", tool_timeout)
        _check_positive("run_timeout", run_timeout)
        _check_positive("max_tool_result_chars", max_tool_result_chars, integer=True)
        if history_processor is not None and not callable(history_processor):
            raise ConfigurationError(
                "history_processor must be a function fn(messages) -> messages, got "
                f"{type(history_processor).__name__}"
            )
        self._model = _as_model(model, model_kwargs)
        self.tools = as_tools(tools)
        self.run_timeout = run_timeout
        executor = ToolExecutor(
            self.tools, timeout=tool_timeout, max_result_chars=max_tool_result_chars
        )
        self._config = RunConfig(
            model=self._model,
            specs=[item.spec for item in self.tools],
            executor=executor,
            system_prompt=system_prompt,
            max_iterations=max_iterations,
            call_kwargs=dict(call_kwargs or {}),
            concurrent_tools=concurrent_tools,
            thread_store=open_store(thread_store),
            history_processor=history_processor,
        )

    @property
    def model(self) -> Model:
        return self._model

    @property
    def system_prompt(self) -> str | None:
        return self._config.system_prompt

    @property
    def max_iterations(self) -> int:
        return self._config.max_iterations

    @property
    def thread_store(self) -> ThreadStore:
        return self._config.thread_store

    def __repr__(self) -> str:
        names = [item.name for item in self.tools]
        return f"Agent(model={self._model.model_id!r}, tools={names!r})"

    def run(
        self,
        prompt: Prompt,
        *,
        thread_id: str | None = None,
        timeout: float | None = None,
        message_history: Sequence[Message] | None = None,
    ) -> AsyncGenerator[RunEvent, None]:
        """Start a run and yield its events; ``RunFinished`` (with the result) comes last.

        ``message_history`` (e.g. an earlier ``result.all_messages()``) is the
        conversation so far; with ``thread_id`` the thread's stored messages are the
        history instead (passing both is a ``ConfigurationError``). Exactly one system
        message is sent: the agent's ``system_prompt`` wins over one in the history.
        A failed run raises its typed error instead of yielding ``RunFinished``.
        """
        _check_positive("timeout", timeout)
        history = as_history(message_history, thread_id)
        deadline = timeout if timeout is not None else self.run_timeout
        run = AgentRun(self._config, _as_messages(prompt), thread_id, deadline, history)
        return run.events()

    stream = run

    async def arun(
        self,
        prompt: Prompt,
        *,
        thread_id: str | None = None,
        timeout: float | None = None,
        message_history: Sequence[Message] | None = None,
    ) -> AgentResult:
        """Run to the end and return the result (raises the run's typed error on failure)."""
        result: AgentResult | None = None
        events = self.run(
            prompt, thread_id=thread_id, timeout=timeout, message_history=message_history
        )
        async with aclosing(events):
            async for event in events:
                if isinstance(event, RunFinished):
                    result = event.result
        if result is None:  # pragma: no cover - the loop always ends with RunFinished
            raise RuntimeError("agent run ended without a result")
        return result

    def run_sync(
        self,
        prompt: Prompt,
        *,
        thread_id: str | None = None,
        timeout: float | None = None,
        message_history: Sequence[Message] | None = None,
    ) -> AgentResult:
        """``arun`` for synchronous code, from any thread (a notebook cell included)."""
        return _run_sync(
            lambda: self.arun(
                prompt, thread_id=thread_id, timeout=timeout, message_history=message_history
            ),
            name="run_sync",
            instead="await agent.arun(...)",
        )

    def cancel(self) -> None:
        """Cancel every run of this agent in progress (thread-safe).

        The task driving each run is interrupted at its current await; the run
        raises ``RunCancelledError``.
        """
        for run in list(self._config.active):
            run.cancel()

    async def aclose(self) -> None:
        """Close the model (its HTTP connections)."""
        aclose = getattr(self._model, "aclose", None)
        if aclose is not None:
            await aclose()


def _reject_unknown(unknown: dict[str, Any]) -> None:
    reject_unknown(
        "Agent()",
        unknown,
        _OPTIONS,
        advice="Model settings go to the model (get_model(..., **settings)) or model_kwargs={...}.",
    )


def _check_positive(name: str, value: float | None, *, integer: bool = False) -> None:
    if value is None:
        return
    if integer and (not isinstance(value, int) or isinstance(value, bool)):
        raise ConfigurationError(f"{name} must be an int, got {value!r}")
    if not value > 0:
        raise ConfigurationError(f"{name} must be positive, got {value!r}")


def _as_model(model: Model | str, model_kwargs: dict[str, Any] | None) -> Model:
    if isinstance(model, str):
        from locus.models.registry import get_model

        return get_model(model, **(model_kwargs or {}))
    if model_kwargs:
        raise ConfigurationError(
            "model_kwargs build a model from a 'provider:id' string; this model is already "
            "built, so set them on it (or pass per-call parameters as call_kwargs=)"
        )
    if not isinstance(model, Model):
        raise ConfigurationError(
            f"model must be a Model (with model_id, complete() and stream()) or a "
            f"'provider:model-id' string, got {type(model).__name__}"
        )
    return model


def _as_messages(prompt: Prompt) -> list[Message]:
    if isinstance(prompt, str):
        return [Message.user(prompt)]
    if isinstance(prompt, Message):
        return [prompt]
    if isinstance(prompt, Sequence):
        messages = [item for item in prompt if isinstance(item, Message)]
        if messages and len(messages) == len(prompt):
            return messages
    raise ConfigurationError(
        f"prompt must be a str, a Message or a list of Messages, got {type(prompt).__name__}"
    )
