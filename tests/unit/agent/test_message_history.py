"""message_history= in, new_messages()/all_messages() out, and exactly one system message."""

from __future__ import annotations

import pytest

from locus.agent import Agent
from locus.core.errors import ConfigurationError
from locus.core.messages import Message, ToolCall
from locus.testing import ScriptedModel
from locus.tools import tool


@tool
def lookup(city: str) -> str:
    """Look a city up."""
    return f"{city}: 9 million people"


def roles_and_texts(messages: list[Message]) -> list[tuple[str, str]]:
    return [(m.role, m.text) for m in messages]


async def test_history_in_and_out_round_trips_without_the_system_prompt() -> None:
    model = ScriptedModel([ToolCall("c1", "lookup", {"city": "London"}), "About 9M.", "Yes."])
    agent = Agent(model, [lookup], system_prompt="sys")
    first = await agent.arun("How big is London?")
    assert roles_and_texts(first.new_messages()) == [
        ("user", "How big is London?"),
        ("assistant", ""),
        ("tool", "London: 9 million people"),
        ("assistant", "About 9M."),
    ]
    assert first.all_messages() == first.new_messages()
    assert first.messages[0].role == "system"

    second = await agent.arun("Is that a lot?", message_history=first.all_messages())
    sent = model.requests[-1].messages
    assert roles_and_texts(sent) == [
        ("system", "sys"),
        *roles_and_texts(first.all_messages()),
        ("user", "Is that a lot?"),
    ]
    assert roles_and_texts(second.new_messages()) == [
        ("user", "Is that a lot?"),
        ("assistant", "Yes."),
    ]
    assert second.all_messages() == first.all_messages() + second.new_messages()
    assert all(m.role != "system" for m in second.all_messages())


async def test_the_agents_system_prompt_replaces_one_in_the_history() -> None:
    model = ScriptedModel(["ok"])
    agent = Agent(model, system_prompt="mine")
    history = [Message.system("theirs"), Message.user("hi"), Message.assistant("hello")]
    result = await agent.arun("again", message_history=history)
    sent = model.requests[0].messages
    assert [m.text for m in sent if m.role == "system"] == ["mine"]
    assert sent[0].role == "system"
    assert roles_and_texts(result.all_messages()) == [
        ("user", "hi"),
        ("assistant", "hello"),
        ("user", "again"),
        ("assistant", "ok"),
    ]


async def test_without_a_system_prompt_the_historys_first_one_is_kept_once() -> None:
    model = ScriptedModel(["ok"])
    history = [
        Message.user("hi"),
        Message.system("theirs"),
        Message.system("second"),
        Message.assistant("hello"),
    ]
    result = await Agent(model).arun("again", message_history=history)
    sent = model.requests[0].messages
    assert roles_and_texts(sent) == [
        ("system", "theirs"),
        ("user", "hi"),
        ("assistant", "hello"),
        ("user", "again"),
    ]
    # it is the caller's message, so it stays in all_messages() for the next round trip
    assert result.all_messages()[0].text == "theirs"
    assert roles_and_texts(result.new_messages()) == [("user", "again"), ("assistant", "ok")]


def test_run_sync_takes_message_history() -> None:
    model = ScriptedModel(["second"])
    history = [Message.user("first"), Message.assistant("one")]
    result = Agent(model).run_sync("next", message_history=history)
    assert [m.text for m in model.requests[0].messages] == ["first", "one", "next"]
    assert [m.text for m in result.all_messages()] == ["first", "one", "next", "second"]


async def test_the_callers_history_list_is_not_changed() -> None:
    history = [Message.user("first"), Message.assistant("one")]
    await Agent(ScriptedModel(["two"])).arun("next", message_history=history)
    assert [m.text for m in history] == ["first", "one"]


async def test_message_history_with_thread_id_is_a_configuration_error() -> None:
    agent = Agent(ScriptedModel(["never"]))
    with pytest.raises(ConfigurationError, match="a thread already is the history"):
        await agent.arun("x", thread_id="t", message_history=[Message.user("a")])


@pytest.mark.parametrize(
    ("history", "says"),
    [
        ("hello", "list of Message"),
        (Message.user("a"), "list of Message"),
        ([Message.user("a"), {"role": "user"}], "found dict"),
    ],
)
async def test_bad_message_history_says_what_is_accepted(history: object, says: str) -> None:
    with pytest.raises(ConfigurationError, match=says):
        await Agent(ScriptedModel(["never"])).arun("x", message_history=history)  # type: ignore[call-overload]


async def test_a_thread_run_has_new_and_all_messages_too() -> None:
    agent = Agent(ScriptedModel(["a", "b"]), system_prompt="sys")
    await agent.arun("one", thread_id="t")
    second = await agent.arun("two", thread_id="t")
    assert [m.text for m in second.all_messages()] == ["one", "a", "two", "b"]
    assert [m.text for m in second.new_messages()] == ["two", "b"]
