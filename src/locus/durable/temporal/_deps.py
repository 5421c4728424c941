"""A durable run's deps in the worker: what tools and approval rules see as ``ctx.deps``.

A run's deps cross Temporal's wire as a JSON value (``start_run(deps=...)``, in the
workflow's input; each tool call and approval rule carries it to the worker). The worker
turns that value into the object its tools see, as ``create_worker(deps=...)`` says:

- nothing: the value itself (a dict, a list, ..., ``None`` for a run without deps);
- a callable (a function, a class, ``MyDeps.model_validate``): a factory called with the
  value, once per run in each worker process (the result is kept by the run's workflow id
  and Temporal run id, for the last ``RUNS_KEPT`` runs), so a run's calls in one worker
  share one object, as ``agent.arun``'s calls share its ``deps=``; it may be async (it
  runs in the worker, beside the tools: it may read a database, never in the workflow);
- anything else: that object, for every run (a database pool, an HTTP client).

A factory that raises fails the call's activity: a Locus error as itself (a
``ConfigurationError`` is not retried), any other error is retried by Temporal with the
activity's retry policy, then fails the run. The object is checked against the agent's
``deps_type`` (when it is a class) as ``agent.arun`` checks ``deps=``.
"""

from __future__ import annotations

import asyncio
import inspect
from collections import OrderedDict
from typing import Any

from locus.core.errors import ConfigurationError

__all__ = ["RUNS_KEPT", "WorkerDeps", "check_deps_type"]

RUNS_KEPT = 1024
"""How many runs' deps objects a worker keeps (the least recently used go first: a run
whose object was dropped gets a new one from the factory)."""


class WorkerDeps:
    """What one worker gives its tools as ``ctx.deps``, per run (see the module)."""

    def __init__(self, given: Any = None, *, kept: int = RUNS_KEPT) -> None:
        self.given = given
        self.factory = callable(given)
        self._kept = kept
        self._runs: OrderedDict[tuple[str, str], asyncio.Future[Any]] = OrderedDict()

    async def for_run(self, value: Any, run: tuple[str, str]) -> Any:
        """The deps object of the run ``run`` (its workflow id and Temporal run id), whose
        deps are the JSON ``value``."""
        if self.given is None:
            return value
        if not self.factory:
            return self.given
        while (found := self._runs.get(run)) is not None:  # being made, or made
            self._runs.move_to_end(run)
            try:
                return await asyncio.shield(found)
            except asyncio.CancelledError:
                if not found.cancelled():  # this call itself is cancelled
                    raise
        return await self._make(value, run)

    async def _make(self, value: Any, run: tuple[str, str]) -> Any:
        made: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._runs[run] = made
        while len(self._runs) > self._kept:
            self._runs.popitem(last=False)
        try:
            deps = self.given(value)
            if inspect.isawaitable(deps):
                deps = await deps
        except BaseException as exc:
            if self._runs.get(run) is made:  # the next call tries again
                del self._runs[run]
            if isinstance(exc, asyncio.CancelledError):
                made.cancel()  # (calls waiting on it make it themselves)
            else:
                made.set_exception(exc)
                made.exception()  # (retrieved: calls waiting on it raise it themselves)
            raise
        made.set_result(deps)
        return deps


def check_deps_type(deps_type: Any, deps: Any, agent_name: str) -> None:
    """``deps`` must be a ``deps_type`` when the agent has a class as its ``deps_type``
    (a run without deps, ``None``, is let through: the agent's tools ran so before)."""
    if deps is None or not isinstance(deps_type, type) or isinstance(deps, deps_type):
        return
    kind = deps_type.__name__
    raise ConfigurationError(
        f"agent {agent_name!r} was built with deps_type={kind}, but the worker gives its tools "
        f"a {type(deps).__name__}: give the worker a factory that builds a {kind} from the "
        f"run's JSON value, create_worker(..., deps=lambda value: {kind}(...)) (for a "
        f"pydantic model: deps={kind}.model_validate), or `locus worker --deps module:factory`"
    )
