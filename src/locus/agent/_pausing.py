"""Pausing for approval and resuming (mixed into ``AgentRun``), exactly once.

A run whose turn holds calls that need approval stops (``pause``) once the other calls
of the turn have run, with a ``RunState``. On a thread the state is also kept in the
thread's metadata under ``"locus.paused_run"`` (a new prompt on that thread is refused
until the run is resumed or abandoned). Once the resumed run has saved its turns, only a
tombstone stays there (the state's id, marked resumed).

Resuming goes on with the agent that paused (``locus.agent._paused_agent``), with the
handoffs it made and what a ``Handoff(history=...)`` filter showed it; paused runs of
agents used as tools are resumed inside their calls (``locus.agent._nested``). All of
it is checked before the state is claimed, so a state that cannot be resumed here stays
resumable.

Exactly once: a resumed run claims its state before any tool runs. On a thread the
claim is a ``"resumed"`` mark written into the stored state while the run holds the
thread's lock, which excludes every process sharing the store (SQLite, PostgreSQL);
a second resume finds the mark and raises ``AlreadyResumedError``. A bare state (no
thread) is claimed in a set of resumed ids of this process only: the same state
resumed in two processes at once would run twice there, so use a thread store when
more than one process may resume.
"""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncGenerator, Awaitable
from typing import TYPE_CHECKING, Any, TypeVar

from locus.agent import _events as ev
from locus.agent._context import RunContext
from locus.agent._result import AgentResult, Metrics, RunStopReason
from locus.agent._step import Step
from locus.core.errors import AlreadyResumedError, ConfigurationError, ThreadConflictError
from locus.core.messages import Message, ToolCall
from locus.core.response import ModelResponse
from locus.core.usage import Usage
from locus.tools._executor import ToolOutcome

if TYPE_CHECKING:
    from locus.agent._state import Deny, RunState

__all__ = ["PAUSED_KEY", "PauseSteps", "abandon_paused", "paused_state"]

T = TypeVar("T")
PAUSED_KEY = "locus.paused_run"

_resumed_lock = threading.Lock()
_resumed_ids: set[str] = set()


