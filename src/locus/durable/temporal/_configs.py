"""``durable_config``: a copy of an agent's ``RunConfig`` whose side effects are activities.

The loop in the workflow (the top-level run's, or a sub-agent's: ``_sub_runs``) runs on
such a copy: the model, the tools and the thread store are the stand-ins of
``_stand_ins``, speaking for the agent in one ``Scope``, and each handoff agent has a
copy of its own in the same scope.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from locus.agent import Agent
from locus.agent._run import RunConfig
from locus.durable.temporal._errors import temporal_retry_policy
from locus.durable.temporal._scope import Scope
from locus.durable.temporal._stand_ins import ActivityModel, ActivityThreadStore, ActivityToolbox
from locus.durable.temporal._where import Decisions, Settings, Where

__all__ = ["durable_config"]


@dataclasses.dataclass(slots=True, eq=False)
class _HandoffTarget:
    """What a run reads of a handoff agent: its (durable) ``_config``, which is also the
    configuration its runs start with (``agent.override`` does not reach durable runs)."""

    _config: RunConfig

    def _run_config(self) -> RunConfig:
        return self._config


def durable_config(
    agent: Agent[Any], spec: str, decisions: Decisions, settings: Settings, scope: Scope
) -> RunConfig:
    """A copy of ``agent``'s ``RunConfig`` with activity stand-ins (handoffs too), for a
    run in ``scope``."""
    made: dict[int, RunConfig] = {}
    return _durable(agent, spec, decisions, settings, scope, made)


def _durable(
    agent: Agent[Any],
    spec: str,
    decisions: Decisions,
    settings: Settings,
    scope: Scope,
    made: dict[int, RunConfig],
) -> RunConfig:
    if id(agent) in made:
        return made[id(agent)]
    retry = temporal_retry_policy(getattr(agent.model, "retry", None))
    where = Where(spec, agent.name, settings, retry, scope)
    own = agent._config
    config = dataclasses.replace(
        own,
        model=ActivityModel(agent.model, where),
        toolbox=ActivityToolbox(agent, where, decisions),  # type: ignore[arg-type]
        thread_store=ActivityThreadStore(where),
        approvals=False,  # approvals wait inside the call (ActivityExecutor), no pause
        active=set(),
        handoffs={},
    )
    made[id(agent)] = config
    config.handoffs = {
        name: _HandoffTarget(_durable(other, spec, decisions, settings, scope, made))
        for name, other in own.handoffs.items()
    }
    return config
