"""Models of one event loop that post to one origin share one aiohttp pool."""

from __future__ import annotations

import asyncio
import gc

import pytest

from locus.core.messages import Message
from locus.emulator import Emulator
from locus.models.http._pools import Borrowed, origin_of
from locus.models.http.aiohttp_transport import AiohttpTransport
from locus.models.providers.oci import OCIAuthType, OCIModel
from tests.integration.conftest import OCIModelFactory
from tests.integration.reliability._soak import pool_state

HI = [Message.user("hi")]


def _pool(model: OCIModel) -> AiohttpTransport:
    client = model.http_client
    assert client is not None
    borrowed = client._transport
    assert isinstance(borrowed, Borrowed)
    return borrowed.inner


def _open(pool: AiohttpTransport) -> bool:
    return pool._session is not None and not pool._session.closed


def test_origins_are_scheme_host_and_port() -> None:
    assert (
        origin_of("https://Inference.Example.com/20231130") == "https://inference.example.com:443"
    )
    assert origin_of("http://127.0.0.1:8080/openai/v1") == "http://127.0.0.1:8080"
    assert origin_of("http://h/") == "http://h:80"


async def test_models_on_one_origin_share_a_pool(oci_model: OCIModelFactory) -> None:
    first, second = oci_model(), oci_model()
    await first.complete(HI)
    await second.complete(HI)
    assert first.http_client is not second.http_client  # each keeps its own timeout
    assert _pool(first) is _pool(second)
    assert first.http_client is not None
    assert pool_state(first.http_client)[0] == 1  # the second reused the first's connection


async def test_other_limits_make_another_pool(oci_model: OCIModelFactory) -> None:
    first, capped, on_httpx = (
        oci_model(),
        oci_model(max_connections=3),
        oci_model(http_backend="httpx"),
    )
    for model in (first, capped, on_httpx):
        await model.complete(HI)
    assert _pool(first) is not _pool(capped)
    assert on_httpx.http_client is not None
    assert not isinstance(on_httpx.http_client._transport, Borrowed)


async def test_closing_a_model_keeps_the_pool_another_model_holds(
    oci_model: OCIModelFactory,
) -> None:
    kept, closed = oci_model(), oci_model()
    await kept.complete(HI)
    await closed.complete(HI)
    pool = _pool(kept)
    client = closed.http_client
    assert client is not None
    await closed.aclose()
    assert closed.http_client is None and client.is_closed
    assert _open(pool)
    assert (await kept.complete(HI)).text
    await kept.aclose()
    assert not _open(pool), "the last model's aclose() closes the pool"


async def test_a_model_per_request_reuses_the_pool(oci_model: OCIModelFactory) -> None:
    holder = oci_model()
    await holder.complete(HI)
    pool = _pool(holder)
    for _ in range(3):
        model = oci_model()
        await model.complete(HI)
        assert _pool(model) is pool
        await model.aclose()
    assert holder.http_client is not None and pool_state(holder.http_client)[0] == 1
    assert _open(pool)


async def test_a_model_let_go_leaves_its_pool_to_the_next(
    emu: Emulator, oci_model_defaults: dict[str, object]
) -> None:
    def build() -> OCIModel:
        return OCIModel(
            "meta.llama-3.3-70b-instruct",
            service_endpoint=emu.service_endpoint,
            compartment_id=emu.compartment_id,
            **oci_model_defaults,  # type: ignore[arg-type]
        )

    model = build()
    await model.complete(HI)
    pool = _pool(model)
    del model
    gc.collect()
    await asyncio.sleep(0.01)  # the dropped client's closing runs
    assert _open(pool)
    again = build()
    await again.complete(HI)
    assert _pool(again) is pool
    await again.aclose()
    assert not _open(pool)


def test_the_pool_closes_with_its_loop(emu: Emulator) -> None:
    model = OCIModel(
        emu.endpoint(style="native")["ocid"],
        compartment_id=emu.compartment_id,
        profile_name=emu.profile,
        config_file=emu.config_file,
        auth_type=OCIAuthType.API_KEY,
        service_endpoint=emu.service_endpoint,
    )
    pools: list[AiohttpTransport] = []

    async def call() -> None:
        await model.complete(HI)
        pools.append(_pool(model))

    asyncio.run(call())
    asyncio.run(call())
    assert pools[0] is not pools[1], "a pool per event loop"
    assert not _open(pools[0]) and not _open(pools[1])


@pytest.mark.parametrize("backend", ["httpx", "aiohttp"])
async def test_a_model_still_works_after_aclose(oci_model: OCIModelFactory, backend: str) -> None:
    model = oci_model(http_backend=backend)
    await model.complete(HI)
    await model.aclose()
    assert model.http_client is None
    assert (await model.complete(HI)).text