class PauseSteps:
    """Pause and resume steps; the attributes are ``AgentRun``'s."""

    if not TYPE_CHECKING:  # AgentRun holds the slots (the checker sees them there)
        __slots__ = ()

    config: Any  # RunConfig
    home: Any
    request: Any  # RunRequest
    thread_id: str | None
    ctx: RunContext[Any]
    response: ModelResponse | None
    messages: list[Message]
    metrics: Metrics
    usage: Usage
    run_id: str
    pending: list[Any]
    state: RunState | None
    _held: list[ToolCall]
    _outcomes: list[ToolOutcome | None]
    _handoffs: tuple[str, ...]
    _view: tuple[list[Message], int] | None
    _subs: Any  # SubCalls | None
    _handoff_to: str | None
    last_agent: str
    executor: Any
    _history_from: int
    _new_from: int
    _next: Step | None

    if TYPE_CHECKING:

        def _wait(self, awaitable: Awaitable[T]) -> Awaitable[T]: ...
        def _result(
            self, reason: RunStopReason, error: BaseException | None
        ) -> AgentResult[Any]: ...
        def _run_calls(
            self, runnable: Any, arguments: dict[str, Any] | None = None
        ) -> AsyncGenerator[ev.RunEvent, None]: ...
        def _observe(self) -> AsyncGenerator[ev.RunEvent, None]: ...
        async def _tools_for_run(self) -> None: ...
        async def _start_hooks(self) -> None: ...
        def _set_kwargs(self) -> None: ...

    async def _pause(self) -> AsyncGenerator[ev.RunEvent, None]:
        """Stop with the held calls (and those of paused sub-runs) pending; keep the state
        in the thread's metadata."""
        from locus.agent._nested import pending_of  # (loaded by the first pause)
        from locus.agent._state import RunState

        assert self.response is not None
        calls = self.response.tool_calls
        done = {o.call.id: o.message for o in self._outcomes if o is not None}
        subs = self._subs.paused if self._subs is not None else {}
        nested = {c.id: s for c in calls if c.id in subs and (s := subs[c.id].state) is not None}
        self.pending = pending_of(calls, self._held, nested)
        view, view_from = self._view if self._view is not None else (None, 0)
        self.state = RunState(
            messages=list(self.messages),
            pending=self.pending,
            results=done,
            metrics=_metrics_json(self.metrics),
            usage=Usage(**self.usage),
            run_id=self.run_id,
            agent_name=self.config.name,
            thread_id=self.thread_id,
            history_from=self._history_from,
            new_from=self._new_from,
            handoffs=list(self._handoffs),
            view=view,
            view_from=view_from,
            nested=nested,
            documents=self.request.documents,
        )
        if self.thread_id is not None:
            store = self.home.store()
            metadata = await self._wait(_get_metadata(store, self.thread_id))
            metadata[PAUSED_KEY] = self.state.to_json()
            await self._wait(_set_metadata(store, self.thread_id, metadata))
        yield ev.RunFinished(self._result("awaiting_approval", None))

    async def _refuse_if_paused(self) -> None:
        """A new prompt on a thread whose run waits for approval is refused."""
        if getattr(self.home.store(), "get_metadata", None) is None:
            return
        assert self.thread_id is not None
        paused = (await _get_metadata(self.home.store(), self.thread_id)).get(PAUSED_KEY)
        if isinstance(paused, dict) and not paused.get("resumed"):
            calls = ", ".join(f"{p['tool']} ({p['id']})" for p in paused.get("pending", []))
            raise ThreadConflictError(
                f"thread {self.thread_id!r} has a run waiting for approval of {calls}; "
                f"finish it with agent.resume(thread_id={self.thread_id!r}, approvals={{...}}) "
                f"or drop it with agent.abandon({self.thread_id!r}) before a new prompt"
            )

    async def _forget_resumed(self) -> None:
        """After a resumed run on a thread saved its turns, keep only a tombstone of the
        consumed state (its id, marked resumed), so a late second resume is refused."""
        if self.request.resume:
            store = self.home.store()
            assert self.thread_id is not None
            metadata = await _get_metadata(store, self.thread_id)
            stored = metadata.get(PAUSED_KEY)
            if isinstance(stored, dict) and stored.get("resumed"):
                metadata[PAUSED_KEY] = {"id": stored.get("id"), "resumed": True}
                await _set_metadata(store, self.thread_id, metadata)

    async def _resume_load(self) -> AsyncGenerator[ev.RunEvent, None]:
        """Check the paused state, claim it (exactly once), restore the run, answer the
        held calls and resume the paused sub-runs."""
        from locus.agent._state import Approve, Deny

        state, approvals, metadata = await self._wait(self._claimable())
        self._restore(state)
        await self._tools_for_run()
        assert self.response is not None
        calls = self.response.tool_calls
        nested = self._nested_decisions(state, approvals)
        await self._wait(self._claim(state, metadata))
        await self._start_hooks()
        self._outcomes = [None] * len(calls)
        runnable, arguments = [], {}
        for index, call in enumerate(calls):
            decision = approvals.get(call.id)
            if call.id in state.results:
                self._outcomes[index] = ToolOutcome(call, state.results[call.id])
                self._transferred(call, state.results[call.id])
            elif call.id in nested:  # its sub-run is resumed inside the call
                runnable.append((index, call))
            elif isinstance(decision, Deny):
                self._outcomes[index] = _denied(call, decision)
            elif isinstance(decision, Approve):
                runnable.append((index, call))
                if decision.arguments is not None:
                    arguments[call.id] = decision.arguments
        if nested:
            self._subs.resumes = {i: (state.nested[i], d) for i, d in nested.items()}
            self.metrics.tool_calls -= len(nested)  # (counted when they started)
        async for event in self._run_calls(runnable, arguments):
            yield event
        self._held = []
        paused = self._subs is not None and self._subs.paused  # a sub-run paused again
        self._next = self._pause if paused else self._observe

    def _restore(self, state: RunState) -> None:
        """The run as it paused: the agent that paused (with its handoffs and view), the
        conversation, the counters."""
        from locus.agent._paused_agent import paused_config

        self.config = paused_config(self.home, state)
        self.last_agent = self.ctx.agent_name = self.config.name
        self._handoffs = tuple(state.handoffs)
        if state.view is not None:  # what its Handoff(history=...) filter kept
            from locus.agent._handoff import view_config

            self._view = (state.view, state.view_from)
            self.config = view_config(self.config, *self._view)
        if self.request.documents is None:  # the paused run's, unless the resume gives some
            self.request.documents = state.documents
        self._set_kwargs()
        self.messages[:] = state.messages
        self.usage = self.ctx.usage = Usage(**state.usage)
        for name, value in state.metrics.items():
            setattr(self.metrics, name, value)
        self.metrics.duration_ms = 0.0
        self.run_id = self.ctx.run_id = state.run_id or self.run_id
        self._history_from, self._new_from = state.history_from, state.new_from
        self.ctx.iteration = self.metrics.iterations
        last = state.messages[-1] if state.messages else None
        if last is None or last.role != "assistant" or not last.tool_calls:
            raise ConfigurationError("this RunState does not end with tool calls to answer")
        self.response = ModelResponse(message=last)

    def _nested_decisions(
        self, state: RunState, approvals: dict[str, Any]
    ) -> dict[str, dict[str, Any]]:
        """The decisions for each paused sub-run, by calling call id (checked first)."""
        if not state.nested:
            return {}
        from locus.agent._nested import check_nested, route

        assert self.response is not None
        calls = self.response.tool_calls
        check_nested(self.executor.tools, calls, state)
        return route(calls, state, approvals)

    def _transferred(self, call: ToolCall, message: Message) -> None:
        """A transfer answered before the pause switches agents after it, as it would have."""
        target = self.config.handoff_tools.get(call.name)
        if target is not None and not message.is_error:
            self._handoff_to = target

    async def _claimable(self) -> tuple[RunState, dict[str, Any], dict[str, Any] | None]:
        """The paused state (given, or kept on the thread) and its checked decisions, and
        the thread's metadata to claim it in (``None``: a bare state). Nothing is claimed."""
        from locus.agent._state import RunState, check_approvals

        given: RunState | None = self.request.state
        if self.thread_id is None:
            assert given is not None
            return given, check_approvals(given, self.request.approvals), None
        metadata = await _get_metadata(self.home.store(), self.thread_id)
        stored = metadata.get(PAUSED_KEY)
        if not isinstance(stored, dict):
            if given is not None:
                raise AlreadyResumedError(_again(given.id))
            raise ConfigurationError(f"thread {self.thread_id!r} has no run waiting for approval")
        if stored.get("resumed") or (given is not None and given.id != stored.get("id")):
            raise AlreadyResumedError(_again(str(stored.get("id"))))
        state = given if given is not None else RunState.load(dict(stored))
        return state, check_approvals(state, self.request.approvals), metadata

    async def _claim(self, state: RunState, metadata: dict[str, Any] | None) -> None:
        """Mark the paused state resumed, before any tool runs (see the module docstring;
        on a thread the run holds its lock since ``_claimable`` read the metadata)."""
        if metadata is None:
            with _resumed_lock:
                if state.id in _resumed_ids:
                    raise AlreadyResumedError(_again(state.id))
                _resumed_ids.add(state.id)
            return
        assert self.thread_id is not None
        metadata[PAUSED_KEY] = {**metadata[PAUSED_KEY], "resumed": True}
        await _set_metadata(self.home.store(), self.thread_id, metadata)


