"""ScriptedModel and FunctionModel honour the Model contract: complete() and stream()."""

from __future__ import annotations

import pytest

from locus.core.errors import ModelError, ServerError
from locus.core.messages import Message, ToolCall
from locus.core.model import Model
from locus.core.response import ModelResponse, StreamEvent
from locus.core.toolspec import ToolSpec
from locus.core.usage import Usage
from locus.testing import FunctionModel, ScriptedModel, ScriptedTurn, Turn, create_model


async def collect(model: Model, messages: list[Message]) -> list[StreamEvent]:
    return [event async for event in model.stream(messages)]


def test_test_models_are_models() -> None:
    assert isinstance(ScriptedModel([]), Model)
    assert isinstance(FunctionModel(lambda m, t: "x"), Model)


async def test_complete_plays_turns_in_order() -> None:
    call = ToolCall("c1", "add", {"a": 1})
    model = ScriptedModel([call, "done"])
    first = await model.complete([Message.user("hi")])
    second = await model.complete([Message.user("hi")])
    assert first.tool_calls == [call] and first.stop_reason == "tool_calls"
    assert second.text == "done" and second.stop_reason == "stop"
    assert model.remaining == 0
    with pytest.raises(ModelError, match="ran out of turns after 2"):
        await model.complete([Message.user("again")])


@pytest.mark.parametrize("chunk_size", [1, 3, 100])
async def test_stream_chunks_text_and_ends_with_a_full_done_event(chunk_size: int) -> None:
    turn = ScriptedTurn(text="Hello, world!", reasoning="think", usage=Usage(5, 7))
    model = ScriptedModel([turn], chunk_size=chunk_size)
    events = await collect(model, [Message.user("hi")])
    *deltas, done = events
    texts = [e.content for e in deltas if e.content]
    assert "".join(texts) == "Hello, world!"
    assert all(len(t) <= chunk_size for t in texts)
    assert "".join(e.reasoning or "" for e in deltas) == "think"
    assert not any(e.done for e in deltas)
    assert done.done and done.stop_reason == "stop"
    assert done.usage == {"prompt_tokens": 5, "completion_tokens": 7, "total_tokens": 12}
    assert isinstance(done.response, ModelResponse)
    assert done.response.text == "Hello, world!"
    assert done.response.message.reasoning == "think"


async def test_stream_done_event_carries_tool_calls() -> None:
    calls = [ToolCall("1", "a", {}), ToolCall("2", "b", {"x": 1})]
    model = ScriptedModel([calls])
    (done,) = await collect(model, [Message.user("hi")])
    assert done.done and done.tool_calls == calls and done.stop_reason == "tool_calls"
    assert done.response is not None and done.response.tool_calls == calls


async def test_complete_and_stream_give_the_same_response() -> None:
    turns: list[Turn] = [ScriptedTurn(text="same", reasoning="r")] * 2
    model = ScriptedModel(turns)
    whole = await model.complete([Message.user("q")])
    streamed = (await collect(model, [Message.user("q")]))[-1].response
    assert streamed == whole


async def test_error_turn_raises_from_complete_and_stream() -> None:
    error = ServerError("overloaded", status=503)
    model = ScriptedModel([error, error])
    with pytest.raises(ServerError):
        await model.complete([Message.user("q")])
    with pytest.raises(ServerError):
        await collect(model, [Message.user("q")])
    assert model.open_streams == 0


async def test_requests_are_recorded_with_tool_specs_and_kwargs() -> None:
    spec = ToolSpec("add", "Add.")
    model = ScriptedModel(["ok"])
    await model.complete([Message.user("q")], tools=[spec], temperature=0.1)
    (request,) = model.requests
    assert request.messages == [Message.user("q")]
    assert request.tools == [spec]
    assert request.kwargs == {"temperature": 0.1}


async def test_stream_closed_early_is_released() -> None:
    model = ScriptedModel(["a long answer"], chunk_size=1)
    stream = model.stream([Message.user("q")])
    first = await anext(stream)
    assert first.content == "a" and model.open_streams == 1
    await stream.aclose()  # type: ignore[attr-defined]
    assert model.open_streams == 0


def test_turn_shorthands() -> None:
    message = Message.assistant("hi", [ToolCall("1", "t", {})])
    response = ModelResponse(Message.assistant("r"), Usage(1, 2), "length")
    model = ScriptedModel([message, response])
    assert model.turns[0].tool_calls == message.tool_calls
    assert model.turns[1].stop_reason == "length" and model.turns[1].usage == Usage(1, 2)
    with pytest.raises(TypeError):
        ScriptedModel([42])  # type: ignore[list-item]
    with pytest.raises(ValueError):
        ScriptedModel([], chunk_size=0)


async def test_function_model_sync_and_async() -> None:
    seen: list[tuple[int, list[str]]] = []

    def sync_fn(messages: list[Message], tools: list[ToolSpec]) -> str:
        seen.append((len(messages), [t.name for t in tools]))
        return "sync"

    async def async_fn(messages: list[Message], tools: list[ToolSpec]) -> Turn:
        return ToolCall("1", "x", {})

    response = await FunctionModel(sync_fn).complete([Message.user("q")], [ToolSpec("t")])
    assert response.text == "sync" and seen == [(1, ["t"])]
    events = await collect(FunctionModel(async_fn), [Message.user("q")])
    assert events[-1].tool_calls == [ToolCall("1", "x", {})]


async def test_mock_provider_factory() -> None:
    echo = create_model("echo")
    assert (await echo.complete([Message.user("ping")])).text == "ping"
    scripted = create_model("demo", turns=["one"], chunk_size=2)
    assert scripted.model_id == "demo"
    assert (await scripted.complete([Message.user("q")])).text == "one"
    with pytest.raises(ValueError, match="needs turns"):
        create_model("other")


async def test_recording_can_be_turned_off() -> None:
    model = ScriptedModel(["a"], record=False)
    await model.complete([Message.user("q")])
    assert model.requests == []
