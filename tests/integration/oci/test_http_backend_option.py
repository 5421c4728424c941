"""The ``http_backend`` option: aiohttp by default ("auto"), httpx on request, checked."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import httpx
import pytest

from locus.core.errors import ConfigurationError
from locus.core.messages import Message
from locus.emulator import Emulator
from locus.models.http.aiohttp_transport import AiohttpTransport
from locus.models.providers.oci import OCIModel
from tests.integration.conftest import OCIModelFactory

COUNT = [Message.user("Count from 1 to 5, separated by commas.")]


def _transport_of(model: OCIModel) -> object:
    client = model.http_client
    assert client is not None
    transport = client._transport  # httpx keeps the transport it was given here
    return getattr(transport, "inner", transport)  # a shared pool's handle: the pool


async def test_the_default_backend_is_aiohttp(emu: Emulator, oci_model: OCIModelFactory) -> None:
    model = oci_model(emu.endpoint(style="native")["ocid"])
    assert model.http_backend == "aiohttp"
    assert (await model.complete(COUNT)).text == "1, 2, 3, 4, 5"
    assert isinstance(_transport_of(model), AiohttpTransport)


async def test_httpx_stays_selectable(emu: Emulator, oci_model: OCIModelFactory) -> None:
    model = oci_model(emu.endpoint(style="native")["ocid"], http_backend="httpx")
    assert model.http_backend == "httpx"
    assert (await model.complete(COUNT)).text == "1, 2, 3, 4, 5"
    assert isinstance(_transport_of(model), httpx.AsyncHTTPTransport)


async def test_a_given_transport_means_httpx(emu: Emulator, oci_model: OCIModelFactory) -> None:
    given = httpx.AsyncHTTPTransport()
    model = oci_model(emu.endpoint(style="native")["ocid"], transport=given)
    assert model.http_backend == "httpx"
    assert (await model.complete(COUNT)).text == "1, 2, 3, 4, 5"
    assert _transport_of(model) is given
    await model.aclose()


@pytest.mark.parametrize("backend", ["aiohttp", "auto"])
async def test_aiohttp_backend_carries_signed_calls_and_streams(
    emu: Emulator, oci_model: OCIModelFactory, backend: str
) -> None:
    model = oci_model(emu.endpoint(style="native")["ocid"], http_backend=backend)
    assert model.http_backend == "aiohttp"  # aiohttp is installed with the dev extra
    assert (await model.complete(COUNT)).text == "1, 2, 3, 4, 5"
    deltas = [e.content async for e in model.stream(COUNT) if e.content]
    assert "".join(deltas) == "1, 2, 3, 4, 5" and len(deltas) > 1
    assert isinstance(_transport_of(model), AiohttpTransport)


async def test_the_aiohttp_backend_follows_the_model_across_event_loops(
    emu: Emulator, oci_model: OCIModelFactory
) -> None:
    model = oci_model(emu.endpoint(style="native")["ocid"], http_backend="aiohttp")
    assert (await model.complete(COUNT)).text == "1, 2, 3, 4, 5"
    in_thread = await asyncio.to_thread(model.complete_sync, COUNT)  # its own event loop
    assert in_thread.text == "1, 2, 3, 4, 5"
    assert (await model.complete(COUNT)).text == "1, 2, 3, 4, 5"
    assert isinstance(_transport_of(model), AiohttpTransport)


def test_bad_backend_values_are_refused(emu: Emulator, oci_model: OCIModelFactory) -> None:
    ocid = emu.endpoint(style="native")["ocid"]
    with pytest.raises(ConfigurationError, match="'auto', 'httpx' or 'aiohttp'"):
        oci_model(ocid, http_backend="requests")
    with pytest.raises(ConfigurationError, match="either transport= or http_backend"):
        oci_model(ocid, http_backend="aiohttp", transport=httpx.AsyncHTTPTransport())


def test_aiohttp_missing_names_the_extra_and_auto_falls_back() -> None:
    script = """
import sys
sys.modules["aiohttp"] = None  # as if it were not installed
from locus.core.errors import ConfigurationError
from locus.models.openai_compatible import OpenAICompatibleModel as Model
where = {"base_url": "http://127.0.0.1:9/v1", "api_key": "k"}
print(Model("m", http_backend="auto", **where).http_backend)
try:
    Model("m", http_backend="aiohttp", **where)
except ConfigurationError as exc:
    print(exc)
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    lines = done.stdout.splitlines()
    assert lines[0] == "httpx"
    assert "pip install aiohttp" in lines[1]
