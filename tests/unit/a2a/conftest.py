"""Real A2A peers on loopback: the ``a2a-sdk`` town agent, and ``locus serve``'s app
serving a Locus agent on a test model, with a token."""

from __future__ import annotations

import socket
from collections.abc import Iterator, Sequence
from typing import Any

import pytest

from locus.agent import Agent
from locus.core.errors import ModelError
from locus.core.messages import Message, ToolCall
from locus.core.toolspec import ToolSpec
from locus.serve import create_app
from locus.testing import FunctionModel
from locus.tools import tool
from tests.unit.a2a.peers import ServerThread, sdk_app

TOKEN = "peer-token-5f1c"
"""The token of the Locus peer (a test value, never a credential)."""


@tool(requires_approval=True)
def refund(order: str) -> str:
    """Refund an order."""
    return f"refunded {order}"


def helper(messages: Sequence[Message], tools: Sequence[ToolSpec]) -> Any:
    """The Locus peer's model: ``fail`` fails the run, ``refund`` asks to refund an
    order (a call needing approval); anything else is answered with how many user
    messages the conversation holds and the last one."""
    users = [m.text for m in messages if m.role == "user"]
    if messages[-1].role == "tool":
        return f"Done: {messages[-1].content}"
    if users[-1] == "fail":
        raise ModelError("the model is down for maintenance")
    if users[-1] == "refund":
        return ToolCall(id="r1", name="refund", arguments={"order": "E5"})
    return f"you said {len(users)} things; last: {users[-1]}"


@pytest.fixture(scope="module")
def town() -> Iterator[str]:
    """The base URL of the SDK's town agent (its card at the well-known path)."""
    with ServerThread(sdk_app) as server:
        yield server.url


@pytest.fixture(scope="module")
def locus_peer() -> Iterator[str]:
    """The base URL of a ``locus serve`` app with one agent, ``helper``, needing ``TOKEN``
    (its A2A agent is at ``<url>/a2a/helper``)."""
    agent = Agent(FunctionModel(helper), tools=[refund], name="helper", description="Helps.")
    with ServerThread(lambda url: create_app({"helper": agent}, token=TOKEN)) as server:
        yield server.url


@pytest.fixture
def closed_port() -> str:
    """A loopback URL where nothing listens (a port taken, then let go)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
