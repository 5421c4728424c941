"""What every test model shares: turning one answer into ``complete()`` and ``stream()``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from locus.core.messages import Message, ToolCall
from locus.core.response import ModelResponse, StopReason, StreamEvent
from locus.core.toolspec import ToolSpec, as_tool_specs
from locus.core.usage import Usage

__all__ = ["ModelRequest", "ScriptedTurn", "TestModelBase"]


@dataclass(slots=True)
class ScriptedTurn:
    """One scripted answer: text and/or tool calls, or an exception to raise instead."""

    text: str | None = None
    tool_calls: list[ToolCall] = field(default_factory=list)
    reasoning: str | None = None
    usage: Usage | None = None
    stop_reason: StopReason | None = None
    error: BaseException | None = None


@dataclass(slots=True)
class ModelRequest:
    """What a test model was asked: the messages (a copy), tool specs and keyword arguments.

    The properties read the parts a test asserts on most: ``system_prompt``,
    ``user_prompt``, ``tool_names`` and ``tool_results``.
    """

    messages: list[Message]
    tools: list[ToolSpec]
    kwargs: dict[str, Any]

    @property
    def system_prompt(self) -> str | None:
        """The text of the system message sent (``None`` when none was)."""
        for message in self.messages:
            if message.role == "system":
                return message.text
        return None

    @property
    def user_prompt(self) -> str | None:
        """The text of the last user message sent (``None`` when none was)."""
        for message in reversed(self.messages):
            if message.role == "user":
                return message.text
        return None

    @property
    def tool_names(self) -> list[str]:
        """The names of the tools offered, in the order they were offered."""
        return [spec.name for spec in self.tools]

    @property
    def tool_results(self) -> list[Message]:
        """The tool results the model is answering: the tool messages at the end of the
        conversation, in call order (empty when the last message is not a tool result)."""
        end = len(self.messages)
        start = end
        while start > 0 and self.messages[start - 1].role == "tool":
            start -= 1
        return self.messages[start:end]


class TestModelBase:
    """A real ``Model``: subclasses supply ``_answer``; streaming chunks the answer's text.

    ``requests`` records every call (unless ``record=False``, for long benchmarks);
    ``open_streams`` counts streams not yet closed.
    """

    __test__ = False  # not a pytest test class

    def __init__(self, model_id: str, *, chunk_size: int = 4, record: bool = True) -> None:
        if chunk_size < 1:
            raise ValueError("chunk_size must be at least 1")
        self.model_id = model_id
        self.chunk_size = chunk_size
        self.record = record
        self.requests: list[ModelRequest] = []
        self.open_streams = 0
        self.closed = False

    async def _answer(self, request: ModelRequest) -> ScriptedTurn:
        raise NotImplementedError

    async def complete(
        self, messages: Sequence[Message], tools: Sequence[Any] | None = None, **kwargs: Any
    ) -> ModelResponse:
        request = self._record(messages, tools, kwargs)
        return self._response(await self._answer(request), request)

    async def stream(
        self, messages: Sequence[Message], tools: Sequence[Any] | None = None, **kwargs: Any
    ) -> AsyncIterator[StreamEvent]:
        request = self._record(messages, tools, kwargs)
        self.open_streams += 1
        try:
            response = self._response(await self._answer(request), request)
            for event in self._deltas(response):
                yield event
            yield StreamEvent.final(response)
        finally:
            self.open_streams -= 1

    async def aclose(self) -> None:
        self.closed = True

    def _record(
        self, messages: Sequence[Message], tools: Sequence[Any] | None, kwargs: dict[str, Any]
    ) -> ModelRequest:
        request = ModelRequest(list(messages), as_tool_specs(tools), dict(kwargs))
        if self.record:
            self.requests.append(request)
        return request

    def _deltas(self, response: ModelResponse) -> list[StreamEvent]:
        size = self.chunk_size
        reasoning = response.message.reasoning or ""
        events = [
            StreamEvent(reasoning=reasoning[i : i + size]) for i in range(0, len(reasoning), size)
        ]
        text = response.text
        events += [StreamEvent(content=text[i : i + size]) for i in range(0, len(text), size)]
        return events

    def _response(self, turn: ScriptedTurn, request: ModelRequest) -> ModelResponse:
        if turn.error is not None:
            raise turn.error
        message = Message.assistant(turn.text, turn.tool_calls, reasoning=turn.reasoning)
        stop: StopReason = turn.stop_reason or ("tool_calls" if turn.tool_calls else "stop")
        usage = turn.usage if turn.usage is not None else _count_usage(request, message)
        return ModelResponse(message, usage, stop, stop, self.model_id)


def _count_usage(request: ModelRequest, answer: Message) -> Usage:
    """Deterministic stand-in token counts: whitespace-separated words."""
    prompt = sum(len(m.text.split()) for m in request.messages)
    completion = len(answer.text.split()) + 8 * len(answer.tool_calls)
    return Usage(prompt_tokens=prompt, completion_tokens=completion)
