"""Typed output: modes, retries, validators, streamed partial objects, every kind of type."""

from __future__ import annotations

import dataclasses
import enum
import json
from typing import Any, Literal

import pytest
from pydantic import BaseModel
from typing_extensions import TypedDict

from locus.agent import (
    Agent,
    AgentResult,
    ModelRetry,
    ModelTextDelta,
    OutputDelta,
    RunFinished,
    ToolCallStarted,
)
from locus.core.errors import ConfigurationError, OutputValidationError
from locus.core.messages import Message, ToolCall
from locus.core.toolspec import ToolSpec
from locus.testing import FunctionModel, ScriptedModel, Turn
from locus.tools import tool


class City(BaseModel):
    name: str
    country: str
    population: int


LONDON: dict[str, Any] = {"name": "London", "country": "UK", "population": 9000000}


class NativeScripted(ScriptedModel):
    """A scripted model that declares native structured output, as on-demand OCI ids do."""

    native_output = "json_schema"


def final(args: dict[str, Any], name: str = "final_result", cid: str = "f1") -> ToolCall:
    return ToolCall(cid, name, args)


async def test_auto_on_a_model_without_native_output_uses_the_final_result_tool() -> None:
    model = ScriptedModel([final(LONDON)])
    result = await Agent(model, output_type=City).arun("Biggest UK city?")
    assert result.output == City(name="London", country="UK", population=9000000)
    assert [spec.name for spec in model.requests[0].tools] == ["final_result"]
    assert model.requests[0].tools[0].parameters["required"] == ["name", "country", "population"]
    assert "response_format" not in model.requests[0].kwargs
    assert [(m.role, m.text) for m in result.new_messages()][-1] == (
        "tool",
        "Final result accepted.",
    )
    assert result.metrics.output_retries == 0 and result.stop_reason == "complete"


async def test_auto_on_a_native_model_sends_a_response_format_and_streams_partials() -> None:
    model = NativeScripted([json.dumps(LONDON)], chunk_size=5)
    agent = Agent(model, output_type=City)
    events = [event async for event in agent.run("Biggest UK city?")]
    request = model.requests[0]
    assert request.tools == []
    fmt = request.kwargs["response_format"]
    assert fmt["name"] == "City" and fmt["schema"]["properties"]["population"]["type"] == "integer"
    assert not [e for e in events if isinstance(e, ModelTextDelta)]  # no JSON in text events
    partials = [e.output for e in events if isinstance(e, OutputDelta)]
    assert len(partials) >= 2
    assert partials[-1] == City(**LONDON)
    finished = events[-1]
    assert isinstance(finished, RunFinished) and finished.result.output == City(**LONDON)


async def test_prompted_mode_puts_the_schema_in_the_system_prompt_and_reads_fenced_json() -> None:
    answer = f"Here you are:\n```json\n{json.dumps(LONDON)}\n```\nAnything else?"
    model = ScriptedModel([answer])
    agent = Agent(model, system_prompt="Be exact.", output_type=City, output_mode="prompted")
    result = await agent.arun("Biggest UK city?")
    assert result.output == City(**LONDON)
    system = model.requests[0].messages[0]
    assert system.role == "system" and system.text.startswith("Be exact.")
    assert '"population":{"type":"integer"' in system.text.replace(" ", "")
    assert model.requests[0].tools == [] and "response_format" not in model.requests[0].kwargs
    assert all(m.role != "system" for m in result.all_messages())


async def test_invalid_once_then_valid_counts_one_retry_and_tells_the_model_why() -> None:
    model = NativeScripted(['{"name": "London", "country": "UK"}', json.dumps(LONDON)])
    result = await Agent(model, output_type=City).arun("city?")
    assert result.output == City(**LONDON)
    assert result.metrics.output_retries == 1
    retry = model.requests[1].messages[-1]
    assert retry.role == "user" and "population" in retry.text and "Field required" in retry.text


