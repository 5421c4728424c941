"""``Agent``: a model, tools and a system prompt, run as a loop until the model answers.

``run()``/``stream()`` yield typed events; ``arun()`` drains the same run, one whose
events no caller reads (a broken model stream is retried: ``_unwatched``); ``run_sync()``
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
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar, overload

from locus._sync import run_sync as _run_sync
from locus.agent._conversation import SystemPrompt, as_history
from locus.agent._events import RunEvent, RunFinished
from locus.agent._hookset import as_hooks
from locus.agent._options import (
    as_messages,
    as_model,
    check_mode,
    check_positive,
    reject_unknown_options,
    run_documents,
)
from locus.agent._override import Overridable
from locus.agent._result import AgentResult
from locus.agent._resume import Resumable
from locus.agent._run import AgentRun, RunRequest
from locus.agent._setup import build_config, check_deps
from locus.agent._step import close_events
from locus.agent._subagents import SubAgents
from locus.core.messages import Message
from locus.core.model import Model
from locus.tools._tool import Tool

__all__ = ["Agent", "Prompt"]

Prompt = str | Message | Sequence[Message]
"""A user prompt as text, or ready-made messages appended after the history."""

if TYPE_CHECKING:  # typing_extensions only for the checker: a TypeVar default, ``Unpack``
    from typing_extensions import TypeVar as DefaultTypeVar
    from typing_extensions import Unpack

    from locus.agent._option_types import AgentOptions, RunOptions
    from locus.stores import ThreadStore

    OutputT = DefaultTypeVar("OutputT", default=str)
else:
    OutputT = TypeVar("OutputT")
RunT = TypeVar("RunT")


class Agent(Resumable, SubAgents, Overridable, Generic[OutputT]):
    """An agent: call the model, run the tools it asks for, repeat, answer.

    ``name`` (letters, digits, ``_``, ``-``; default ``agent-<model short name>``) names
    the agent in handoff tools, events and traces. ``tools`` are ``@tool`` functions,
    plain functions and toolsets (objects with ``async list_tools()``, e.g. MCP servers,
    asked at each run's start). ``max_iterations`` caps model calls per run.
    ``tool_timeout`` is the default per-tool timeout (a ``@tool(timeout=...)`` wins);
    ``run_timeout`` the default per-run deadline (``timeout=`` on a run wins). Tool
    results longer than ``max_tool_result_chars`` are truncated with a marker.
    ``model_kwargs`` build the model when ``model`` is a ``"provider:id"`` string;
    ``call_kwargs`` (e.g. ``temperature``) go to every model call. Tools of one turn run
    concurrently unless ``concurrent_tools=False``.

    ``thread_store`` keeps the threads of ``thread_id=`` runs (a store or a URL:
    ``"memory://"``, ``"sqlite:///path.db"``, ``"postgresql://..."``; default: in memory).
    ``history_processor`` trims what each model call is sent (see
    ``docs/conversations.md``). ``output_type``/``output_mode``/``output_retries``/
    ``output_validators`` ask for typed output (``docs/structured-output.md``).

    ``hooks`` see and steer every model and tool call (``docs/hooks.md``); ``deps_type``
    is the type of the ``deps=`` a run hands its tools through ``RunContext``.
    ``handoffs`` are agents the model may transfer the conversation to
    (``transfer_to_<name>`` tools, at most ``max_handoffs`` per run), or
    ``Handoff(agent, history=...)`` to filter what the receiving agent is shown
    (``docs/multi-agent.md``). ``async with agent:`` closes its toolsets and model.
    ``with agent.override(model=...):`` runs it on another model (tests: docs/testing.md).
    """

    @overload
    def __init__(
        self: Agent[str],
        model: Model | str,
        tools: Sequence[object] = (),
        *,
        output_type: None = None,
        **options: Unpack[AgentOptions],
    ) -> None: ...

    @overload
    def __init__(
        self: Agent[OutputT],
        model: Model | str,
        tools: Sequence[object] = (),
        *,
        output_type: type[OutputT],
        **options: Unpack[AgentOptions],
    ) -> None: ...

    @overload
    def __init__(
        self: Agent[Any],
        model: Model | str,
        tools: Sequence[object] = (),
        *,
        output_type: Any = None,
        **options: Unpack[AgentOptions],
    ) -> None: ...

    def __init__(
        self,
        model: Model | str,
        tools: Sequence[object] = (),
        *,
        output_type: Any = None,
        **options: Any,
    ) -> None:
        reject_unknown_options(options)
        self._model = as_model(model, options.get("model_kwargs"))
        check_mode(options.get("output_mode", "auto"))
        if output_type is not None and output_type is not str:  # checked now, not at a run
            from locus.agent._output import output_plan

            output_plan(output_type, options.get("output_mode", "auto"), self._model)
        self._handoff_history: dict[str, Any] = {}
        if options.get("handoffs"):  # Handoff(agent, ...) entries as their agents
            from locus.agent._handoff import split_handoffs

            agents, self._handoff_history = split_handoffs(options["handoffs"])
            options = {**options, "handoffs": agents}
        self._config = build_config(self._model, tools, options)  # type: ignore[arg-type]
        self._config.output_type = output_type
        self._config.handoff_history = self._handoff_history
        self.description: str = options.get("description") or ""
        self.tools: list[Tool[Any, Any]] = self._config.toolbox.tools
        self.run_timeout: float | None = options.get("run_timeout")

    @property
    def name(self) -> str:
        return self._config.name

    @property
    def model(self) -> Model:
        return self._model

    @property
    def system_prompt(self) -> SystemPrompt:
        """The system prompt: a text, or the function of the run that makes it."""
        return self._config.system_prompt

    @property
    def max_iterations(self) -> int:
        return self._config.max_iterations

    @property
    def thread_store(self) -> ThreadStore:
        return self._config.store()

    @property
    def output_type(self) -> Any:
        """The agent's output type (``None``: text)."""
        return self._config.output_type

    def __repr__(self) -> str:
        names = [item.name for item in self.tools]
        return f"Agent(name={self.name!r}, model={self._model.model_id!r}, tools={names!r})"

    def run(
        self, prompt: Prompt, *, output_type: Any = None, **options: Unpack[RunOptions]
    ) -> AsyncGenerator[RunEvent, None]:
        """Start a run and yield its events; ``RunFinished`` (with the result) comes last.

        ``message_history`` (e.g. an earlier ``result.all_messages()``) is the
        conversation so far; with ``thread_id`` the thread's stored messages are the
        history instead (passing both is a ``ConfigurationError``). Exactly one system
        message is sent: the agent's ``system_prompt`` wins over one in the history.
        ``output_type`` overrides the agent's for this run (``str`` for text); ``deps``
        reach tools and hooks as ``ctx.deps``; ``hooks`` run after the agent's;
        ``max_run_tokens`` is this run's token budget instead of the agent's.
        ``documents`` (dicts such as ``{"title": ..., "snippet": ...}``) ground each of the
        run's model calls: a Cohere model answers with ``result.citations``.
        A failed run raises its typed error instead of yielding ``RunFinished``.
        """
        return AgentRun(self._run_config(), self._request(prompt, output_type, options)).events()

    stream = run

    def _request(self, prompt: Any, output_type: Any, options: Any) -> RunRequest:
        reject_unknown_options(options, where="a run")
        timeout = options.get("timeout")
        check_positive("timeout", timeout)
        budget = options.get("max_run_tokens")
        check_positive("max_run_tokens", budget, integer=True)
        thread_id = options.get("thread_id")
        history = as_history(options.get("message_history"), thread_id)
        deps = self._run_deps(options.get("deps"))
        check_deps(self._config.deps_type, deps)
        return RunRequest(
            prompt=as_messages(prompt),
            thread_id=thread_id,
            timeout=timeout if timeout is not None else self.run_timeout,
            history=history,
            output_type=output_type if output_type is not None else self._config.output_type,
            deps=deps,
            hooks=as_hooks(options.get("hooks"), "run()"),
            max_run_tokens=budget,
            documents=run_documents(options.get("documents")),
        )

    @overload
    async def arun(
        self, prompt: Prompt, *, output_type: None = None, **options: Unpack[RunOptions]
    ) -> AgentResult[OutputT]: ...

    @overload
    async def arun(
        self, prompt: Prompt, *, output_type: type[RunT], **options: Unpack[RunOptions]
    ) -> AgentResult[RunT]: ...

    @overload
    async def arun(
        self, prompt: Prompt, *, output_type: Any, **options: Unpack[RunOptions]
    ) -> AgentResult[Any]: ...

    async def arun(
        self, prompt: Prompt, *, output_type: Any = None, **options: Unpack[RunOptions]
    ) -> AgentResult[Any]:
        """Run to the end and return the result (raises the run's typed error on failure).

        No caller reads this run's events, so a model stream that breaks midway is sent
        again within the model's retry budget, as ``complete()`` does (``run()`` cannot:
        its caller has seen the text)."""
        # drain()'s loop, written out: awaiting drain() would keep a second coroutine per run
        # in flight (some 230 bytes while the run waits on its model)
        request = self._request(prompt, output_type, options)
        request.watched = False
        events = AgentRun(self._run_config(), request).events()
        result: AgentResult[Any] | None = None
        try:
            async for event in events:
                if isinstance(event, RunFinished):
                    result = event.result
        finally:
            await close_events(events)
        if result is None:  # pragma: no cover - the loop always ends with RunFinished
            raise RuntimeError("agent run ended without a result")
        return result

    @overload
    def run_sync(
        self, prompt: Prompt, *, output_type: None = None, **options: Unpack[RunOptions]
    ) -> AgentResult[OutputT]: ...

    @overload
    def run_sync(
        self, prompt: Prompt, *, output_type: type[RunT], **options: Unpack[RunOptions]
    ) -> AgentResult[RunT]: ...

    @overload
    def run_sync(
        self, prompt: Prompt, *, output_type: Any, **options: Unpack[RunOptions]
    ) -> AgentResult[Any]: ...

    def run_sync(
        self, prompt: Prompt, *, output_type: Any = None, **options: Unpack[RunOptions]
    ) -> AgentResult[Any]:
        """``arun`` for synchronous code, from any thread (a notebook cell included)."""
        return _run_sync(
            lambda: self.arun(prompt, output_type=output_type, **options),
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
        """Close the agent's toolsets (e.g. MCP sessions) and its model (HTTP connections)."""
        await self._config.toolbox.aclose()
        aclose = getattr(self._model, "aclose", None)
        if aclose is not None:
            await aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


async def drain(events: AsyncGenerator[RunEvent, None]) -> AgentResult[Any]:
    """Iterate a run to its end; its ``RunFinished`` result."""
    result: AgentResult[Any] | None = None
    try:  # (as contextlib.aclosing, with two objects fewer per run)
        async for event in events:
            if isinstance(event, RunFinished):
                result = event.result
    finally:
        await close_events(events)
    if result is None:  # pragma: no cover - the loop always ends with RunFinished
        raise RuntimeError("agent run ended without a result")
    return result
