"""Integration fixtures: the shared emulator (real HTTP over loopback) and model builders."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest

from locus.emulator import Emulator
from locus.emulator.pytest_plugin import oci_emulator  # noqa: F401  (fixture)
from locus.models.http import RetryPolicy
from locus.models.providers.oci import OCIAuthType, OCIModel


class Recorder:
    """A sleep function that records retry waits instead of sleeping them."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def emu(oci_emulator: Emulator) -> Iterator[Emulator]:  # noqa: F811
    """The session emulator, with faults and stream switches reset after each test."""
    yield oci_emulator
    oci_emulator.clear_faults()
    oci_emulator.configure(
        latency=0.0,
        chunk_delay=0.0,
        chunk_chars=0,
        done_marker=False,
        hold_open=0.0,
        slow_first_byte=1.0,
    )


@pytest.fixture
async def native(emu: Emulator) -> AsyncIterator[Callable[..., OCIModel]]:
    """Build ``OCIModel``s pointed at the emulator with its profile; closed after the test."""
    built: list[OCIModel] = []

    def build(model_id: str, **options: Any) -> OCIModel:
        options.setdefault("retry_policy", RetryPolicy(base_delay=0.01, sleep=Recorder()))
        options.setdefault("compartment_id", emu.compartment_id)
        model = OCIModel(
            model_id=model_id,
            profile_name=emu.profile,
            config_file=emu.config_file,
            auth_type=OCIAuthType.API_KEY,
            service_endpoint=emu.service_endpoint,
            **options,
        )
        built.append(model)
        return model

    yield build
    for model in built:
        await model.aclose()
