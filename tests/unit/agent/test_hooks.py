"""Hooks: order, changing requests/results, skipping tools, stopping runs, tasks, deps."""

from __future__ import annotations

import asyncio
import contextvars
from dataclasses import dataclass
from typing import Any

import pytest

from locus.agent import Agent, AgentResult, Hook, ModelRequest, RunContext, ToolResult
from locus.core.errors import ConfigurationError, GuardrailTripped
from locus.core.messages import Message, ToolCall
from locus.core.response import ModelResponse
from locus.core.toolspec import ToolSpec
from locus.testing import FunctionModel, Turn
from locus.tools import tool
from tests.deadlines import within

current_user: contextvars.ContextVar[str] = contextvars.ContextVar("current_user", default="-")


@tool
def delete_file(path: str) -> str:
    """Delete a file."""
    return f"deleted {path}"


@tool
def whoami() -> str:
    """Who is calling (a contextvar set by a hook)."""
    return current_user.get()


@dataclass
class Deps:
    user: str


@tool
def greet(ctx: RunContext[Deps], greeting: str) -> str:
    """Greet the run's user."""
    return f"{greeting}, {ctx.deps.user} (call {ctx.tool_call_id})"


def caller(*calls: ToolCall) -> FunctionModel:
    """Makes ``calls`` in one turn, then answers with every tool result it read."""

    def brain(messages: list[Message], tools: list[ToolSpec]) -> Turn:
        if messages[-1].role != "tool":
            return list(calls)
        results = [m.text for m in messages if m.role == "tool"]
        return " | ".join(results)

    return FunctionModel(brain)


class Recorder(Hook):
    def __init__(self, name: str, log: list[str]) -> None:
        self.name, self.log = name, log

    def on_run_start(self, ctx: RunContext[Any]) -> None:
        self.log.append(f"{self.name}:start:{ctx.agent_name}:{len(ctx.messages)}")

    async def before_model_call(self, ctx: RunContext[Any], request: ModelRequest) -> None:
        self.log.append(f"{self.name}:model:{ctx.iteration}")

    def after_tool_call(self, ctx: RunContext[Any], call: ToolCall, result: ToolResult) -> None:
        self.log.append(f"{self.name}:tool:{call.name}")

    def on_run_end(self, ctx: RunContext[Any], result: AgentResult[Any]) -> None:
        self.log.append(f"{self.name}:end:{result.stop_reason}")


async def test_hooks_run_in_list_order_agent_hooks_first() -> None:
    log: list[str] = []
    model = caller(ToolCall("c1", "whoami", {}))
    agent = Agent(model, tools=[whoami], name="helper", hooks=[Recorder("a", log)])
    await agent.arun("hi", hooks=[Recorder("b", log)])
    assert log == [
        "a:start:helper:1",
        "b:start:helper:1",
        "a:model:1",
        "b:model:1",
        "a:tool:whoami",
        "b:tool:whoami",
        "a:model:2",
        "b:model:2",
        "a:end:complete",
        "b:end:complete",
    ]


class DenyDeletes(Hook):
    def before_tool_call(self, ctx: RunContext[Any], call: ToolCall) -> ToolResult | None:
        if call.name.startswith("delete_"):
            return ToolResult(f"{call.name} is not allowed here", is_error=True)
        return None


async def test_a_before_tool_hook_denies_and_the_model_reads_it() -> None:
    model = caller(ToolCall("c1", "delete_file", {"path": "/etc"}))
    result = await Agent(model, tools=[delete_file], hooks=[DenyDeletes()]).arun("clean up")
    assert result.text == "delete_file is not allowed here"
    assert result.messages[-2].is_error and result.metrics.tool_errors == 1


class Trip(Hook):
    async def before_tool_call(self, ctx: RunContext[Any], call: ToolCall) -> None:
        raise GuardrailTripped("no-deletes", f"{call.name} was asked for")


async def test_a_hook_that_raises_ends_the_run_with_the_partial_result() -> None:
    log: list[str] = []
    model = caller(ToolCall("c1", "delete_file", {"path": "/etc"}))
    agent = Agent(model, tools=[delete_file], hooks=[Trip(), Recorder("r", log)])
    with pytest.raises(GuardrailTripped) as caught:
        await agent.arun("clean up")
    error = caught.value
    assert (error.guardrail, error.reason) == ("no-deletes", "delete_file was asked for")
    assert error.result is not None and error.result.stop_reason == "error"
    assert error.result.metrics.model_calls == 1
    assert log[-1] == "r:end:error"  # on_run_end still called, once


