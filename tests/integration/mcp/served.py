"""What the serve tests hand to ``locus mcp serve``: Locus tools, and an agent."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel

from locus.agent import Agent
from locus.core.messages import Message
from locus.core.toolspec import ToolSpec
from locus.testing import FunctionModel
from locus.tools import tool


class Address(BaseModel):
    city: str
    country: str


@tool
def ship(item: str, quantity: int, to: Address, speed: Literal["slow", "fast"] = "slow") -> str:
    """Ship items to an address.

    Args:
        item: what to ship
        quantity: how many
        to: where to
        speed: how fast
    """
    return f"{quantity} x {item} to {to.city}, {to.country} ({speed})"


@tool
def stock(item: str) -> dict[str, int]:
    """How many of an item are in stock.

    Args:
        item: the item
    """
    if item == "unicorn":
        raise LookupError("no such item")
    return {item: 12}


TOOLS = [ship, stock]


def _shout(messages: Sequence[Message], tools: Sequence[ToolSpec]) -> str:
    return (messages[-1].content or "").upper() + "!"


AGENT = Agent(FunctionModel(_shout), name="shouter")
