"""``Handoff``: a handoff target with settings, and what the receiving agent is shown.

``Agent(handoffs=[billing, Handoff(support, history="last_user")])``: a plain agent
takes the whole conversation ("all"); a ``Handoff`` may filter it. The filter runs once,
when the conversation is transferred, on the messages so far without the system
prompt; the receiving agent's model is sent its system prompt, the kept messages, and
everything said after the transfer (then its own ``history_processor``, if it has
one), also after the run pauses and is resumed. The run's record (``result.messages``,
the thread) keeps every message.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from locus.agent._history import HistoryProcessor, apply_history_processor
from locus.core.errors import ConfigurationError
from locus.core.messages import Message

__all__ = ["Handoff", "HandoffHistory", "filter_history", "split_handoffs", "view_config"]

HandoffHistory = Literal["all", "last_user"] | HistoryProcessor
"""What the receiving agent is shown of the conversation so far: ``"all"`` (the
default), ``"last_user"`` (the last user message only) or ``fn(messages) -> messages``
(sync or async; keep an assistant's tool calls together with their results)."""

_PRESETS = ("all", "last_user")


@dataclass(frozen=True, slots=True)
class Handoff:
    """An agent the model may transfer the conversation to, and what it is shown of it
    (``history``: see ``HandoffHistory``)."""

    agent: Any
    history: HandoffHistory = "all"

    def __post_init__(self) -> None:
        from locus.agent._agent import Agent

        if not isinstance(self.agent, Agent):
            raise ConfigurationError(
                f"Handoff(agent, ...) needs an Agent, got {type(self.agent).__name__}"
            )
        if not callable(self.history) and self.history not in _PRESETS:
            raise ConfigurationError(
                f"Handoff history must be 'all', 'last_user' or fn(messages) -> messages, "
                f"got {self.history!r}"
            )


def split_handoffs(items: Sequence[Any] | None) -> tuple[list[Any], dict[str, Any]]:
    """``handoffs=[...]`` as plain agents, and the history filters by agent name."""
    if not items:
        return [], {}
    agents, filters = [], {}
    for item in items:
        if isinstance(item, Handoff):
            agents.append(item.agent)
            if item.history != "all":
                filters[item.agent.name] = item.history
        else:
            agents.append(item)  # checked by the agent's setup
    return agents, filters


async def filter_history(history: Any, messages: list[Message]) -> list[Message]:
    """What the receiving agent is shown of ``messages`` (as they are at the transfer,
    without the system prompt): the ``Handoff``'s ``history`` applied once."""
    rest = messages[1:] if messages and messages[0].role == "system" else messages
    return _last_user(rest) if history == "last_user" else await _apply(history, rest)


def view_config(config: Any, kept: list[Message], cut: int) -> Any:
    """The receiving agent's ``RunConfig`` for this run: its model is shown its system
    prompt, ``kept`` (what the filter kept at the transfer) and the messages from index
    ``cut`` on (what followed), then its own ``history_processor``. (A paused run keeps
    ``kept`` and ``cut`` in its ``RunState``, so a resume shows the same.)"""
    own: HistoryProcessor | None = config.history_processor

    def view(current: list[Message]) -> Any:
        shown = current[:1] if current and current[0].role == "system" else []
        shown += kept + current[cut:]
        return shown if own is None else own(shown)

    return dataclasses.replace(config, history_processor=view)


def _last_user(messages: list[Message]) -> list[Message]:
    users = [m for m in messages if m.role == "user"]
    return users[-1:] if users else list(messages)


async def _apply(history: Callable[..., Any], messages: list[Message]) -> list[Message]:
    try:
        return await apply_history_processor(history, messages)
    except ConfigurationError as exc:
        raise ConfigurationError(
            f"the handoff history filter {getattr(history, '__name__', history)!r}: "
            + str(exc).replace("history_processor", "it", 1)
        ) from None
