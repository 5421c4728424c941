"""``FallbackModel`` against the emulator: a DAC endpoint that fails (503, 429, a reset, a
closed port) hands the call to an on-demand model, whole and streamed and in an agent run;
a stream that broke after its first event, and a 400, are raised as they are; when every
model fails, ``FallbackError`` holds each error."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from locus.agent import Agent
from locus.core.errors import (
    BadRequestError,
    ConfigurationError,
    ConnectError,
    FallbackError,
    RateLimitError,
    ServerError,
    StreamError,
)
from locus.core.messages import Message
from locus.emulator import Emulator
from locus.models import FallbackModel
from locus.models.fallback import FALL_BACK_ON
from locus.testing import FunctionModel
from locus.tools import tool
from tests.integration.conftest import ON_DEMAND, OCIModelFactory

HI = [Message.user("Count from 1 to 5, separated by commas.")]


@tool
def add_two_numbers(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


def _dac(emu: Emulator) -> str:
    return str(emu.endpoint("native")["ocid"])


def _pair(emu: Emulator, oci_model: OCIModelFactory, **options: Any) -> FallbackModel:
    """The emulator's native DAC endpoint (no retries of its own), then an on-demand model."""
    dac = oci_model(_dac(emu), max_retries=0)
    return FallbackModel(dac, oci_model(ON_DEMAND), **options)


def _closed_port() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.mark.parametrize("fault", ["503", "429", "reset_before"])
async def test_a_failing_dac_hands_the_call_to_the_next_model(
    emu: Emulator,
    oci_model: OCIModelFactory,
    caplog: pytest.LogCaptureFixture,
    fault: str,
) -> None:
    model = _pair(emu, oci_model)
    emu.set_faults([fault], target=_dac(emu))
    answer = await model.complete(HI)
    assert answer.text == "1, 2, 3, 4, 5" and answer.model_id == ON_DEMAND
    assert emu.fired_faults == {fault: 1}
    warned = [r.getMessage() for r in caplog.records if r.name == "locus.models"]
    assert len(warned) == 1 and f"falling back to {ON_DEMAND}" in warned[0]


async def test_a_stream_falls_back_before_its_first_event(
    emu: Emulator, oci_model: OCIModelFactory
) -> None:
    model = _pair(emu, oci_model)
    emu.set_faults(["503"], target=_dac(emu))
    events = [event async for event in model.stream(HI)]
    assert "".join(e.content or "" for e in events) == "1, 2, 3, 4, 5"
    final = events[-1]
    assert final.done and final.response is not None
    assert final.response.model_id == ON_DEMAND


async def test_a_stream_that_broke_after_its_first_event_is_raised_not_restarted(
    emu: Emulator, oci_model: OCIModelFactory
) -> None:
    model = _pair(emu, oci_model)
    emu.set_faults(["reset_during"], target=_dac(emu))
    shown: list[str] = []
    with pytest.raises(StreamError):
        async for event in model.stream(HI):
            shown.append(event.content or "")
    assert shown and "".join(shown) != "1, 2, 3, 4, 5"  # the DAC's part, never restarted
    assert emu.fired_faults == {"reset_during": 1}


async def test_an_agent_runs_its_tool_call_on_the_fallback(
    emu: Emulator, oci_model: OCIModelFactory
) -> None:
    dac = oci_model(_dac(emu), service_endpoint=_closed_port(), max_retries=0)
    agent = Agent(FallbackModel(dac, oci_model(ON_DEMAND)), tools=[add_two_numbers])
    result = await agent.arun("Use add_two_numbers to add 7 and 35.")
    assert result.message == "The result of add_two_numbers is 42."
    assert result.metrics.tool_calls == 1
    assert agent.model.model_id == f"fallback:{dac.model_id},{ON_DEMAND}"


async def test_a_bad_request_is_raised_as_it_is(emu: Emulator) -> None:
    calls: list[str] = []

    def refused(messages: list[Message], tools: object) -> str:
        calls.append("first")
        raise BadRequestError("400 InvalidParameter: bad field", status=400)

    def second(messages: list[Message], tools: object) -> str:
        calls.append("second")
        return "never"

    model = FallbackModel(FunctionModel(refused), FunctionModel(second, model_id="second"))
    with pytest.raises(BadRequestError, match="bad field"):
        await model.complete(HI)
    with pytest.raises(BadRequestError):
        _ = [event async for event in model.stream(HI)]
    assert calls == ["first", "first"]


async def test_when_every_model_fails_each_error_is_kept(
    emu: Emulator, oci_model: OCIModelFactory
) -> None:
    dac = oci_model(_dac(emu), max_retries=0)
    on_demand = oci_model(ON_DEMAND, max_retries=0)
    model = FallbackModel(dac, on_demand)
    emu.set_faults(["503"], target=_dac(emu))
    emu.set_faults(["429"], target=ON_DEMAND)
    with pytest.raises(FallbackError) as caught:
        await model.complete(HI)
    first, second = caught.value.errors
    assert isinstance(first, ServerError) and isinstance(second, RateLimitError)
    assert caught.value.__cause__ is second
    assert f"{dac.model_id}: ServerError" in str(caught.value)
    assert f"{ON_DEMAND}: RateLimitError" in str(caught.value)


async def test_a_later_error_that_does_not_fall_back_notes_the_earlier_one(
    oci_model: OCIModelFactory,
) -> None:
    dead = oci_model(ON_DEMAND, service_endpoint=_closed_port(), max_retries=0)

    def refused(messages: list[Message], tools: object) -> str:
        raise BadRequestError("400 InvalidParameter: bad field", status=400)

    model = FallbackModel(dead, FunctionModel(refused))
    with pytest.raises(BadRequestError) as caught:
        await model.complete(HI)
    assert any("ConnectError" in note for note in caught.value.__notes__)


async def test_fall_back_on_may_be_a_function(oci_model: OCIModelFactory) -> None:
    dead = oci_model(ON_DEMAND, service_endpoint=_closed_port(), max_retries=0)
    backup = FunctionModel(lambda messages, tools: "from the backup", model_id="backup")
    never = FallbackModel(dead, backup, fall_back_on=lambda exc: False)
    with pytest.raises(ConnectError):
        await never.complete(HI)
    always = FallbackModel(dead, backup, fall_back_on=lambda exc: True)
    assert (await always.complete(HI)).text == "from the backup"


def test_bad_settings_are_refused() -> None:
    echo = FunctionModel(lambda messages, tools: "hi")
    with pytest.raises(ConfigurationError, match="at least one fallback"):
        FallbackModel(echo)
    with pytest.raises(ConfigurationError, match="takes models"):
        FallbackModel(echo, 42)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="fall_back_on"):
        FallbackModel(echo, echo, fall_back_on=("503",))  # type: ignore[arg-type]
    assert issubclass(ConnectError, FALL_BACK_ON) and not issubclass(BadRequestError, FALL_BACK_ON)
    model = FallbackModel("mock:echo", echo)
    assert model.model_id == "fallback:echo,function"


async def test_aclose_and_prepare_reach_every_model(
    emu: Emulator, oci_model: OCIModelFactory
) -> None:
    first, second = oci_model(_dac(emu)), oci_model(ON_DEMAND)
    model = FallbackModel(first, second)
    await model.prepare()
    assert first.http_client is not None and second.http_client is not None
    await model.aclose()
    assert first.http_client is None and second.http_client is None