class Rewrite(Hook):
    def before_model_call(self, ctx: RunContext[Any], request: ModelRequest) -> ModelRequest:
        messages = [*request.messages[:-1], Message.user("rewritten")]
        return ModelRequest(messages, [], request.params, {"traceparent": "00-abc-def-01"})

    def after_model_call(self, ctx: RunContext[Any], response: ModelResponse) -> ModelResponse:
        message = Message.assistant(response.message.text.upper())
        return ModelResponse(message=message, usage=response.usage)


async def test_model_hooks_change_the_request_and_the_response() -> None:
    from locus.agent._headers import model_headers

    seen: list[tuple[str, int, Any]] = []

    def brain(messages: list[Message], tools: list[ToolSpec]) -> Turn:
        seen.append((messages[-1].text, len(tools), model_headers.get()))
        return "echo " + messages[-1].text

    agent = Agent(FunctionModel(brain), tools=[whoami], hooks=[Rewrite()])
    result = await agent.arun("original")
    assert seen == [("rewritten", 0, {"traceparent": "00-abc-def-01"})]
    assert result.text == "ECHO REWRITTEN" and result.messages[-1].text == "ECHO REWRITTEN"


class SetUser(Hook):
    def before_tool_call(self, ctx: RunContext[Any], call: ToolCall) -> None:
        current_user.set(f"user-of-{call.id}")


async def test_tool_hooks_run_in_the_calls_own_task() -> None:
    model = caller(*(ToolCall(f"c{i}", "whoami", {}) for i in range(3)))
    result = await Agent(model, tools=[whoami], hooks=[SetUser()]).arun("who")
    assert result.text == "user-of-c0 | user-of-c1 | user-of-c2"
    assert current_user.get() == "-"  # nothing leaked into the run's task


async def test_on_run_end_is_called_on_cancellation() -> None:
    log: list[str] = []
    started = asyncio.Event()

    @tool
    async def hang() -> str:
        """Never returns."""
        started.set()
        await asyncio.Event().wait()
        return ""

    agent = Agent(caller(ToolCall("c1", "hang", {})), tools=[hang], hooks=[Recorder("r", log)])
    task = asyncio.ensure_future(agent.arun("go"))
    await within(started.wait(), "the tool started")
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert log[-1] == "r:end:cancelled" and log.count("r:end:cancelled") == 1


async def test_deps_reach_tools_through_run_context() -> None:
    assert "ctx" not in greet.spec.parameters["properties"]
    model = caller(ToolCall("c9", "greet", {"greeting": "Hello"}))
    agent = Agent(model, tools=[greet], deps_type=Deps)
    result = await agent.arun("greet me", deps=Deps(user="ada"))
    assert result.text == "Hello, ada (call None)"


async def test_deps_of_the_wrong_type_are_refused() -> None:
    agent = Agent(caller(), tools=[greet], deps_type=Deps)
    with pytest.raises(ConfigurationError, match="deps=Deps"):
        await agent.arun("hi", deps="ada")


def test_a_hook_without_hook_methods_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="none of the hook methods"):
        Agent(caller(), hooks=[object()])


async def test_tools_and_hooks_see_the_usage_so_far() -> None:
    """``ctx.usage`` is the run's running total: a tool after the first model call sees
    that call's tokens, and so does the hook after the second (both saw {} before)."""
    from locus.core.usage import Usage
    from locus.testing import ScriptedModel, ScriptedTurn

    seen: list[dict[str, int]] = []

    @tool
    def peek(ctx: RunContext[None]) -> str:
        """Report the usage so far."""
        seen.append(dict(ctx.usage))
        return "ok"

    class After:
        async def after_model_call(self, ctx: RunContext[Any], response: ModelResponse) -> None:
            seen.append(dict(ctx.usage))

    first, second = Usage(10, 5), Usage(20, 3)
    call = ToolCall("c1", "peek", {})
    turns = [ScriptedTurn(tool_calls=[call], usage=first), ScriptedTurn("done", usage=second)]
    result = await Agent(ScriptedModel(turns), tools=[peek], hooks=[After()]).arun("q")
    # the hooks run before their call's tokens are counted; the tool after the first call
    assert seen == [{}, dict(first), dict(first)]  # hook, tool, hook
    assert dict(result.usage) == {"prompt_tokens": 30, "completion_tokens": 8, "total_tokens": 38}
