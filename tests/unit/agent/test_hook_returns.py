"""A hook that returns the wrong kind of value is told so, not ignored.

``None`` keeps the value and the documented type replaces it; anything else (a str
from ``after_tool_call`` meant as the new result, a dict from ``before_tool_call``
meant as new arguments) was silently dropped, so the hook seemed to work and did
nothing. It is a ``ConfigurationError`` naming the hook, the method and what it may
return; the run ends with it (its partial result attached).
"""

from __future__ import annotations

from typing import Any

import pytest

from locus.agent import Agent, Hook, ModelRequest, RunContext, ToolResult
from locus.core.errors import ConfigurationError
from locus.core.messages import ToolCall
from locus.core.response import ModelResponse
from locus.testing import ScriptedModel
from locus.tools import tool


@tool
def lookup(key: str) -> str:
    """Looks ``key`` up."""
    return f"value of {key}"


class Redact(Hook):
    def after_tool_call(self, ctx: RunContext, call: ToolCall, result: ToolResult) -> Any:
        return "[redacted]"  # meant: ToolResult("[redacted]")


class Rewrite(Hook):
    def before_tool_call(self, ctx: RunContext, call: ToolCall) -> Any:
        return {"key": "other"}  # meant: a new ToolCall


class Trim(Hook):
    async def before_model_call(self, ctx: RunContext, request: ModelRequest) -> Any:
        return request.messages[-1:]  # meant: a ModelRequest


class Censor(Hook):
    def after_model_call(self, ctx: RunContext, response: ModelResponse) -> Any:
        return response.text.upper()  # meant: a ModelResponse


CASES = [
    (Redact(), "after_tool_call", "str", "None or a ToolResult"),
    (Rewrite(), "before_tool_call", "dict", "None, a ToolCall or a ToolResult"),
    (Trim(), "before_model_call", "list", "None or a ModelRequest"),
    (Censor(), "after_model_call", "str", "None or a ModelResponse"),
]


@pytest.mark.parametrize(("hook", "method", "got", "allowed"), CASES)
async def test_a_wrong_return_value_is_a_configuration_error(
    hook: Hook, method: str, got: str, allowed: str
) -> None:
    model = ScriptedModel([ToolCall("c1", "lookup", {"key": "k"}), "done"])
    with pytest.raises(ConfigurationError) as info:
        await Agent(model, [lookup], hooks=[hook]).arun("go")
    text = str(info.value)
    assert f"{type(hook).__name__}.{method} returned a {got}" in text and allowed in text
    assert info.value.result is not None


async def test_none_and_the_documented_types_still_work() -> None:
    class Fine(Hook):
        def before_tool_call(self, ctx: RunContext, call: ToolCall) -> ToolCall | None:
            return ToolCall(call.id, call.name, {"key": "other"})

        def after_tool_call(self, ctx: RunContext, call: ToolCall, result: ToolResult) -> None:
            return None

    model = ScriptedModel([ToolCall("c1", "lookup", {"key": "k"}), "done"])
    result = await Agent(model, [lookup], hooks=[Fine()]).arun("go")
    assert result.messages[-2].text == "value of other"


class AsDict(Hook):
    def after_tool_call(self, ctx: RunContext, call: ToolCall, result: ToolResult) -> Any:
        return ToolResult({"value": result.content})  # type: ignore[arg-type]


class Empty(Hook):
    def before_tool_call(self, ctx: RunContext, call: ToolCall) -> Any:
        return ToolResult(None)  # type: ignore[arg-type]


@pytest.mark.parametrize(("hook", "got"), [(AsDict(), "dict"), (Empty(), "NoneType")])
async def test_a_tool_result_that_is_not_text_is_a_configuration_error(
    hook: Hook, got: str
) -> None:
    """Before: a dict failed later, deep in the next request ('dict' object has no
    attribute 'split'); ``None`` was sent to the model as the result."""
    model = ScriptedModel([ToolCall("c1", "lookup", {"key": "k"}), "done"])
    with pytest.raises(ConfigurationError, match=rf"ToolResult for tool 'lookup' .* {got}"):
        await Agent(model, [lookup], hooks=[hook]).arun("go")
