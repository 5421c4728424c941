"""A thread on a SQLite file, written by one Agent and continued by another, over real HTTP.

The emulator counts prompt tokens as the words it was sent, so the second agent's first
call shows whether the first conversation reached the model.
"""

from __future__ import annotations

from pathlib import Path

from locus.agent import Agent, keep_last_turns
from locus.tools.decorator import tool
from tests.integration.conftest import OCIModelFactory


@tool(name="add_two_numbers")
def add_two_numbers(a: int, b: int) -> int:
    """Return the sum of two integers."""
    return a + b


def words(texts: list[str]) -> int:
    return sum(len(text.split()) for text in texts)


async def test_a_second_agent_continues_a_sqlite_thread(
    oci_model: OCIModelFactory, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'threads.db'}"
    system = "You are a concise assistant."
    first = Agent(oci_model(), [add_two_numbers], system_prompt=system, thread_store=url)
    one = await first.arun("Add 7 and 35.", thread_id="ada")
    assert one.message == "The result of add_two_numbers is 42."
    await first.thread_store.aclose()  # type: ignore[attr-defined]

    second = Agent(oci_model(), [add_two_numbers], system_prompt=system, thread_store=url)
    fresh = await second.arun("Now add 1 and 2.")
    two = await second.arun("Now add 1 and 2.", thread_id="ada")
    assert two.message == "The result of add_two_numbers is 3."
    history_words = words([m.text for m in one.new_messages()])
    # both model calls of the second run (tool call, then answer) were sent the history
    assert two.metrics.prompt_tokens - fresh.metrics.prompt_tokens >= 2 * history_words

    stored = await second.thread_store.load("ada")
    assert [(m.role, m.text) for m in stored] == [
        (m.role, m.text) for m in one.new_messages() + two.new_messages()
    ]
    assert [m.role for m in stored] == ["user", "assistant", "tool", "assistant"] * 2
    assert two.all_messages() == stored
    await second.thread_store.aclose()  # type: ignore[attr-defined]


async def test_message_history_and_a_history_processor_over_http(
    oci_model: OCIModelFactory,
) -> None:
    agent = Agent(oci_model(), system_prompt="Be brief.")
    one = await agent.arun("What model are you?")
    with_history = await agent.arun("What model are you?", message_history=one.all_messages())
    trimmed = Agent(oci_model(), system_prompt="Be brief.", history_processor=keep_last_turns(1))
    without = await trimmed.arun("What model are you?", message_history=one.all_messages())
    assert with_history.usage.prompt_tokens > without.usage.prompt_tokens
    assert without.usage.prompt_tokens == one.usage.prompt_tokens
    assert without.all_messages()[:2] == one.all_messages()  # stored whole, sent trimmed
