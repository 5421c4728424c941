"""Which agent a resumed run goes on with: the one whose run paused.

A run that handed the conversation on pauses in the receiving agent; its ``RunState``
names it (``agent_name``) and lists the transfers that led there (``handoffs``). A
resume goes on with that agent's model, tools and system prompt, found from the agent
``resume`` was called on: first by following the recorded transfers (exact, even when
two agents share a name), else among that agent and the agents reachable through its
handoffs, at any depth. A name found nowhere, or naming two different agents, is a
``ConfigurationError`` raised before anything of the state is claimed. A state with no
``agent_name`` (built by hand) goes on with the agent resume was called on, and so does
a state with no recorded transfer when that agent has no name of its own: its name is
made from its model id, which may have changed between the pause and the resume.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from locus.core.errors import ConfigurationError

if TYPE_CHECKING:
    from locus.agent._config import RunConfig
    from locus.agent._state import RunState

__all__ = ["paused_config"]


def paused_config(home: RunConfig, state: RunState) -> RunConfig:
    """The ``RunConfig`` of the agent that paused ``state`` (``home``: resume's agent)."""
    name = state.agent_name
    if not name:
        return home
    followed = _follow(home, state.handoffs)
    if followed is not None and followed.name == name:
        return followed
    reachable = _reachable(home)
    found = [config for config in reachable if config.name == name]
    if len(found) == 1:
        return found[0]
    if not found and not state.handoffs and not home.named:
        return home  # (paused by the run's first agent, whose default name followed its model)
    if not found:
        names = ", ".join(repr(config.name) for config in reachable)
        raise ConfigurationError(
            f"this RunState was paused by the agent {name!r}, which is neither the agent "
            f"resume was called on nor reachable through its handoffs (found: {names}); "
            f"resume it with the agent that started the run, or with {name!r} itself"
        )
    raise ConfigurationError(
        f"this RunState was paused by the agent {name!r}, and {len(found)} different agents "
        f"of that name are reachable from {home.name!r} through handoffs; give them distinct "
        "names, or resume with the agent that started the run"
    )


def _follow(home: RunConfig, handoffs: Sequence[str]) -> RunConfig | None:
    """The agent reached from ``home`` by the recorded transfers (``None``: a step is
    missing, e.g. resume was called on another agent)."""
    config = home
    for name in handoffs:
        target = config.handoffs.get(name)
        if target is None:
            return None
        config = target._run_config()
    return config


def _reachable(home: RunConfig) -> list[RunConfig]:
    """``home`` and every agent reachable through handoffs, each once, nearest first."""
    found, seen = [home], {id(home)}
    for config in found:  # (grows while it is walked: breadth first)
        for target in config.handoffs.values():
            other: RunConfig = target._run_config()
            if id(other) not in seen:
                seen.add(id(other))
                found.append(other)
    return found
