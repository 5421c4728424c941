"""The engine contract: a conversation in, a reply out (scripted, rules or forwarding)."""

from __future__ import annotations

from typing import Protocol

from locus.emulator._conversation import Conversation, Reply

__all__ = ["Engine"]


class Engine(Protocol):
    """Something that answers a conversation, as a hosted model would."""

    async def reply(self, conversation: Conversation) -> Reply:
        """The model's answer to ``conversation``."""
        ...

    async def aclose(self) -> None:
        """Release any resources (HTTP clients) the engine holds."""
        ...
