"""The agents an app serves, by name, and what the API says about each."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from locus.core.errors import ConfigurationError

__all__ = ["AgentTable", "agent_name", "is_structured"]

_NAME = re.compile(r"[A-Za-z0-9_-]+")


def agent_name(agent: Any) -> str:
    """An agent's own name (``Agent(name=...)``), or ``"agent"`` for one without."""
    name = getattr(agent, "name", None)
    return name if isinstance(name, str) and name else "agent"


def is_structured(agent: Any) -> bool:
    """Whether the agent answers with typed output rather than text."""
    output_type = getattr(agent, "output_type", None)
    return output_type is not None and output_type is not str


class AgentTable:
    """Name -> agent; built from one agent or a mapping of names to agents."""

    def __init__(self, agents: Any) -> None:
        table = dict(agents) if isinstance(agents, Mapping) else {agent_name(agents): agents}
        if not table:
            raise ConfigurationError("create_app needs at least one agent")
        for name, agent in table.items():
            if not isinstance(name, str) or not _NAME.fullmatch(name):
                raise ConfigurationError(f"agent name {name!r} must be letters, digits, '_' or '-'")
            if not callable(getattr(agent, "run", None)):
                raise ConfigurationError(
                    f"{name!r} is {_a(type(agent).__name__)}, not an agent (it has no run())"
                )
        self.agents: dict[str, Any] = table

    def get(self, name: str) -> Any | None:
        return self.agents.get(name)

    def names(self) -> list[str]:
        return list(self.agents)

    def describe(self, name: str) -> dict[str, Any]:
        """What the chat page and ``GET /v1/agents`` show about an agent."""
        agent = self.agents[name]
        model = getattr(agent, "model", None)
        output_type = getattr(agent, "output_type", None)
        return {
            "name": name,
            "model": getattr(model, "model_id", None),
            "tools": [item.name for item in getattr(agent, "tools", ())],
            "structured": is_structured(agent),
            "output_type": getattr(output_type, "__name__", None) if output_type else None,
        }

    def store_for(self, name: str | None) -> tuple[str, Any]:
        """The thread store for ``name``, or the only one there is when ``name`` is None."""
        if name is not None:
            agent = self.agents.get(name)
            if agent is None:
                raise LookupError(f"no agent named {name!r}; serving {self.names()}")
            return name, agent.thread_store
        stores = {id(agent.thread_store): n for n, agent in self.agents.items()}
        if len(stores) > 1:
            raise ValueError(
                f"the agents {self.names()} keep threads in different stores: "
                "name one with ?agent=NAME"
            )
        first = next(iter(self.agents))
        return first, self.agents[first].thread_store


def _a(noun: str) -> str:
    """``noun`` with its article: "an int", "a list"."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"
