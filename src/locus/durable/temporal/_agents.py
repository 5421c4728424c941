"""The agents a worker process serves, by their ``"module:agent"`` spec.

A worker loads each agent once, at start (``serve``), before any workflow runs: the
workflow (in Temporal's sandbox, with ``locus`` passed through) and the activities then
look the same objects up here. The spec is the only thing a workflow's history names
(with, for a sub-agent, the names of the tools that lead to it: ``agent_at``); models,
clients and keys stay in the worker.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from importlib import import_module
from typing import Any

from locus.agent import Agent
from locus.core.errors import ConfigurationError

__all__ = [
    "agent_at",
    "agent_named",
    "everyone",
    "family",
    "load_agent",
    "load_object",
    "serve",
    "served",
]

_served: dict[str, Agent[Any]] = {}


def load_agent(spec: str) -> Agent[Any]:
    """The ``Agent`` named by ``"package.module:name"`` (a factory is called once).

    The current directory is importable, as with ``python -m``.
    """
    target = load_object(spec, "agent")
    if not isinstance(target, Agent) and callable(target):
        try:
            target = target()
        except Exception as exc:  # (the user's factory: whatever it raises, said plainly)
            raise ConfigurationError(
                f"calling {spec!r} to build the agent failed: {type(exc).__name__}: {exc} "
                "(a factory is called with no arguments, once, when the worker starts)"
            ) from exc
    if not isinstance(target, Agent):
        raise ConfigurationError(f"{spec!r} is {_a(type(target).__name__)}, not a locus Agent")
    return target


def load_object(spec: str, what: str) -> Any:
    """The object named by ``"package.module:name"`` (``what`` it is, for errors: an
    agent, the worker's deps). The current directory is importable, as with ``python -m``."""
    module_name, sep, attribute = spec.partition(":")
    if not sep or not module_name or not attribute or ":" in attribute:
        example = "myapp.agents:support" if what == "agent" else f"myapp.worker:{what}"
        raise ConfigurationError(f"{spec!r}: expected module:{what}, e.g. {example}")
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = import_module(module_name)
    except ModuleNotFoundError as exc:
        raise ConfigurationError(f"cannot import {module_name!r}: {exc}") from exc
    except Exception as exc:  # (its code failed: a syntax error, an error at import time)
        raise ConfigurationError(
            f"importing {module_name!r} failed: {type(exc).__name__}: {exc}"
        ) from exc
    target = getattr(module, attribute, None)
    if target is None:
        raise ConfigurationError(f"module {module_name!r} has no attribute {attribute!r}")
    return target


def serve(spec: str, agent: Agent[Any] | None = None) -> Agent[Any]:
    """Register ``agent`` (or the one ``spec`` names, loaded now) under ``spec``."""
    if agent is not None and not isinstance(agent, Agent):
        raise ConfigurationError(
            f"the agent served as {spec!r} is {_a(type(agent).__name__)}, not a locus Agent"
        )
    if spec not in _served:
        _served[spec] = agent if agent is not None else load_agent(spec)
    elif agent is not None and _served[spec] is not agent:
        raise ConfigurationError(f"another agent is already served as {spec!r} in this process")
    return _served[spec]


def served(spec: str) -> Agent[Any]:
    """The agent served as ``spec`` in this worker process."""
    found = _served.get(spec)
    if found is None:
        known = ", ".join(sorted(_served)) or "none"
        raise ConfigurationError(
            f"this worker does not serve the agent {spec!r} (it serves: {known}); start the "
            f"task queue's workers with `locus worker --task-queue Q {spec}`"
        )
    return found


def agent_named(root: Agent[Any], name: str) -> Agent[Any]:
    """``root`` or the agent called ``name`` among its handoffs (at any depth)."""
    for agent in family(root):
        if agent.name == name:
            return agent
    raise ConfigurationError(f"agent {root.name!r} has no handoff agent named {name!r}")


def family(root: Agent[Any]) -> list[Agent[Any]]:
    """``root`` and the agents it may hand off to (at any depth), each once."""
    found: dict[int, Agent[Any]] = {}
    stack = [root]
    while stack:
        agent = stack.pop()
        if id(agent) not in found:
            found[id(agent)] = agent
            stack += agent._config.handoffs.values()
    return list(found.values())


def agent_at(root: Agent[Any], via: Sequence[Sequence[str]], name: str) -> Agent[Any]:
    """The agent called ``name`` (or a handoff agent of it) in the run reached from ``root``
    through ``via``: per step, an agent of the run (by name) and its tool made by
    ``as_tool`` (by name), whose agent runs the next level (``_scope.Scope.via``)."""
    agent = root
    for holder, tool_name in via:
        owner = agent_named(agent, str(holder))
        found = _sub_agent(owner, str(tool_name))
        if found is None:
            raise ConfigurationError(
                f"agent {owner.name!r} has no agent used as a tool named {tool_name!r} in this "
                "worker: every worker of a task queue must serve the same agents, built the "
                "same way"
            )
        agent = found
    return agent_named(agent, name)


def everyone(root: Agent[Any]) -> list[Agent[Any]]:
    """``root``, its handoff agents and the agents they use as tools, at any depth, once each."""
    found: dict[int, Agent[Any]] = {}
    stack = [root]
    while stack:
        for agent in family(stack.pop()):
            if id(agent) not in found:
                found[id(agent)] = agent
                used = (_sub_agent(agent, t.name) for t in agent._config.toolbox.tools)
                stack += (a for a in used if a is not None)
    return list(found.values())


def _sub_agent(agent: Agent[Any], tool_name: str) -> Agent[Any] | None:
    """The agent run by ``agent``'s tool ``tool_name`` (made by ``as_tool``), or ``None``."""
    forwarding = sys.modules.get("locus.agent._forwarding")  # (imported by as_tool)
    tool = next((t for t in agent._config.toolbox.tools if t.name == tool_name), None)
    if forwarding is None or tool is None:
        return None
    found: Agent[Any] | None = forwarding.sub_agent(tool)
    return found


def _a(noun: str) -> str:
    """``noun`` with its article: "an int", "a list"."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"
