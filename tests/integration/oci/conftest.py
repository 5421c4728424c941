"""Native-API fixtures: retry waits recorded instead of slept (see ``Recorder``)."""

from __future__ import annotations

from typing import Any

import pytest

from locus.models.http import RetryPolicy


class Recorder:
    """A sleep function that records retry waits instead of sleeping them."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def oci_model_defaults(oci_model_defaults: dict[str, Any]) -> dict[str, Any]:
    """The shared defaults, with short retry waits that are recorded, not slept."""
    return {**oci_model_defaults, "retry_policy": RetryPolicy(base_delay=0.01, sleep=Recorder())}
