"""``Agent(system_prompt=fn)``: the prompt made per run from its ``RunContext`` (deps,
thread, run id), sync or async, bounded by the run's deadline, used after a handoff, and
checked (a bad value at construction, a bad return at the run)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pytest

from locus.agent import Agent, RunContext
from locus.core.errors import ConfigurationError, RunTimeoutError
from locus.core.messages import Message, ToolCall
from locus.core.toolspec import ToolSpec
from locus.testing import FunctionModel, Turn
from locus.tools import tool


@dataclass
class User:
    name: str
    locale: str


def system_echo(messages: list[Message], tools: list[ToolSpec]) -> str:
    """A model that answers with the system message it was sent (or '-' without one)."""
    first = messages[0]
    return first.text if first.role == "system" else "-"


async def test_a_function_makes_the_system_prompt_of_each_run_from_its_deps() -> None:
    seen: list[tuple[str, str | None]] = []

    def prompt(ctx: RunContext[User]) -> str:
        seen.append((ctx.run_id, ctx.thread_id))
        return f"You help {ctx.deps.name}; answer in {ctx.deps.locale}."

    agent = Agent(FunctionModel(system_echo), system_prompt=prompt, deps_type=User)
    first = await agent.arun("hi", deps=User("Ada", "en"))
    second = await agent.arun("hi", deps=User("Jo", "pt"), thread_id="t1")
    assert first.text == "You help Ada; answer in en."
    assert second.text == "You help Jo; answer in pt."
    assert len(seen) == 2 and seen[0][0] != seen[1][0] and seen[1][1] == "t1"
    assert second.messages[0] == Message.system("You help Jo; answer in pt.")
    assert agent.system_prompt is prompt


async def test_an_async_function_and_one_that_gives_none() -> None:
    async def prompt(ctx: RunContext[str]) -> str | None:
        await asyncio.sleep(0)
        return None if ctx.deps == "none" else f"Be {ctx.deps}."

    agent = Agent(FunctionModel(system_echo), system_prompt=prompt)
    assert (await agent.arun("hi", deps="brief")).text == "Be brief."
    history = [Message.system("From the history."), Message.user("earlier")]
    none = await agent.arun("hi", deps="none", message_history=history)
    assert none.text == "From the history."  # no prompt of its own: the history's is kept


async def test_a_function_that_returns_something_else_fails_the_run_clearly() -> None:
    def returns_int(ctx: RunContext[None]) -> int:
        return 42

    agent = Agent(FunctionModel(system_echo), system_prompt=returns_int)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match=r"system_prompt function .* returned int"):
        await agent.arun("hi")


def test_a_system_prompt_that_is_neither_text_nor_function_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="system_prompt must be a str"):
        Agent(FunctionModel(system_echo), system_prompt=42)  # type: ignore[call-overload]
    assert Agent(FunctionModel(system_echo), system_prompt="Plain.").system_prompt == "Plain."


async def test_a_slow_function_is_bounded_by_the_run_timeout() -> None:
    async def never(ctx: RunContext[None]) -> str:
        await asyncio.Event().wait()
        return "never"

    agent = Agent(FunctionModel(system_echo), system_prompt=never)
    with pytest.raises(RunTimeoutError):
        await agent.arun("hi", timeout=0.2)


@tool
def refund(order: str) -> str:
    """Refund an order."""
    return f"refunded {order}"


async def test_after_a_handoff_the_target_agents_function_makes_its_prompt() -> None:
    prompts: list[str] = []

    def billing_brain(messages: list[Message], tools: list[ToolSpec]) -> Turn:
        prompts.append(messages[0].text)
        if not any(m.role == "tool" and m.name == "refund" for m in messages):
            return ToolCall("r1", "refund", {"order": "A17"})
        return "done"

    def triage_brain(messages: list[Message], tools: list[ToolSpec]) -> Turn:
        if not any(m.role == "tool" for m in messages):
            return ToolCall("h1", "transfer_to_billing", {})
        return "could not transfer"

    billing = Agent(
        FunctionModel(billing_brain),
        tools=[refund],
        name="billing",
        system_prompt=lambda ctx: f"You are billing for {ctx.deps}.",
    )
    triage = Agent(
        FunctionModel(triage_brain), name="triage", system_prompt="Route.", handoffs=[billing]
    )
    result = await triage.arun("money back for A17", deps="ACME")
    assert result.last_agent == "billing" and result.text == "done"
    assert prompts == ["You are billing for ACME.", "You are billing for ACME."]
