"""A hook with ``holds_model_text`` (a guardrail on the model's output): a streamed run
shows a model call's text only after ``after_model_call`` passed it, as the hooks left it,
and never shows text that did not pass."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from locus.agent import Agent, Hook, ModelTextDelta, RunContext, RunEvent, RunFinished
from locus.core.errors import GuardrailTripped
from locus.core.messages import ToolCall
from locus.core.response import ModelResponse
from locus.testing import ScriptedModel, ScriptedTurn
from locus.tools import tool


@tool
def lookup(key: str) -> str:
    """Look a key up."""
    return f"value of {key}"


class Censor(Hook):
    """Replaces 'secret' in the model's text; blocks a text that says 'forbidden'."""

    def __init__(self, holds: bool = True) -> None:
        self.holds_model_text = holds
        self.log: list[str] = []

    def after_model_call(self, ctx: RunContext[Any], response: ModelResponse) -> Any:
        text = response.message.content or ""
        self.log.append(f"checked {text!r}")
        if "forbidden" in text:
            raise GuardrailTripped("censor", "the model output said forbidden")
        if "secret" not in text:
            return None
        message = dataclasses.replace(response.message, content=text.replace("secret", "[X]"))
        return dataclasses.replace(response, message=message)


async def _events(agent: Agent[Any], prompt: str, log: list[str]) -> list[Any]:
    seen: list[Any] = []
    async for event in agent.run(prompt):
        if isinstance(event, ModelTextDelta):
            log.append(f"delta {event.text!r}")
        seen.append(event)
    return seen


async def test_text_is_shown_after_the_check_as_the_hook_left_it() -> None:
    censor = Censor()
    model = ScriptedModel(["the secret is out, and more words follow"], chunk_size=3)
    events = await _events(Agent(model, hooks=[censor]), "q", censor.log)
    assert censor.log == [
        "checked 'the secret is out, and more words follow'",
        "delta 'the [X] is out, and more words follow'",
    ]
    finished = events[-1]
    assert isinstance(finished, RunFinished)
    assert finished.result.text == "the [X] is out, and more words follow"


async def test_text_that_does_not_pass_is_never_streamed() -> None:
    censor = Censor()
    model = ScriptedModel(["this is forbidden text, long enough to stream in parts"])
    seen: list[RunEvent] = []
    with pytest.raises(GuardrailTripped, match="forbidden"):
        async for event in Agent(model, hooks=[censor]).run("q"):
            seen.append(event)
    assert not any(isinstance(e, ModelTextDelta) for e in seen)


async def test_each_call_is_held_apart_text_before_a_tool_call_included() -> None:
    censor = Censor()
    call = ToolCall(id="c1", name="lookup", arguments={"key": "k"})
    model = ScriptedModel(
        [ScriptedTurn(text="checking the secret store", tool_calls=[call]), "found: secret value"],
        chunk_size=2,
    )
    events = await _events(Agent(model, tools=[lookup], hooks=[censor]), "q", censor.log)
    assert censor.log == [
        "checked 'checking the secret store'",
        "delta 'checking the [X] store'",
        "checked 'found: secret value'",
        "delta 'found: [X] value'",
    ]
    assert isinstance(events[-1], RunFinished)


async def test_without_the_flag_text_streams_as_it_arrives() -> None:
    censor = Censor(holds=False)
    model = ScriptedModel(["abcdefgh"], chunk_size=4)
    await _events(Agent(model, hooks=[censor]), "q", censor.log)
    assert censor.log == ["delta 'abcd'", "delta 'efgh'", "checked 'abcdefgh'"]
