"""history_processor=: runs before each model call on what is sent, never on what is stored."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from locus.agent import Agent, InMemoryThreadStore, keep_last_turns, within_token_budget
from locus.agent._history import estimate_tokens, record_usage
from locus.core.errors import ConfigurationError
from locus.core.messages import Message, ToolCall
from locus.core.usage import Usage
from locus.testing import ScriptedModel
from locus.tools import tool


@tool
def ping(n: int) -> str:
    """Ping."""
    return f"pong {n}"


def texts(messages: list[Message]) -> list[str]:
    return [m.text for m in messages]


async def test_keep_last_turns_trims_what_is_sent_not_what_is_stored() -> None:
    store = InMemoryThreadStore()
    model = ScriptedModel(["a1", "a2", "a3"])
    agent = Agent(
        model, system_prompt="sys", thread_store=store, history_processor=keep_last_turns(2)
    )
    for prompt in ("q1", "q2", "q3"):
        await agent.arun(prompt, thread_id="t")
    assert texts(model.requests[-1].messages) == ["sys", "q2", "a2", "q3"]
    assert texts(await store.load("t")) == ["q1", "a1", "q2", "a2", "q3", "a3"]


async def test_the_processor_runs_before_every_model_call_and_may_be_async() -> None:
    seen: list[int] = []

    async def count(messages: list[Message]) -> list[Message]:
        seen.append(len(messages))
        return messages[-1:]

    model = ScriptedModel([ToolCall("c", "ping", {"n": 1}), "done"])
    result = await Agent(model, [ping], history_processor=count).arun("go")
    assert seen == [1, 3]
    assert [m.role for m in model.requests[1].messages] == ["tool"]
    assert texts(result.all_messages()) == ["go", "", "pong 1", "done"]  # nothing lost


async def test_a_processor_returning_nonsense_is_a_configuration_error() -> None:
    agent = Agent(ScriptedModel(["x"]), history_processor=lambda ms: "oops")  # type: ignore[arg-type,return-value]
    with pytest.raises(ConfigurationError, match="list of Message"):
        await agent.arun("go")
    with pytest.raises(ConfigurationError, match="no messages"):
        await Agent(ScriptedModel(["x"]), history_processor=lambda ms: []).arun("go")
    with pytest.raises(ConfigurationError, match="history_processor"):
        Agent(ScriptedModel([]), history_processor="keep 3")  # type: ignore[call-overload]


def test_builtins_reject_bad_limits() -> None:
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ConfigurationError):
            keep_last_turns(bad)  # type: ignore[arg-type]
        with pytest.raises(ConfigurationError):
            within_token_budget(bad)  # type: ignore[arg-type]


def test_token_budget_drops_oldest_turns_and_keeps_the_newest() -> None:
    history = [Message.system("s" * 40)]
    for i in range(5):
        history += [Message.user(f"q{i}" + "x" * 38), Message.assistant(f"a{i}" + "y" * 38)]
    # each message costs 40/4 + 4 = 14 tokens; system 14; a turn 28
    fit = within_token_budget(14 + 3 * 28)
    assert texts(fit(history))[1::2] == ["q2" + "x" * 38, "q3" + "x" * 38, "q4" + "x" * 38]
    assert fit(history)[0].role == "system"
    tiny = within_token_budget(1)(history)
    assert [m.role for m in tiny] == ["system", "user", "assistant"]  # newest turn stays


def test_recorded_usage_beats_the_character_estimate() -> None:
    answer = Message.assistant("short")
    assert estimate_tokens(answer) == len("short") // 4 + 4
    record_usage(answer, Usage(prompt_tokens=10, completion_tokens=50))
    assert estimate_tokens(answer) == 54
    assert estimate_tokens(Message.assistant("short")) == len("short") // 4 + 4  # another object


async def test_the_agent_records_usage_for_the_budget() -> None:
    usage = Usage(prompt_tokens=1, completion_tokens=1000)
    from locus.core.response import ModelResponse

    model = ScriptedModel([ModelResponse(Message.assistant("a"), usage), "b"])
    agent = Agent(model, history_processor=within_token_budget(500))
    first = await agent.arun("q1")
    await agent.arun("q2", message_history=first.all_messages())
    # the first answer counted 1000 tokens, so only the newest turn was sent
    assert texts(model.requests[-1].messages) == ["q2"]


# -- the property: random conversations, cut anywhere, never split a call from its result --


@st.composite
def conversations(draw: st.DrawFn) -> list[Message]:
    messages: list[Message] = []
    if draw(st.booleans()):
        messages.append(Message.system("sys"))
    ids = iter(range(10_000))
    for _ in range(draw(st.integers(0, 8))):
        messages.append(Message.user("u" * draw(st.integers(0, 80))))
        for _ in range(draw(st.integers(0, 3))):
            calls = [ToolCall(f"c{next(ids)}", "ping") for _ in range(draw(st.integers(1, 3)))]
            messages.append(Message.assistant(None, calls))
            messages += [Message.tool("r" * draw(st.integers(0, 60)), c.id) for c in calls]
        if draw(st.booleans()):
            messages.append(Message.assistant("a" * draw(st.integers(0, 80))))
    return messages


def check_kept(original: list[Message], kept: list[Message]) -> None:
    system = [m for m in original if m.role == "system"]
    assert kept[: len(system)] == system
    rest = kept[len(system) :]
    others = [m for m in original if m.role != "system"]
    # a suffix of the conversation ...
    assert rest == others[len(others) - len(rest) :]
    # ... that starts a turn (or is everything) ...
    assert not rest or rest == others or rest[0].role == "user"
    # ... in which every tool result has its call, and every call its results
    calls = {c.id for m in rest for c in m.tool_calls}
    results = {m.tool_call_id for m in rest if m.role == "tool"}
    assert calls == results
    # the newest turn is always there
    users = [i for i, m in enumerate(others) if m.role == "user"]
    if users:
        assert len(rest) >= len(others) - users[-1]


@settings(max_examples=200, deadline=None)
@given(conversations(), st.integers(1, 5))
def test_keep_last_turns_never_separates_calls_from_results(
    messages: list[Message], n: int
) -> None:
    kept = keep_last_turns(n)(messages)
    check_kept(messages, kept)
    turns = sum(m.role == "user" for m in kept)
    assert turns == min(n, sum(m.role == "user" for m in messages))


@settings(max_examples=200, deadline=None)
@given(conversations(), st.integers(1, 400))
def test_token_budget_never_separates_calls_from_results(
    messages: list[Message], budget: int
) -> None:
    kept = within_token_budget(budget)(messages)
    check_kept(messages, kept)
    cost = sum(estimate_tokens(m) for m in kept)
    users = [i for i, m in enumerate(kept) if m.role == "user"]
    if cost > budget and len(users) > 1:
        pytest.fail("over budget although an older turn could have been dropped")