async def abandon_paused(store: Any, thread_id: str) -> bool:
    """Drop the paused run of ``thread_id`` (under its lock); whether there was one."""
    metadata = await _get_metadata(store, thread_id)
    if metadata.pop(PAUSED_KEY, None) is None:
        return False
    await _set_metadata(store, thread_id, metadata)
    return True


def _denied(call: ToolCall, decision: Deny) -> ToolOutcome:
    from locus.agent._acting import answer

    text = f"Not run: a person denied this call. Reason: {decision.reason}"
    return answer(call, text, True, time.perf_counter())


def _again(state_id: str) -> str:
    return (
        f"the paused run {state_id!r} was already resumed (its approved calls ran, or are "
        "running, once); load the thread or the result of that resume instead"
    )


def _metrics_json(metrics: Metrics) -> dict[str, Any]:
    return {name: getattr(metrics, name) for name in Metrics.__slots__}


async def paused_state(store: Any, thread_id: str) -> RunState | None:
    """The run of ``thread_id`` that waits for approval, as it paused; ``None`` when there
    is none (or the store keeps no metadata, so it cannot hold one)."""
    from locus.agent._state import RunState

    get = getattr(store, "get_metadata", None)
    if get is None:
        return None
    stored = dict(await get(thread_id)).get(PAUSED_KEY)
    if not isinstance(stored, dict) or stored.get("resumed"):
        return None
    return RunState.load(dict(stored))


async def _get_metadata(store: Any, thread_id: str) -> dict[str, Any]:
    get = getattr(store, "get_metadata", None)
    if get is None:
        raise ConfigurationError(
            f"{type(store).__name__} keeps no metadata, so it cannot hold a paused run; use "
            "a store of locus.stores (memory, SQLite, PostgreSQL) or resume the RunState itself"
        )
    found: dict[str, Any] = dict(await get(thread_id))
    return found


async def _set_metadata(store: Any, thread_id: str, metadata: dict[str, Any]) -> None:
    await store.set_metadata(thread_id, metadata)
