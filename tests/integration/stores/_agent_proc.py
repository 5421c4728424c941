"""Agents in a second process: ``python -m tests.integration.stores._agent_proc URL THREAD NAME N``.

N runs of an agent on THREAD of the store at URL. Its model (a ``FunctionModel``) calls
the ``step`` tool once per run, then answers ``"NAME:i saw K"`` where K is how many
messages of history the model was given (system prompt and this run's own excluded).
"""

from __future__ import annotations

import sys

from locus import Agent, tool
from locus.core.messages import Message, ToolCall
from locus.stores import open_thread_store
from locus.testing import FunctionModel


@tool
def step() -> str:
    """Take one step."""
    return "stepped"


def answer(messages: list[Message], _tools: object) -> str | ToolCall:
    last = messages[-1]
    prompt = next(m for m in reversed(messages) if m.role == "user")
    if last.role == "user":
        return ToolCall(id=f"{last.content}-call", name="step", arguments={})
    history = [m for m in messages if m.role != "system"][:-3]
    return f"{prompt.content} saw {len(history)}"


def main(url: str, thread_id: str, name: str, count: int) -> None:
    store = open_thread_store(url)
    agent = Agent(
        FunctionModel(answer), system_prompt="Be brief.", tools=[step], thread_store=store
    )
    for i in range(count):
        result = agent.run_sync(f"{name}:{i}", thread_id=thread_id, timeout=60)
        print(result.message, flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
