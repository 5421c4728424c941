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

``Agent`` is generic in its output type: ``Agent(model, output_type=City)`` is an
``Agent[City]`` whose runs return ``AgentResult[City]`` (``result.output: City``); with
no ``output_type`` it is an ``Agent[str]``. ``output_type=`` on a run overrides it.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence
from contextlib import aclosing
from typing import Any, Generic, overload

from typing_extensions import TypeVar

from locus._sync import run_sync as _run_sync
from locus.agent._conversation import as_history
from locus.agent._events import RunEvent, RunFinished
from locus.agent._history import HistoryProcessor
from locus.agent._options import (
    as_messages,
    as_model,
    check_callable,
    check_positive,
    check_retries,
    reject_unknown_options,
)
from locus.agent._output import OutputMode, check_mode, output_plan
from locus.agent._result import AgentResult
from locus.agent._run import AgentRun, RunConfig
from locus.agent._threads import open_store
from locus.agent._validators import OutputValidator, as_validators
from locus.core.messages import Message
from locus.core.model import Model
from locus.stores import ThreadStore
from locus.tools._executor import ToolExecutor, as_tools
from locus.tools._results import DEFAULT_MAX_RESULT_CHARS

__all__ = ["Agent", "Prompt"]

Prompt = str | Message | Sequence[Message]
"""A user prompt as text, or ready-made messages appended after the history."""

OutputT = TypeVar("OutputT", default=str)
RunT = TypeVar("RunT")
History = Sequence[Message] | None


class Agent(Generic[OutputT]):
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

    ``output_type`` asks for typed output (a pydantic model, dataclass, TypedDict,
    primitive, ``list[...]``, ``Literal``, ``Enum`` or a union of pydantic models) in
    ``output_mode`` (``"auto"``, ``"native"``, ``"tool"``, ``"prompted"``); an answer
    that does not validate, or that an ``output_validators`` function rejects with
    ``ModelRetry``, is asked again up to ``output_retries`` times, then the run raises
    ``OutputValidationError``. See ``docs/structured-output.md``.
    """

    @overload
    def __init__(
        self: Agent[str],
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
        output_type: None = None,
        output_mode: OutputMode = "auto",
        output_retries: int = 2,
        output_validators: Sequence[OutputValidator] | None = None,
    ) -> None: ...

    @overload
    def __init__(
        self: Agent[OutputT],
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
        output_type: type[OutputT],
        output_mode: OutputMode = "auto",
        output_retries: int = 2,
        output_validators: Sequence[OutputValidator] | None = None,
    ) -> None: ...

    @overload
    def __init__(
        self: Agent[Any],
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
        output_type: Any = None,
        output_mode: OutputMode = "auto",
        output_retries: int = 2,
        output_validators: Sequence[OutputValidator] | None = None,
    ) -> None: ...

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
        output_type: Any = None,
        output_mode: OutputMode = "auto",
        output_retries: int = 2,
        output_validators: Sequence[OutputValidator] | None = None,
        **unknown: Any,
    ) -> None:
        reject_unknown_options(unknown)
        check_positive("max_iterations", max_iterations, integer=True)
        check_positive("tool_timeout", tool_timeout)
        check_positive("run_timeout", run_timeout)
        check_positive("max_tool_result_chars", max_tool_result_chars, integer=True)
        check_callable("history_processor", history_processor, "fn(messages) -> messages")
        check_mode(output_mode)
        self._model = as_model(model, model_kwargs)
        output_plan(output_type, output_mode, self._model)  # a bad output type fails here
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
            output_type=output_type,
            output_mode=output_mode,
            output_retries=check_retries(output_retries),
            output_validators=as_validators(output_validators),
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

    @property
    def output_type(self) -> Any:
        """The agent's output type (``None``: text)."""
        return self._config.output_type

    def __repr__(self) -> str:
        names = [item.name for item in self.tools]
        return f"Agent(model={self._model.model_id!r}, tools={names!r})"

    def run(
        self,
        prompt: Prompt,
        *,
        thread_id: str | None = None,
        timeout: float | None = None,
        message_history: History = None,
        output_type: Any = None,
    ) -> AsyncGenerator[RunEvent, None]:
        """Start a run and yield its events; ``RunFinished`` (with the result) comes last.

        ``message_history`` (e.g. an earlier ``result.all_messages()``) is the
        conversation so far; with ``thread_id`` the thread's stored messages are the
        history instead (passing both is a ``ConfigurationError``). Exactly one system
        message is sent: the agent's ``system_prompt`` wins over one in the history.
        ``output_type`` overrides the agent's for this run (``str`` for text).
        A failed run raises its typed error instead of yielding ``RunFinished``.
        """
        check_positive("timeout", timeout)
        history = as_history(message_history, thread_id)
        deadline = timeout if timeout is not None else self.run_timeout
        wanted = output_type if output_type is not None else self._config.output_type
        prompt_messages = as_messages(prompt)
        run = AgentRun(self._config, prompt_messages, thread_id, deadline, history, wanted)
        return run.events()

    stream = run

    @overload
    async def arun(
        self,
        prompt: Prompt,
        *,
        thread_id: str | None = None,
        timeout: float | None = None,
        message_history: History = None,
        output_type: None = None,
    ) -> AgentResult[OutputT]: ...

    @overload
    async def arun(
        self,
        prompt: Prompt,
        *,
        thread_id: str | None = None,
        timeout: float | None = None,
        message_history: History = None,
        output_type: type[RunT],
    ) -> AgentResult[RunT]: ...

    @overload
    async def arun(
        self,
        prompt: Prompt,
        *,
        thread_id: str | None = None,
        timeout: float | None = None,
        message_history: History = None,
        output_type: Any,
    ) -> AgentResult[Any]: ...

    async def arun(
        self,
        prompt: Prompt,
        *,
        thread_id: str | None = None,
        timeout: float | None = None,
        message_history: History = None,
        output_type: Any = None,
    ) -> AgentResult[Any]:
        """Run to the end and return the result (raises the run's typed error on failure)."""
        result: AgentResult[Any] | None = None
        events = self.run(
            prompt,
            thread_id=thread_id,
            timeout=timeout,
            message_history=message_history,
            output_type=output_type,
        )
        async with aclosing(events):
            async for event in events:
                if isinstance(event, RunFinished):
                    result = event.result
        if result is None:  # pragma: no cover - the loop always ends with RunFinished
            raise RuntimeError("agent run ended without a result")
        return result

    @overload
    def run_sync(
        self,
        prompt: Prompt,
        *,
        thread_id: str | None = None,
        timeout: float | None = None,
        message_history: History = None,
        output_type: None = None,
    ) -> AgentResult[OutputT]: ...

    @overload
    def run_sync(
        self,
        prompt: Prompt,
        *,
        thread_id: str | None = None,
        timeout: float | None = None,
        message_history: History = None,
        output_type: type[RunT],
    ) -> AgentResult[RunT]: ...

    @overload
    def run_sync(
        self,
        prompt: Prompt,
        *,
        thread_id: str | None = None,
        timeout: float | None = None,
        message_history: History = None,
        output_type: Any,
    ) -> AgentResult[Any]: ...

    def run_sync(
        self,
        prompt: Prompt,
        *,
        thread_id: str | None = None,
        timeout: float | None = None,
        message_history: History = None,
        output_type: Any = None,
    ) -> AgentResult[Any]:
        """``arun`` for synchronous code, from any thread (a notebook cell included)."""
        return _run_sync(
            lambda: self.arun(
                prompt,
                thread_id=thread_id,
                timeout=timeout,
                message_history=message_history,
                output_type=output_type,
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
