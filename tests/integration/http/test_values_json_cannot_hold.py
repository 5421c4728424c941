"""Numbers JSON has no spelling for (``NaN``, ``Infinity``), on the emulator over real HTTP.

``json.dumps`` writes them as ``NaN``/``Infinity``, which is not JSON: OCI's service refuses
such a body with HTTP 400, so a tool whose parameter defaults to ``math.nan`` made every
call of its agent fail with an error that named nothing of the user's. Now the call is
refused before anything is sent, naming where the number is; a generation setting is
refused where it is given.
"""

from __future__ import annotations

import math

import pytest

from locus.agent import Agent
from locus.core.errors import ConfigurationError
from locus.core.messages import Message
from locus.emulator import Emulator
from locus.tools import tool
from tests.integration.conftest import OCIModelFactory

HI = [Message.user("hi")]


@tool
def scale(value: float, factor: float = math.nan) -> float:
    """Scale a value (a factor of NaN means: the default)."""
    return value if math.isnan(factor) else value * factor


@pytest.mark.parametrize("backend", ["httpx", "aiohttp"])
async def test_a_tool_schema_holding_nan_is_named_and_nothing_is_sent(
    emu: Emulator, oci_model: OCIModelFactory, backend: str
) -> None:
    model = oci_model(http_backend=backend)
    before = len(emu.requests)
    with pytest.raises(ConfigurationError) as caught:
        await model.complete(HI, tools=[scale])
    said = str(caught.value)
    assert "tools['scale'].parameters['properties']['factor']['default']" in said
    assert "not a finite number" in said and "JSON has no NaN" in said
    with pytest.raises(ConfigurationError, match=r"tools\['scale'\]"):
        async for _ in model.stream(HI, tools=[scale]):
            pass
    assert len(emu.requests) == before  # refused before sending: nothing reached it
    assert (await model.complete(HI)).text  # the model is still usable


async def test_an_agent_run_fails_at_once_with_the_same_words(
    emu: Emulator, oci_model: OCIModelFactory
) -> None:
    agent = Agent(oci_model(), tools=[scale])
    before = len(emu.requests)
    with pytest.raises(ConfigurationError, match=r"factor'\]\['default'\] is not a finite"):
        await agent.arun("scale 2 by the default")
    assert len(emu.requests) == before


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
async def test_a_generation_setting_json_cannot_hold_is_refused_where_given(
    oci_model: OCIModelFactory, value: float
) -> None:
    with pytest.raises(ConfigurationError, match="temperature must be a finite number"):
        oci_model(temperature=value)
    model = oci_model()
    with pytest.raises(ConfigurationError, match="top_p must be a finite number"):
        await model.complete(HI, top_p=value)
