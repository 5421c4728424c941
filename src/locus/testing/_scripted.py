"""``ScriptedModel``: answers with a fixed list of turns, in order."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from locus.core.errors import ModelError
from locus.core.messages import Message, ToolCall
from locus.core.response import ModelResponse
from locus.testing._base import ModelRequest, ScriptedTurn, TestModelBase

__all__ = ["ScriptedModel", "Turn", "as_turn"]

Turn = str | ToolCall | Sequence[ToolCall] | Message | ModelResponse | ScriptedTurn | BaseException
"""A text answer, one or more tool calls, a whole message/response, or an error to raise."""


class ScriptedModel(TestModelBase):
    """Plays ``turns`` one per model call; streams text in ``chunk_size`` characters.

    A call after the last turn raises ``ModelError`` (the script ran out).
    """

    def __init__(
        self,
        turns: Iterable[Turn],
        *,
        model_id: str = "scripted",
        chunk_size: int = 4,
        record: bool = True,
    ) -> None:
        super().__init__(model_id, chunk_size=chunk_size, record=record)
        self.turns = [as_turn(turn) for turn in turns]
        self.position = 0

    @property
    def remaining(self) -> int:
        """How many scripted turns have not been played yet."""
        return len(self.turns) - self.position

    async def _answer(self, request: ModelRequest) -> ScriptedTurn:
        if self.position >= len(self.turns):
            raise ModelError(f"ScriptedModel ran out of turns after {len(self.turns)} call(s)")
        turn = self.turns[self.position]
        self.position += 1
        return turn


def as_turn(turn: Any) -> ScriptedTurn:
    """Normalise the shorthand forms of a turn."""
    if isinstance(turn, ScriptedTurn):
        return turn
    if isinstance(turn, str):
        return ScriptedTurn(text=turn)
    if isinstance(turn, ToolCall):
        return ScriptedTurn(tool_calls=[turn])
    if isinstance(turn, BaseException):
        return ScriptedTurn(error=turn)
    if isinstance(turn, ModelResponse):
        return _from_message(turn.message, turn)
    if isinstance(turn, Message):
        return _from_message(turn, None)
    if isinstance(turn, Sequence) and all(isinstance(call, ToolCall) for call in turn):
        return ScriptedTurn(tool_calls=list(turn))
    raise TypeError(f"cannot use {turn!r} as a scripted turn")


def _from_message(message: Message, response: ModelResponse | None) -> ScriptedTurn:
    return ScriptedTurn(
        text=message.content,
        tool_calls=list(message.tool_calls),
        reasoning=message.reasoning,
        usage=response.usage if response is not None else None,
        stop_reason=response.stop_reason if response is not None else None,
    )
