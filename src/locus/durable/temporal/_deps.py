"""A durable run's deps in the worker: what tools and approval rules see as ``ctx.deps``.

A run's deps cross Temporal's wire as a JSON value (``start_run(deps=...)``, in the
workflow's input, once: each tool call and approval rule says only whether the run has
some). The worker turns that value into the object its tools see, as
``create_worker(deps=...)`` says:

- nothing: the value itself (a dict, a list, ..., ``None`` for a run without deps);
- a callable (a function, a class, ``MyDeps.model_validate``): a factory called with the
  value, once per run in each worker process (the result is kept by the run's workflow id
  and Temporal run id, for the last ``RUNS_KEPT`` runs), so a run's calls in one worker
  share one object, as ``agent.arun``'s calls share its ``deps=``; it may be async (it
  runs in the worker, beside the tools: it may read a database, never in the workflow);
- anything else: that object, for every run (a database pool, an HTTP client).

The value crosses once per run: tool calls and approval rules say only that the run has
deps, and a worker reads the value from the run's workflow input (``load``) the first time
it needs it for that run. (Histories recorded before this carry the value in every call;
the worker takes it from there.) The value's JSON is limited to ``MAX_DEPS_BYTES``.

A factory that raises fails the run with a ``ConfigurationError`` naming the factory and
the exception, at once: it is never retried. A factory is configuration: it gets the same
value on every attempt, so a ``KeyError``, a bad setting or a validation error would
fail the same way each time, and Temporal's retries (minutes, with the activity's policy)
only delay the error. A factory that does I/O which may pass (a database that restarts)
should retry that itself, as a model retries its own HTTP calls. The object is checked
against the agent's ``deps_type`` (when it is a class) as ``agent.arun`` checks ``deps=``.
"""

from __future__ import annotations

import asyncio
import inspect
import json
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from locus.core.errors import ConfigurationError

__all__ = ["MAX_DEPS_BYTES", "RUNS_KEPT", "WorkerDeps", "check_deps_size", "check_deps_type"]

MAX_DEPS_BYTES = 64 * 1024
"""The largest deps a run takes, as the bytes of their JSON. Deps say whom a run is for
(ids, a plan, a locale): a few hundred bytes. They travel in the workflow's input, one
Temporal payload with the prompt, which Temporal refuses over 2 MiB (and warns about over
256 KiB, by default): 64 KiB leaves the prompt room under both, and anything larger is
data the worker should read itself (the factory, from the ids)."""

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

    async def for_run(self, run: tuple[str, str], load: Callable[[], Awaitable[Any]]) -> Any:
        """The deps object of the run ``run`` (its workflow id and Temporal run id), whose
        JSON deps ``load()`` reads (once per run while it is kept, and only when needed:
        never for a plain object). Without a factory the object is the value itself, one
        per run (as ``arun``'s calls share one ``deps=``)."""
        if self.given is not None and not self.factory:
            return self.given
        while (found := self._runs.get(run)) is not None:  # being made, or made
            self._runs.move_to_end(run)
            try:
                return await asyncio.shield(found)
            except asyncio.CancelledError:
                if not found.cancelled():  # this call itself is cancelled
                    raise
        return await self._make(load, run)

    async def _make(self, load: Callable[[], Awaitable[Any]], run: tuple[str, str]) -> Any:
        made: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._runs[run] = made
        while len(self._runs) > self._kept:
            self._runs.popitem(last=False)
        try:
            value = await load()
            deps = value if self.given is None else await self._build(value)
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

    async def _build(self, value: Any) -> Any:
        try:
            deps = self.given(value)
            if inspect.isawaitable(deps):
                deps = await deps
        except Exception as exc:
            raise ConfigurationError(
                f"the worker's deps factory {_name(self.given)} raised "
                f"{type(exc).__name__}: {_text(exc)} for the run's deps {_shown(value)}: fix "
                "the factory (create_worker(..., deps=) or `locus worker --deps`) or the run's "
                "deps=, then start the run again. A factory error is not retried (the same "
                "value fails the same way); a factory that does I/O that may pass should "
                "retry it itself"
            ) from exc
        return deps


def check_deps_size(value: Any) -> None:
    """Refuse deps whose JSON is over ``MAX_DEPS_BYTES`` (before a run starts)."""
    size = len(json.dumps(value, separators=(",", ":")).encode())
    if size > MAX_DEPS_BYTES:
        raise ConfigurationError(
            f"deps are {size} bytes of JSON, over the limit of {MAX_DEPS_BYTES} bytes: they "
            "travel in the run's workflow input, in Temporal's history (which refuses a "
            "payload over 2 MiB). Pass what identifies the run's user or data (ids), and let "
            "the worker read the rest: create_worker(..., deps=lambda value: MyDeps(...)) or "
            "`locus worker --deps module:factory` builds the tools' object from them"
        )


def _name(factory: Any) -> str:
    module = getattr(factory, "__module__", None)
    name = getattr(factory, "__qualname__", None) or type(factory).__qualname__
    return f"{module}.{name}" if module else str(name)


def _text(exc: BaseException) -> str:
    """The exception's text (a ``KeyError``'s key as its repr), cut at 300 characters."""
    text = repr(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
    return text if len(text) <= 300 else text[:297] + "..."


def _shown(value: Any) -> str:
    """The run's JSON deps as the error shows them: their keys, not their values."""
    if isinstance(value, dict):
        return "{" + ", ".join(repr(key) for key in value) + "} (keys)"
    return type(value).__name__ if value is not None else "None (the run has no deps)"


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
