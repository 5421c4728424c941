"""``agent.resume`` / ``resume_sync`` / ``resume_stream`` / ``paused`` / ``abandon`` (mixed
into ``Agent``)."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from locus._sync import run_sync as _run_sync
from locus.agent._events import RunEvent
from locus.agent._hookset import as_hooks
from locus.agent._options import check_positive
from locus.agent._pausing import abandon_paused, paused_state
from locus.agent._threads import thread_lock
from locus.core.errors import ConfigurationError

if TYPE_CHECKING:
    from locus.agent._result import AgentResult
    from locus.agent._run import RunConfig
    from locus.agent._state import Approval, RunState

__all__ = ["Resumable"]


class Resumable:
    """Resuming paused runs; ``Agent`` supplies ``_config``, ``run_timeout`` and the
    override-aware ``_run_config``/``_run_deps`` (``_override``)."""

    _config: RunConfig

    if TYPE_CHECKING:  # (Overridable's, in Agent)

        def _run_config(self) -> RunConfig: ...
        def _run_deps(self, deps: Any) -> Any: ...

    run_timeout: float | None

    def resume_stream(
        self,
        state: RunState | None = None,
        *,
        thread_id: str | None = None,
        approvals: Mapping[str, Approval] | None = None,
        deps: Any = None,
        hooks: Sequence[object] | None = None,
        timeout: float | None = None,
        max_run_tokens: int | None = None,
    ) -> AsyncGenerator[RunEvent, None]:
        """Resume a paused run and yield its events (see ``resume``)."""
        return self._resume_events(
            state,
            thread_id=thread_id,
            approvals=approvals,
            deps=deps,
            hooks=hooks,
            timeout=timeout,
            max_run_tokens=max_run_tokens,
            watched=True,
        )

    def _resume_events(
        self,
        state: RunState | None,
        *,
        thread_id: str | None,
        approvals: Mapping[str, Approval] | None,
        deps: Any,
        hooks: Sequence[object] | None,
        timeout: float | None,
        max_run_tokens: int | None,
        watched: bool,
    ) -> AsyncGenerator[RunEvent, None]:
        from locus.agent._run import AgentRun, RunRequest
        from locus.agent._state import RunState

        if state is not None and not isinstance(state, RunState):
            raise ConfigurationError(
                f"state must be a RunState (RunState.load(data)), got {type(state).__name__}"
            )
        thread_id = thread_id if thread_id is not None else (state.thread_id if state else None)
        if state is None and thread_id is None:
            raise ConfigurationError("resume needs the paused RunState or its thread_id=")
        check_positive("timeout", timeout)
        check_positive("max_run_tokens", max_run_tokens, integer=True)
        request = RunRequest(
            prompt=(),
            thread_id=thread_id,
            timeout=timeout if timeout is not None else self.run_timeout,
            output_type=self._config.output_type,
            deps=self._run_deps(deps),
            hooks=as_hooks(hooks, "resume()"),
            state=state,
            resume=True,
            approvals=dict(approvals or {}),
            max_run_tokens=max_run_tokens,
            watched=watched,
        )
        return AgentRun(self._run_config(), request).events()

    def _resumed_run(
        self, state: RunState, approvals: Mapping[str, Approval], *, deps: Any, output_type: Any
    ) -> AsyncGenerator[RunEvent, None]:
        """The events of a paused sub-run resumed inside its caller's tool call (the
        agent's tool passes its ``output_type``, as for the run that paused)."""
        from locus.agent._run import AgentRun, RunRequest

        request = RunRequest(
            prompt=(),
            timeout=self.run_timeout,
            output_type=output_type if output_type is not None else self._config.output_type,
            deps=self._run_deps(deps),
            state=state,
            resume=True,
            approvals=dict(approvals),
        )
        return AgentRun(self._run_config(), request).events()

    async def resume(
        self,
        state: RunState | None = None,
        *,
        thread_id: str | None = None,
        approvals: Mapping[str, Approval] | None = None,
        deps: Any = None,
        hooks: Sequence[object] | None = None,
        timeout: float | None = None,
        max_run_tokens: int | None = None,
    ) -> AgentResult[Any]:
        """Continue a paused run: approved calls run (once), denied ones become tool
        results the model reads, and the loop goes on.

        ``approvals`` maps every pending call id to ``Approve()``,
        ``Approve(arguments={...})`` or ``Deny("reason")``. With ``thread_id`` (or a
        state from a thread) the state kept in the thread store is used and claimed;
        resuming a state twice raises ``AlreadyResumedError``. ``max_run_tokens`` is the
        resumed run's token budget instead of the agent's.
        """
        from locus.agent._agent import drain

        events = self._resume_events(
            state,
            thread_id=thread_id,
            approvals=approvals,
            deps=deps,
            hooks=hooks,
            timeout=timeout,
            max_run_tokens=max_run_tokens,
            watched=False,  # drained: a broken model stream is retried, as in arun
        )
        return await drain(events)

    def resume_sync(
        self,
        state: RunState | None = None,
        *,
        thread_id: str | None = None,
        approvals: Mapping[str, Approval] | None = None,
        deps: Any = None,
        hooks: Sequence[object] | None = None,
        timeout: float | None = None,
        max_run_tokens: int | None = None,
    ) -> AgentResult[Any]:
        """``resume`` for synchronous code."""
        return _run_sync(
            lambda: self.resume(
                state,
                thread_id=thread_id,
                approvals=approvals,
                deps=deps,
                hooks=hooks,
                timeout=timeout,
                max_run_tokens=max_run_tokens,
            ),
            name="resume_sync",
            instead="await agent.resume(...)",
        )

    async def abandon(self, thread_id: str) -> bool:
        """Drop the run of ``thread_id`` that waits for approval (its pending calls never
        run); whether there was one. The thread then takes new prompts again."""
        store = self._config.store()
        async with thread_lock(store, thread_id, self.run_timeout):
            return await abandon_paused(store, thread_id)

    async def paused(self, thread_id: str) -> RunState | None:
        """The run of ``thread_id`` that waits for approval (its ``pending`` calls are what
        ``resume(thread_id=..., approvals=...)`` must decide), or ``None`` when the thread
        has none. It only reads: the run stays paused until resumed or abandoned."""
        return await paused_state(self._config.store(), thread_id)
