"""The errors of a call to a remote A2A agent.

The protocol's own outcomes are ``A2AError``\\ s: a card Locus cannot use
(``AgentCardError``), a JSON-RPC error the remote answered (``RemoteRPCError``), a task
that failed, was rejected or canceled (``RemoteTaskError``), one that waits for input
or authorization (``InputRequiredError``). HTTP and network failures are Locus's usual
``locus.core.errors`` types, each naming the URL: ``AuthenticationError`` (401),
``PermissionDeniedError`` (403), ``NotFoundError``, ``ServerError``, ``APIStatusError``,
``ConnectError``, ``ModelTimeoutError``, ``ResponseError`` (an answer that is not A2A).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from locus.core.errors import ConfigurationError, LocusError

if TYPE_CHECKING:
    from locus.a2a._wire import RemoteAnswer

__all__ = [
    "A2AError",
    "AgentCardError",
    "InputRequiredError",
    "RemoteRPCError",
    "RemoteTaskError",
]


class A2AError(LocusError):
    """A remote A2A agent could not give an answer; ``url`` is what was called."""

    def __init__(self, message: str, *, url: str | None = None) -> None:
        self.url = url
        super().__init__(message)


class AgentCardError(A2AError, ConfigurationError):
    """The agent card cannot be used: not a card, no JSON-RPC interface, or a protocol
    version other than 1.x."""


class RemoteRPCError(A2AError):
    """The remote answered with a JSON-RPC error: ``code`` (``-32601`` no such method,
    ``-32602`` bad params, ``-32001`` no such task, ...), its ``message`` and ``data``."""

    def __init__(self, code: int, message: str, *, data: Any = None, url: str | None = None):
        self.code = code
        self.message = message
        self.data = data
        super().__init__(f"the remote agent answered JSON-RPC error {code}: {message}", url=url)


class RemoteTaskError(A2AError):
    """The remote task ended without an answer: ``TASK_STATE_FAILED``, ``REJECTED`` or
    ``CANCELED``. ``answer`` holds the task (its ids, state and the status message's text,
    which says why)."""

    def __init__(self, message: str, answer: RemoteAnswer, *, url: str | None = None) -> None:
        self.answer = answer
        super().__init__(message, url=url)


class InputRequiredError(RemoteTaskError):
    """The remote task waits for the caller: ``TASK_STATE_INPUT_REQUIRED`` (more input,
    or an approval) or ``TASK_STATE_AUTH_REQUIRED``. ``answer.status_text`` says what it
    needs; reply with ``send(..., task_id=answer.task_id, context_id=answer.context_id)``."""
