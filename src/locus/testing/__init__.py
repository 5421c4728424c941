"""Test doubles that are real ``Model`` implementations (never imported by library code).

``ScriptedModel`` plays a list of turns; ``FunctionModel`` answers with a function
of the messages and tools. Both implement ``complete()`` and ``stream()`` with
the same ``StreamEvent`` contract as the real models. ``create_model`` is the
factory behind the ``mock:`` provider of ``locus.models.get_model``. ``docs/testing.md``
shows them in an agent's tests.
"""

from __future__ import annotations

from collections.abc import Iterable

from locus.core.errors import ConfigurationError
from locus.testing._base import ModelRequest, ScriptedTurn, TestModelBase
from locus.testing._function import AnswerFunction, FunctionModel, echo
from locus.testing._scripted import ScriptedModel, Turn

__all__ = [
    "AnswerFunction",
    "FunctionModel",
    "ModelRequest",
    "ScriptedModel",
    "ScriptedTurn",
    "TestModelBase",
    "Turn",
    "create_model",
    "echo",
]


def create_model(
    model_id: str, *, turns: Iterable[Turn] | None = None, chunk_size: int = 4
) -> ScriptedModel | FunctionModel:
    """``mock:echo`` echoes the last user message; ``mock:<id>`` with ``turns=`` plays them."""
    if turns is not None:
        return ScriptedModel(turns, model_id=model_id, chunk_size=chunk_size)
    if model_id != "echo":
        raise ConfigurationError(
            f"mock model {model_id!r} needs turns=[...]; or use 'mock:echo' to echo the prompt"
        )
    return FunctionModel(echo, model_id=model_id, chunk_size=chunk_size)
