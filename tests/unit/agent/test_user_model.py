"""A user's own model needs only ``model_id``, ``complete()`` and ``stream()``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

from locus.agent import Agent
from locus.core import Message, Model, ModelResponse, StreamEvent


class Shouter:
    """A minimal model of a user's own: no ``aclose``, no base class."""

    model_id = "shouter"

    async def complete(
        self, messages: Sequence[Message], tools: Sequence[Any] | None = None, **kwargs: Any
    ) -> ModelResponse:
        text = (messages[-1].content or "").upper()
        return ModelResponse(message=Message.assistant(text), stop_reason="stop")

    async def stream(
        self, messages: Sequence[Message], tools: Sequence[Any] | None = None, **kwargs: Any
    ) -> AsyncIterator[StreamEvent]:
        response = await self.complete(messages, tools)
        yield StreamEvent(content=response.text)
        yield StreamEvent.final(response)


def test_a_model_without_aclose_is_a_model() -> None:
    assert isinstance(Shouter(), Model)


async def test_an_agent_runs_and_closes_on_it() -> None:
    agent = Agent(model=Shouter())
    result = await agent.arun("hello")
    assert result.message == "HELLO"
    await agent.aclose()  # nothing to close: no error
