"""Remote agents over A2A (the Agent2Agent protocol 1.0, its JSON-RPC binding): a Locus
agent calls an agent another team runs, in any framework, as a tool.

::

    from locus.a2a import RemoteAgent

    support = RemoteAgent("https://agents.example.com/a2a/support", token="...")
    agent = Agent(model, tools=[support.as_tool()])

``RemoteAgent(url)`` reads the agent's card (``url`` is the card's URL, or a base URL
under which ``/.well-known/agent-card.json`` is), ``await remote.send(text)`` sends a
message and returns the ``RemoteAnswer``, ``remote.stream(text)`` yields its text as it
comes, and ``remote.as_tool()`` makes it a tool. Not imported by ``import locus``.
"""

from locus.a2a._card import AgentCard, Skill
from locus.a2a._client import RemoteAgent
from locus.a2a._errors import (
    A2AError,
    AgentCardError,
    InputRequiredError,
    RemoteRPCError,
    RemoteTaskError,
)
from locus.a2a._stream import RemoteStream
from locus.a2a._wire import RemoteAnswer

__all__ = [
    "A2AError",
    "AgentCard",
    "AgentCardError",
    "InputRequiredError",
    "RemoteAgent",
    "RemoteAnswer",
    "RemoteRPCError",
    "RemoteStream",
    "RemoteTaskError",
    "Skill",
]
