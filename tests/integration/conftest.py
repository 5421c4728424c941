"""The one ``oci_model`` fixture: ``OCIModel``s against the emulator, closed after the test.

``oci_model(model_id=ON_DEMAND, **options)`` builds a model on ``emu`` (its endpoint and
compartment) with the folder's ``oci_model_defaults`` under the test's own options. The
defaults here sign with the emulator's API-key profile; a folder's conftest overrides
``oci_model_defaults`` (and ``emu``, as the auth tests do with an emulator per test).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest

from locus.emulator import Emulator
from locus.models.providers.oci import OCIAuthType, OCIModel

ON_DEMAND = "meta.llama-3.3-70b-instruct"

OCIModelFactory = Callable[..., OCIModel]
"""``oci_model(model_id=ON_DEMAND, **options) -> OCIModel``."""


@pytest.fixture
def emu(oci_emulator: Emulator) -> Iterator[Emulator]:
    """The session emulator, with faults, their counts and settings reset around each test."""
    oci_emulator.reset()
    yield oci_emulator
    oci_emulator.reset()


@pytest.fixture
def oci_model_defaults(emu: Emulator) -> dict[str, Any]:
    """Options every ``oci_model`` gets unless the test gives its own."""
    return {
        "config_file": emu.config_file,
        "profile_name": emu.profile,
        "auth_type": OCIAuthType.API_KEY,
    }


@pytest.fixture
async def oci_model(
    emu: Emulator, oci_model_defaults: dict[str, Any]
) -> AsyncIterator[OCIModelFactory]:
    """Build ``OCIModel``s on ``emu``; every one is closed after the test."""
    built: list[OCIModel] = []

    def make(model_id: str = ON_DEMAND, **options: Any) -> OCIModel:
        place = {"service_endpoint": emu.service_endpoint, "compartment_id": emu.compartment_id}
        model = OCIModel(model_id, **{**place, **oci_model_defaults, **options})
        built.append(model)
        return model

    yield make
    for model in built:
        await model.aclose()
