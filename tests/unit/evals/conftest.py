"""A weather agent on a ``FunctionModel``: it calls ``get_forecast`` for the city the prompt
ends with, then answers with the tool's result; a prompt about "Atlantis" breaks the model."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from locus.agent import Agent
from locus.core.errors import ModelError
from locus.core.messages import Message, ToolCall
from locus.core.toolspec import ToolSpec
from locus.testing import FunctionModel, Turn
from locus.tools import tool

FORECASTS = {"Paris": "Sunny", "Lisbon": "Windy", "Oslo": "Snowy"}


@tool
def get_forecast(city: str, days: int = 1) -> str:
    """Tell the weather forecast for a city."""
    return f"{FORECASTS.get(city, 'Rainy')} in {city} for {days} day(s)"


def forecaster(messages: Sequence[Message], tools: Sequence[ToolSpec]) -> Turn:
    last = messages[-1]
    if last.role == "tool":
        return f"Here you go: {last.text}."
    city = last.text.split()[-1].rstrip("?")
    if city == "Atlantis":
        return ModelError("the model is down")
    return ToolCall(f"call-{city}", "get_forecast", {"city": city})


def weather_agent() -> Agent:
    return Agent(FunctionModel(forecaster), tools=[get_forecast], name="weather")


@pytest.fixture
def agent() -> Agent:
    return weather_agent()
