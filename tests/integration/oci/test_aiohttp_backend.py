"""OCIModel over ``AiohttpTransport`` against the emulator: signed calls, streams, retries."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from locus.core.errors import StreamError
from locus.core.messages import Message
from locus.emulator import Emulator
from locus.models.http import RetryPolicy
from locus.models.http.aiohttp_transport import AiohttpTransport
from locus.models.providers.oci import OCIModel
from tests.integration.conftest import OCIModelFactory
from tests.loopback import Server, relay_to

from .conftest import Recorder

COUNT = [Message.user("Count from 1 to 5, separated by commas.")]


def _aio(oci_model: OCIModelFactory, model_id: str, **options: Any) -> OCIModel:
    return oci_model(model_id, transport=AiohttpTransport(trust_env=False), **options)


async def _streamed_text(model: OCIModel) -> tuple[list[str], str]:
    deltas: list[str] = []
    final = ""
    async for event in model.stream(COUNT):
        if event.content:
            deltas.append(event.content)
        if event.done and event.response is not None:
            final = event.response.text
    return deltas, final


@pytest.mark.parametrize("style", ["native", "hermes", "cohere"])
async def test_dac_complete_and_stream(
    emu: Emulator, oci_model: OCIModelFactory, style: str
) -> None:
    endpoint = emu.endpoint(style=style)
    model = _aio(oci_model, endpoint["ocid"], api_format=endpoint["api_format"])
    assert (await model.complete(COUNT)).text == "1, 2, 3, 4, 5"
    deltas, final = await _streamed_text(model)
    assert "".join(deltas) == final == "1, 2, 3, 4, 5" and len(deltas) > 1


async def test_on_demand_complete_and_stream(oci_model: OCIModelFactory) -> None:
    model = _aio(oci_model, "meta.llama-3.3-70b-instruct")
    reply = await model.complete(COUNT)
    assert reply.text == "1, 2, 3, 4, 5" and reply.request_id
    deltas, final = await _streamed_text(model)
    assert "".join(deltas) == final == reply.text


async def test_429_and_503_are_retried_through_the_transport(
    emu: Emulator, oci_model: OCIModelFactory
) -> None:
    ocid = emu.endpoint(style="native")["ocid"]
    emu.set_faults(["429", "503"], target=ocid)
    sleep = Recorder()
    model = _aio(oci_model, ocid, retry_policy=RetryPolicy(base_delay=0.01, sleep=sleep))
    assert (await model.complete(COUNT)).text == "1, 2, 3, 4, 5"
    assert len(sleep.waits) == 2
    assert emu.fired_faults == {"429": 1, "503": 1}


async def test_stream_faults_map_to_locus_errors(emu: Emulator, oci_model: OCIModelFactory) -> None:
    ocid = emu.endpoint(style="native")["ocid"]
    model = _aio(oci_model, ocid)
    emu.set_faults(["reset_before"], target=ocid)
    assert (await _streamed_text(model))[1] == "1, 2, 3, 4, 5"
    emu.set_faults(["reset_during"], target=ocid)
    with pytest.raises(StreamError):
        await _streamed_text(model)
    assert emu.fired_faults == {"reset_before": 1, "reset_during": 1}


async def test_slow_first_byte_is_a_read_timeout_then_retried(
    emu: Emulator, oci_model: OCIModelFactory
) -> None:
    ocid = emu.endpoint(style="native")["ocid"]
    emu.set_faults(["slow_first_byte"], target=ocid)
    model = _aio(oci_model, ocid, timeout=0.3)
    assert (await model.complete(COUNT)).text == "1, 2, 3, 4, 5"
    assert emu.fired_faults == {"slow_first_byte": 1}


@pytest.fixture
async def relay(emu: Emulator) -> AsyncIterator[Server]:
    """A TCP relay in front of the emulator that counts the connections it carries."""
    async with Server(relay_to(emu.service_endpoint)) as running:
        yield running


async def test_keep_alive_one_connection_for_many_calls(
    emu: Emulator, relay: Server, oci_model: OCIModelFactory
) -> None:
    model = _through(emu, relay, oci_model)
    async with model:
        for _ in range(3):
            assert (await model.complete(COUNT)).text == "1, 2, 3, 4, 5"
        assert (await _streamed_text(model))[1] == "1, 2, 3, 4, 5"
        assert (await model.complete(COUNT)).text == "1, 2, 3, 4, 5"
    assert relay.connections == 1


async def test_streams_read_to_the_end_keep_their_connection(
    emu: Emulator, relay: Server, oci_model: OCIModelFactory
) -> None:
    """A finished stream's body has all arrived: it goes back to the pool with no drain wait."""
    model = _through(emu, relay, oci_model)
    async with model:
        for _ in range(3):
            assert (await _streamed_text(model))[1] == "1, 2, 3, 4, 5"
    assert relay.connections == 1


@pytest.mark.slow  # the emulator's shutdown waits ~2 s for the held connection
async def test_a_stream_held_open_ends_on_time_and_drops_its_connection(
    emu: Emulator, relay: Server, oci_model: OCIModelFactory
) -> None:
    emu.configure(done_marker=True, hold_open=5.0)
    model = _through(emu, relay, oci_model)
    async with model:
        started = time.monotonic()
        assert (await _streamed_text(model))[1] == "1, 2, 3, 4, 5"
        assert time.monotonic() - started < 2.5, "the client does not wait for the hang-up"
        emu.configure(done_marker=False, hold_open=0.0)
        assert (await _streamed_text(model))[1] == "1, 2, 3, 4, 5"
    assert relay.connections == 2  # the held one was closed, not returned to the pool


def _through(emu: Emulator, relay: Server, oci_model: OCIModelFactory) -> OCIModel:
    """A DAC model on the aiohttp backend that reaches the emulator through ``relay``."""
    ocid = emu.endpoint(style="native")["ocid"]
    return oci_model(ocid, service_endpoint=relay.url, transport=AiohttpTransport(trust_env=False))
