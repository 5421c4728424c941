"""The messages a run starts from: the system prompt, the history, then the prompt.

The history is a thread's stored messages or ``message_history=``. Exactly one system
message is sent: the agent's ``system_prompt`` when it has one (system messages in the
history are then left out), otherwise the history's first system message, moved to
the front. ``AgentResult.all_messages()`` returns the history part and the run's new
messages, never the agent's own system prompt.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from locus.core.errors import ConfigurationError
from locus.core.messages import Message

__all__ = ["Conversation", "as_history", "start_conversation"]


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
