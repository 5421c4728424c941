"""The ``Model`` protocol every provider class and test double implements."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any, Protocol, runtime_checkable

from locus.core.messages import Message
from locus.core.response import ModelResponse, StreamEvent

__all__ = ["Model"]


@runtime_checkable
class Model(Protocol):
    """A chat model.

    ``tools`` is a sequence of ``ToolSpec``, ``@tool`` objects or OpenAI-style
    dicts (see ``locus.core.toolspec.as_tool_specs``). ``stream()`` yields
    ``StreamEvent``s whose last one has ``done=True`` and the assembled
    ``response``. A model that holds connections may also have ``async def aclose()``;
    it is optional (``Agent.aclose`` calls it when it is there).
    """

    model_id: str

    async def complete(
        self,
        messages: Sequence[Message],
        tools: Sequence[Any] | None = None,
        **kwargs: Any,
    ) -> ModelResponse: ...

    def stream(
        self,
        messages: Sequence[Message],
        tools: Sequence[Any] | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[StreamEvent]: ...