async def test_never_valid_raises_output_validation_error_after_the_retries() -> None:
    model = NativeScripted(["not json", "still not", "{}", "never asked"])
    agent = Agent(model, output_type=City, output_retries=2)
    with pytest.raises(OutputValidationError) as info:
        await agent.arun("city?")
    err = info.value
    assert err.raw == "{}"
    assert {e["loc"] for e in err.errors} == {"name", "country", "population"}
    result: AgentResult[Any] = err.result
    assert result.metrics.output_retries == 2 and result.stop_reason == "error"
    assert model.remaining == 1


async def test_zero_retries_fails_on_the_first_bad_answer() -> None:
    with pytest.raises(OutputValidationError, match="after 0 retries"):
        await Agent(NativeScripted(["{}"]), output_type=City, output_retries=0).arun("x")


async def test_bad_final_result_arguments_come_back_as_a_tool_error() -> None:
    bad = final({"name": "London", "country": "UK", "population": "many"})
    model = ScriptedModel([bad, final(LONDON, cid="f2")])
    result = await Agent(model, output_type=City).arun("city?")
    assert result.output.population == 9000000
    assert result.metrics.output_retries == 1
    reply = model.requests[1].messages[-1]
    assert reply.role == "tool" and reply.is_error and reply.tool_call_id == "f1"
    assert "population" in reply.text and "'many'" in reply.text


async def test_a_text_answer_in_tool_mode_is_asked_to_call_the_tool() -> None:
    model = ScriptedModel(["London, I think.", final(LONDON)])
    result = await Agent(model, output_type=City, output_mode="tool").arun("city?")
    assert result.output == City(**LONDON)
    assert "final_result" in model.requests[1].messages[-1].text
    assert result.metrics.output_retries == 1


@tool
def lookup(city: str) -> str:
    """Look a city up."""
    return "9 million"


async def test_tools_still_run_and_other_calls_beside_final_result_get_an_answer() -> None:
    model = ScriptedModel(
        [
            ToolCall("t1", "lookup", {"city": "London"}),
            [final(LONDON), ToolCall("t2", "lookup", {"city": "Paris"})],
        ]
    )
    events = [e async for e in Agent(model, [lookup], output_type=City).run("city?")]
    started = [e.call.name for e in events if isinstance(e, ToolCallStarted)]
    assert started == ["lookup"]  # final_result is not a tool call event
    assert isinstance(events[-1], RunFinished)
    result = events[-1].result
    roles = [
        (m.role, m.tool_call_id, m.is_error) for m in result.new_messages() if m.role == "tool"
    ]
    assert roles == [("tool", "t1", False), ("tool", "f1", False), ("tool", "t2", True)]


async def test_output_validators_may_ask_again_with_model_retry() -> None:
    seen: list[str] = []

    def no_small_cities(city: City) -> City:
        seen.append(city.name)
        if city.population < 1000:
            raise ModelRetry("that is a village; name a city")
        return city

    async def upper(city: City) -> City:
        return city.model_copy(update={"name": city.name.upper()})

    small = {"name": "Hamlet", "country": "UK", "population": 12}
    model = NativeScripted([json.dumps(small), json.dumps(LONDON)])
    agent = Agent(model, output_type=City, output_validators=[no_small_cities, upper])
    result = await agent.arun("city?")
    assert result.output.name == "LONDON" and seen == ["Hamlet", "London"]
    assert result.metrics.output_retries == 1
    assert "that is a village" in model.requests[1].messages[-1].text


async def test_a_validator_that_always_retries_ends_in_output_validation_error() -> None:
    def never(city: City) -> City:
        raise ModelRetry("no")

    model = ScriptedModel([final(LONDON, cid=f"f{i}") for i in range(3)])
    with pytest.raises(OutputValidationError) as info:
        await Agent(model, output_type=City, output_validators=[never]).arun("x")
    assert info.value.errors == [{"loc": "", "msg": "no", "type": "model_retry"}]


