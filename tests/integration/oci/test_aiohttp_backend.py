"""OCIModel over ``AiohttpTransport`` against the emulator: signed calls, streams, retries."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from locus.core.errors import StreamError
from locus.core.messages import Message
from locus.emulator import Emulator
from locus.models.http import RetryPolicy
from locus.models.http.aiohttp_transport import AiohttpTransport
from locus.models.providers.oci import OCIAuthType, OCIModel
from tests.loopback import Server, relay_to

from .conftest import Recorder

COUNT = [Message.user("Count from 1 to 5, separated by commas.")]
Build = Callable[..., OCIModel]


def _aio(native: Build, model_id: str, **options: Any) -> OCIModel:
    return native(model_id, transport=AiohttpTransport(trust_env=False), **options)


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
async def test_dac_complete_and_stream(emu: Emulator, native: Build, style: str) -> None:
    endpoint = emu.endpoint(style=style)
    model = _aio(native, endpoint["ocid"], api_format=endpoint["api_format"])
    assert (await model.complete(COUNT)).text == "1, 2, 3, 4, 5"
    deltas, final = await _streamed_text(model)
    assert "".join(deltas) == final == "1, 2, 3, 4, 5" and len(deltas) > 1


async def test_on_demand_complete_and_stream(native: Build) -> None:
    model = _aio(native, "meta.llama-3.3-70b-instruct")
    reply = await model.complete(COUNT)
    assert reply.text == "1, 2, 3, 4, 5" and reply.request_id
    deltas, final = await _streamed_text(model)
    assert "".join(deltas) == final == reply.text


async def test_429_and_503_are_retried_through_the_transport(emu: Emulator, native: Build) -> None:
    ocid = emu.endpoint(style="native")["ocid"]
    emu.set_faults(["429", "503"], target=ocid)
    sleep = Recorder()
    model = _aio(native, ocid, retry_policy=RetryPolicy(base_delay=0.01, sleep=sleep))
    assert (await model.complete(COUNT)).text == "1, 2, 3, 4, 5"
    assert len(sleep.waits) == 2


async def test_stream_faults_map_to_locus_errors(emu: Emulator, native: Build) -> None:
    ocid = emu.endpoint(style="native")["ocid"]
    model = _aio(native, ocid)
    emu.set_faults(["reset_before"], target=ocid)
    assert (await _streamed_text(model))[1] == "1, 2, 3, 4, 5"
    emu.set_faults(["reset_during"], target=ocid)
    with pytest.raises(StreamError):
        await _streamed_text(model)


async def test_slow_first_byte_is_a_read_timeout_then_retried(emu: Emulator, native: Build) -> None:
    ocid = emu.endpoint(style="native")["ocid"]
    emu.set_faults(["slow_first_byte"], target=ocid)
    model = _aio(native, ocid, timeout=0.3)
    assert (await model.complete(COUNT)).text == "1, 2, 3, 4, 5"


@pytest.fixture
async def relay(emu: Emulator) -> AsyncIterator[Server]:
    """A TCP relay in front of the emulator that counts the connections it carries."""
    async with Server(relay_to(emu.service_endpoint)) as running:
        yield running


async def test_keep_alive_one_connection_for_many_calls(emu: Emulator, relay: Server) -> None:
    model = _through(emu, relay)
    async with model:
        for _ in range(3):
            assert (await model.complete(COUNT)).text == "1, 2, 3, 4, 5"
        assert (await _streamed_text(model))[1] == "1, 2, 3, 4, 5"
        assert (await model.complete(COUNT)).text == "1, 2, 3, 4, 5"
    assert relay.connections == 1


async def test_streams_read_to_the_end_keep_their_connection(emu: Emulator, relay: Server) -> None:
    """A finished stream's body has all arrived: it goes back to the pool with no drain wait."""
    model = _through(emu, relay)
    async with model:
        for _ in range(3):
            assert (await _streamed_text(model))[1] == "1, 2, 3, 4, 5"
    assert relay.connections == 1


@pytest.mark.slow  # the emulator's shutdown waits ~2 s for the held connection
async def test_a_stream_held_open_ends_on_time_and_drops_its_connection(
    emu: Emulator, relay: Server
) -> None:
    emu.configure(done_marker=True, hold_open=5.0)
    model = _through(emu, relay)
    async with model:
        started = time.monotonic()
        assert (await _streamed_text(model))[1] == "1, 2, 3, 4, 5"
        assert time.monotonic() - started < 2.5, "the client does not wait for the hang-up"
        emu.configure(done_marker=False, hold_open=0.0)
        assert (await _streamed_text(model))[1] == "1, 2, 3, 4, 5"
    assert relay.connections == 2  # the held one was closed, not returned to the pool


def _through(emu: Emulator, relay: Server) -> OCIModel:
    """A DAC model on the aiohttp backend that reaches the emulator through ``relay``."""
    return OCIModel(
        model_id=emu.endpoint(style="native")["ocid"],
        profile_name=emu.profile,
        config_file=emu.config_file,
        auth_type=OCIAuthType.API_KEY,
        service_endpoint=relay.url,
        compartment_id=emu.compartment_id,
        transport=AiohttpTransport(trust_env=False),
    )
