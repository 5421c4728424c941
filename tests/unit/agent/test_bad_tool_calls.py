"""Bad-input table, tool side: what the agent does with broken calls and awkward results.

None of these end the run: each becomes a tool message with ``is_error=True`` that the
model reads (and a ``ToolCallFinished`` event carrying the typed ``ToolError``), so the
model can correct itself. See docs/reliability.md for the table.
"""

from __future__ import annotations

import datetime as dt
import json

from locus.agent import Agent, AgentResult, ToolCallFinished
from locus.core.errors import (
    ToolArgumentsError,
    ToolError,
    ToolExecutionError,
    UnknownToolError,
)
from locus.core.messages import Message, ToolCall
from locus.core.toolspec import ToolSpec
from locus.models.providers.oci._formats import decode_chat_result
from locus.testing import FunctionModel, Turn
from locus.tools import DEFAULT_MAX_RESULT_CHARS, tool


@tool
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@tool
def explode(reason: str) -> str:
    """Always fails."""
    raise RuntimeError(f"boom: {reason}")


@tool
def opaque() -> object:
    """Returns something that is not JSON."""
    return object()


@tool
def enormous(size: int) -> str:
    """Returns ``size`` characters."""
    return "x" * size


def one_call_then_echo(call: ToolCall) -> FunctionModel:
    """Calls ``call`` once, then answers with the text of the tool message it got."""

    def brain(messages: list[Message], tools: list[ToolSpec]) -> Turn:
        last = messages[-1]
        return f"saw: {last.text}" if last.role == "tool" else call

    return FunctionModel(brain)


async def run_one_call(
    call: ToolCall, max_tool_result_chars: int | None = DEFAULT_MAX_RESULT_CHARS
) -> tuple[AgentResult, ToolCallFinished]:
    tools = [add, explode, opaque, enormous]
    agent = Agent(one_call_then_echo(call), tools, max_tool_result_chars=max_tool_result_chars)
    finished: list[ToolCallFinished] = []
    result: AgentResult | None = None
    async for event in agent.run("go"):
        if isinstance(event, ToolCallFinished):
            finished.append(event)
        elif event.kind == "run_finished":
            result = event.result
    assert result is not None and len(finished) == 1
    return result, finished[0]


def tool_message(result: AgentResult) -> Message:
    (message,) = [m for m in result.messages if m.role == "tool"]
    return message


def assert_error_shown(result: AgentResult, event: ToolCallFinished, kind: type[ToolError]) -> str:
    assert result.stop_reason == "complete"
    assert isinstance(event.error, kind)
    message = tool_message(result)
    assert message.is_error and message.tool_call_id == event.call.id
    assert result.message == f"saw: {message.text}"
    return message.text


async def test_invalid_json_arguments_from_the_wire_are_shown_to_the_model() -> None:
    body = {
        "chatResponse": {
            "apiFormat": "GENERIC",
            "choices": [
                {
                    "message": {
                        "role": "ASSISTANT",
                        "toolCalls": [
                            {"type": "FUNCTION", "id": "c1", "name": "add", "arguments": '{"a": 1,'}
                        ],
                    },
                    "finishReason": "tool_calls",
                }
            ],
        }
    }
    (call,) = decode_chat_result(body).tool_calls
    assert (call.arguments, call.raw_arguments) == ({}, '{"a": 1,')
    result, event = await run_one_call(call)
    text = assert_error_shown(result, event, ToolArgumentsError)
    assert "were not valid JSON" in text and '{"a": 1,' in text


async def test_a_tool_that_was_not_offered() -> None:
    result, event = await run_one_call(ToolCall("c1", "delete_everything", {}))
    text = assert_error_shown(result, event, UnknownToolError)
    assert "no tool named 'delete_everything'" in text
    assert "add, enormous, explode, opaque" in text


async def test_arguments_of_the_wrong_type() -> None:
    result, event = await run_one_call(ToolCall("c1", "add", {"a": "seven", "b": [1]}))
    text = assert_error_shown(result, event, ToolArgumentsError)
    assert text.startswith("Error: invalid arguments for tool 'add'")
    assert "a: " in text and "b: " in text


async def test_missing_and_extra_arguments() -> None:
    result, event = await run_one_call(ToolCall("c1", "add", {"a": 1, "c": 2}))
    text = assert_error_shown(result, event, ToolArgumentsError)
    assert "b: Field required" in text and "c: Extra inputs are not permitted" in text


async def test_a_tool_that_raises() -> None:
    result, event = await run_one_call(ToolCall("c1", "explode", {"reason": "disk full"}))
    text = assert_error_shown(result, event, ToolExecutionError)
    assert text == "Error: tool 'explode' raised RuntimeError: boom: disk full"
    assert event.error is not None and isinstance(event.error.__cause__, RuntimeError)


async def test_a_result_that_is_not_json_serialisable() -> None:
    result, event = await run_one_call(ToolCall("c1", "opaque", {}))
    text = assert_error_shown(result, event, ToolExecutionError)
    assert "returned a object that cannot be turned into JSON text" in text


async def test_awkward_but_serialisable_results_become_json() -> None:
    @tool
    def when() -> dict[str, object]:
        """A date and a tuple."""
        return {"day": dt.date(2026, 11, 27), "pair": (1, 2)}

    agent = Agent(one_call_then_echo(ToolCall("c1", "when", {})), [when])
    result = await agent.arun("go")
    assert json.loads(tool_message(result).text) == {"day": "2026-11-27", "pair": [1, 2]}


async def test_an_enormous_result_is_truncated_with_a_marker() -> None:
    result, event = await run_one_call(ToolCall("c1", "enormous", {"size": 250_000}))
    text = tool_message(result).text
    assert event.error is None and not tool_message(result).is_error
    assert text.endswith("\n...[truncated 150000 of 250000 characters]")
    assert text.startswith("x" * 100_000) and len(text) < 100_100


async def test_the_truncation_limit_is_configurable_and_can_be_turned_off() -> None:
    result, _ = await run_one_call(
        ToolCall("c1", "enormous", {"size": 50}), max_tool_result_chars=10
    )
    assert tool_message(result).text == "x" * 10 + "\n...[truncated 40 of 50 characters]"
    result, _ = await run_one_call(
        ToolCall("c1", "enormous", {"size": 300_000}), max_tool_result_chars=None
    )
    assert tool_message(result).text == "x" * 300_000


async def test_a_result_with_undecodable_text_is_made_valid_unicode() -> None:
    @tool
    def list_files() -> list[str]:
        """File names as the OS gave them (an undecodable byte becomes a lone surrogate)."""
        return [b"caf\xe9.txt".decode("utf-8", "surrogateescape")]

    @tool
    def read_name() -> str:
        """The same name as plain text."""
        return b"caf\xe9.txt".decode("utf-8", "surrogateescape")

    for name in ("list_files", "read_name"):
        agent = Agent(one_call_then_echo(ToolCall("c1", name, {})), [list_files, read_name])
        text = tool_message(await agent.arun("go")).text
        text.encode("utf-8")  # what the next request will have to do
        assert "caf" in text and "\\udce9" in text