async def test_per_call_output_type_overrides_the_agents() -> None:
    model = ScriptedModel([final({"response": 7}), "plain words"])
    agent = Agent(model, output_type=City)
    number = await agent.arun("how many?", output_type=int)
    assert number.output == 7
    text = await agent.arun("say something", output_type=str)
    assert text.output == "plain words" and text.message == "plain words"


async def test_without_output_type_the_output_is_the_text() -> None:
    result = await Agent(ScriptedModel(["hello"])).arun("hi")
    assert result.output == result.message == "hello"


async def test_max_iterations_before_any_output_is_an_output_validation_error() -> None:
    model = ScriptedModel([ToolCall("t1", "lookup", {"city": "x"})])
    agent = Agent(model, [lookup], output_type=City, max_iterations=1)
    with pytest.raises(OutputValidationError, match="max_iterations"):
        await agent.arun("x")


def test_bad_output_options_are_configuration_errors() -> None:
    with pytest.raises(ConfigurationError, match="output_mode"):
        Agent(ScriptedModel([]), output_type=City, output_mode="json")  # type: ignore[call-overload]
    with pytest.raises(ConfigurationError, match="output type"):
        Agent(ScriptedModel([]), output_type=42)
    with pytest.raises(ConfigurationError, match="output_retries"):
        Agent(ScriptedModel([]), output_type=City, output_retries=-1)
    with pytest.raises(ConfigurationError, match="output_validators"):
        Agent(ScriptedModel([]), output_type=City, output_validators=[1])  # type: ignore[list-item]


# -- every kind of output type -------------------------------------------------------------


@dataclasses.dataclass
class Point:
    x: int
    y: int


class Movie(TypedDict):
    title: str
    year: int


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Cat(BaseModel):
    meows: bool


class Dog(BaseModel):
    barks: int


CASES: list[tuple[Any, str, Any]] = [
    (Point, '{"x": 1, "y": 2}', Point(1, 2)),
    (Movie, '{"title": "Up", "year": 2009}', {"title": "Up", "year": 2009}),
    (int, "42", 42),
    (float, '{"response": 2.5}', 2.5),
    (bool, "true", True),
    (list[int], "[1, 2, 3]", [1, 2, 3]),
    (Literal["yes", "no"], '"no"', "no"),
    (Colour, '{"response": "blue"}', Colour.BLUE),
    (Cat | Dog, '{"barks": 3}', Dog(barks=3)),
]


@pytest.mark.parametrize(("output_type", "answer", "expected"), CASES)
async def test_every_type_in_native_mode(output_type: Any, answer: str, expected: Any) -> None:
    result = await Agent(NativeScripted([answer]), output_type=output_type).arun("x")
    assert result.output == expected


@pytest.mark.parametrize(("output_type", "answer", "expected"), CASES)
async def test_every_type_in_tool_mode(output_type: Any, answer: str, expected: Any) -> None:
    value = json.loads(answer)

    def brain(messages: list[Message], tools: list[ToolSpec]) -> Turn:
        names = [spec.name for spec in tools]
        if output_type == Cat | Dog:
            assert names == ["final_result_Cat", "final_result_Dog"]
            return final(value, "final_result_Dog")
        wrapped = tools[0].parameters["properties"].keys() == {"response"}
        args = (
            value
            if not wrapped or (isinstance(value, dict) and "response" in value)
            else {"response": value}
        )
        return final(args)

    result = await Agent(FunctionModel(brain), output_type=output_type, output_mode="tool").arun(
        "x"
    )
    assert result.output == expected


async def test_str_output_type_is_plain_text_in_every_mode() -> None:
    for mode in ("auto", "native", "tool", "prompted"):
        model = ScriptedModel(["just text"])
        result = await Agent(model, output_type=str, output_mode=mode).arun("x")
        assert result.output == "just text" and model.requests[0].tools == []
