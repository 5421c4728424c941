"""``agent.override(model=..., deps=...)``: runs started in a context use another model or
deps, without touching the agent (tests swap a scripted model into an agent built at
import time).

The override lives in a ``ContextVar``: it covers the runs started in the ``with`` block
(and in tasks created there), the agent's runs as another agent's tool, handoffs to it and
resumed runs; it never leaks into runs started elsewhere at the same time. Durable runs
(``locus.durable``) run the agent as their worker holds it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from locus.agent._config import RunConfig
from locus.agent._options import as_model
from locus.core.model import Model

__all__ = ["Overridable"]

_UNSET: Any = object()


@dataclasses.dataclass(frozen=True, slots=True)
class _Override:
    config: RunConfig
    deps: Any


_OVERRIDES: ContextVar[dict[object, _Override] | None] = ContextVar(
    "locus_agent_overrides", default=None
)


class Overridable:
    """``override`` for ``Agent``."""

    _config: RunConfig

    @contextmanager
    def override(self, *, model: Model | str | None = None, deps: Any = _UNSET) -> Iterator[None]:
        """Within the ``with`` block, this agent's runs use ``model`` (a model or a
        ``"provider:id"`` string) and/or ``deps`` (instead of what each run passes).

        ``with agent.override(model=ScriptedModel([...])):`` tests an agent that an
        application builds at import time; blocks nest, the inner one winning.
        """
        current = self._run_config()
        config = current
        if model is not None:
            current.store()  # made now, so the overridden runs share the agent's threads
            config = dataclasses.replace(current, model=as_model(model, None))
        earlier = _OVERRIDES.get()
        found = earlier.get(self) if earlier else None
        if deps is _UNSET:
            deps = found.deps if found is not None else _UNSET
        token = _OVERRIDES.set({**(earlier or {}), self: _Override(config, deps)})
        try:
            yield
        finally:
            _OVERRIDES.reset(token)

    def _run_config(self) -> RunConfig:
        """The configuration a run of this agent starts with (an override's, if any)."""
        found = _OVERRIDES.get()
        if found is None:
            return self._config
        override = found.get(self)
        return self._config if override is None else override.config

    def _run_deps(self, deps: Any) -> Any:
        """The deps a run of this agent gets: an override's, else ``deps``."""
        found = _OVERRIDES.get()
        override = found.get(self) if found is not None else None
        if override is None or override.deps is _UNSET:
            return deps
        return override.deps
