"""The messages a run starts from: the system prompt, the history, then the prompt.

The history is a thread's stored messages or ``message_history=``. Exactly one system
message is sent: the agent's ``system_prompt`` when it has one (system messages in the
history are then left out), otherwise the history's first system message, moved to
the front. ``AgentResult.all_messages()`` returns the history part and the run's new
messages, never the agent's own system prompt.

An agent's ``system_prompt`` may be a function of the run's ``RunContext`` (sync or async,
returning the text or ``None``): it is called at the start of each run, and when a run
hands the conversation to that agent (``system_prompt_for``).
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from locus.core.errors import ConfigurationError
from locus.core.messages import Message

__all__ = [
    "Conversation",
    "SystemPrompt",
    "as_history",
    "check_system_prompt",
    "start_conversation",
    "system_prompt_for",
]

SystemPrompt = str | Callable[[Any], str | Awaitable[str | None] | None] | None
"""``Agent(system_prompt=...)``: a text, a function of the run's ``RunContext``, or none."""


@dataclass(slots=True)
class Conversation:
    """The opening messages of a run and where its parts start."""

    messages: list[Message]
    history_from: int
    """Index of the first message that belongs to the caller (history or prompt)."""
    new_from: int
    """Index of the first message of this run (its prompt)."""


def start_conversation(
    system_prompt: str | None, history: Sequence[Message], prompt: Sequence[Message]
) -> Conversation:
    """Assemble system prompt, history and prompt, keeping exactly one system message."""
    earlier = [m for m in history if m.role != "system"]
    if system_prompt is not None:
        head = [Message.system(system_prompt)]
        history_from = 1
    else:
        head = [m for m in history if m.role == "system"][:1]
        history_from = 0
    messages = head + earlier
    new_from = len(messages)
    messages += prompt
    return Conversation(messages, history_from, new_from)


def check_system_prompt(value: object) -> SystemPrompt:
    """``system_prompt=``: a str, a function of the run's context, or ``None``."""
    if value is None or isinstance(value, str) or callable(value):
        return value
    raise ConfigurationError(
        "system_prompt must be a str, or a function of the run's RunContext returning one "
        f"(sync or async), not {type(value).__name__}"
    )


async def system_prompt_for(system_prompt: Callable[[Any], Any], ctx: Any) -> str | None:
    """The text of a ``system_prompt`` function for the run of ``ctx``."""
    value = system_prompt(ctx)
    if inspect.isawaitable(value):
        value = await value
    if value is None or isinstance(value, str):
        return value
    name = getattr(system_prompt, "__qualname__", repr(system_prompt))
    raise ConfigurationError(
        f"the system_prompt function {name} returned {type(value).__name__}, not a str (or None)"
    )


def as_history(history: object, thread_id: str | None) -> Sequence[Message]:
    """Check ``message_history=``: a list of ``Message``, and never with a thread."""
    if history is None:
        return ()
    if thread_id is not None:
        raise ConfigurationError(
            "pass either message_history= or thread_id=, not both: a thread already is the "
            "history (its stored messages are loaded for the run)"
        )
    if isinstance(history, Message | str | bytes) or not isinstance(history, Sequence):
        raise ConfigurationError(
            f"message_history must be a list of Message (e.g. result.all_messages()), "
            f"got {type(history).__name__}"
        )
    bad = [type(item).__name__ for item in history if not isinstance(item, Message)]
    if bad:
        raise ConfigurationError(
            f"message_history must hold only Message objects, found {bad[0]}; "
            "load stored JSON with locus.core.messages.load_messages()"
        )
    return list(history)
