"""Agents on test models, and an in-process client for the serve app (no sockets)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from locus.agent import Agent
from locus.core.messages import Message, ToolCall
from locus.core.toolspec import ToolSpec
from locus.serve import create_app
from locus.testing import FunctionModel
from locus.tools import tool


@tool
def add_two_numbers(a: int, b: int) -> int:
    """Return the sum of two integers."""
    return a + b


def adder(messages: list[Message], tools: list[ToolSpec]) -> Any:
    """Calls add_two_numbers once, then states the result."""
    last = messages[-1]
    if last.role == "tool":
        return f"The sum is {last.content}."
    return ToolCall(id="call-1", name="add_two_numbers", arguments={"a": 7, "b": 35})


def adding_agent() -> Agent:
    return Agent(FunctionModel(adder), tools=[add_two_numbers], system_prompt="Add.")


AppClient = Callable[..., httpx.AsyncClient]


@pytest.fixture
async def client() -> AsyncIterator[AppClient]:
    """``client(app, host="127.0.0.1")``: an httpx client calling ``app`` in process."""
    opened: list[httpx.AsyncClient] = []

    def make(app: Starlette, host: str = "127.0.0.1", **headers: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, client=(host, 50000))
        base = "http://127.0.0.1:8000"  # (auth off: a loopback host, as a browser names it)
        made = httpx.AsyncClient(transport=transport, base_url=base, headers=headers)
        opened.append(made)
        return made

    yield make
    for made in opened:
        await made.aclose()


@pytest.fixture
def app() -> Starlette:
    return create_app({"adder": adding_agent()})
