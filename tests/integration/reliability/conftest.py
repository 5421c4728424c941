"""Reliability fixtures: OCIModel builders against the session emulator or a canned server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest

from locus.emulator import Emulator
from locus.models.http import RetryPolicy
from locus.models.providers.oci import OCIAuthType, OCIModel

Build = Callable[..., OCIModel]
ON_DEMAND = "meta.llama-3.3-70b-instruct"


async def no_sleep(seconds: float) -> None:
    """Retry waits are skipped: these tests are about outcomes, not pacing."""


@pytest.fixture
def emu(oci_emulator: Emulator) -> Iterator[Emulator]:
    """The session emulator, reset after each test."""
    yield oci_emulator
    oci_emulator.reset()


@pytest.fixture
async def build(emu: Emulator) -> AsyncIterator[Build]:
    """``build(model_id=ON_DEMAND, service_endpoint=emu, **options)``; closed after the test."""
    built: list[OCIModel] = []

    def make(model_id: str = ON_DEMAND, **options: Any) -> OCIModel:
        options.setdefault("retry_policy", RetryPolicy(max_retries=2, sleep=no_sleep))
        options.setdefault("service_endpoint", emu.service_endpoint)
        options.setdefault("config_file", emu.config_file)
        options.setdefault("timeout", 10.0)
        model = OCIModel(
            model_id=model_id,
            compartment_id=emu.compartment_id,
            profile_name=emu.profile,
            auth_type=OCIAuthType.API_KEY,
            **options,
        )
        built.append(model)
        return model

    yield make
    for model in built:
        await model.aclose()
