"""``ParsingChatModel``: an ``HTTPChatModel`` whose answers to a typed ``response_format``
carry ``parsed`` (or say why not in ``parse_error``).

Every model class of Locus (``OCIModel``, ``OCIChatCompletionsModel``,
``OpenAICompatibleModel``) is one; the validation is ``locus.models._wire.structured``'s.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

from locus.core.messages import Message
from locus.core.response import ModelResponse, StreamEvent
from locus.models._wire.structured import answer_format, parsed_stream, schema_of, with_parsed
from locus.models.http._chat import HTTPChatModel

__all__ = ["ParsingChatModel"]


class ParsingChatModel(HTTPChatModel):
    """An HTTP chat model that validates answers to a typed ``response_format``."""

    async def complete(
        self, messages: Sequence[Message], tools: Sequence[Any] | None = None, **kwargs: Any
    ) -> ModelResponse:
        """One whole answer; with a typed ``response_format``, ``parsed`` holds it validated
        (or ``parse_error`` says why not)."""
        response = await super().complete(messages, tools, **kwargs)
        return with_parsed(response, schema_of(answer_format(kwargs, self.params)))

    def stream(
        self, messages: Sequence[Message], tools: Sequence[Any] | None = None, **kwargs: Any
    ) -> AsyncIterator[StreamEvent]:
        """Stream the answer; with a typed ``response_format`` the final event's
        ``response.parsed`` holds it validated."""
        events = super().stream(messages, tools, **kwargs)
        fmt = answer_format(kwargs, self.params)
        return events if fmt is None or isinstance(fmt, str) else parsed_stream(events, fmt)
