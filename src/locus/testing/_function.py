"""``FunctionModel``: answers by calling a Python function of the messages and tools."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Sequence

from locus.core.messages import Message
from locus.core.toolspec import ToolSpec
from locus.testing._base import ModelRequest, ScriptedTurn, TestModelBase
from locus.testing._scripted import Turn, as_turn

__all__ = ["AnswerFunction", "FunctionModel", "echo"]

AnswerFunction = Callable[[list[Message], list[ToolSpec]], Turn | Awaitable[Turn]]
"""``fn(messages, tools)`` returning (or awaiting to) any form a scripted turn takes."""


class FunctionModel(TestModelBase):
    """A model whose every answer is ``fn(messages, tools)`` (sync or async)."""

    def __init__(
        self,
        fn: AnswerFunction,
        *,
        model_id: str = "function",
        chunk_size: int = 4,
        record: bool = True,
    ) -> None:
        super().__init__(model_id, chunk_size=chunk_size, record=record)
        self.fn = fn

    async def _answer(self, request: ModelRequest) -> ScriptedTurn:
        answer = self.fn(request.messages, request.tools)
        if inspect.isawaitable(answer):
            answer = await answer
        return as_turn(answer)


def echo(messages: Sequence[Message], tools: Sequence[ToolSpec]) -> str:
    """Answer with the text of the last user message (the ``mock:echo`` model)."""
    for message in reversed(messages):
        if message.role == "user":
            return message.text
    return ""
