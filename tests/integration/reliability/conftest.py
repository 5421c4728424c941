"""Reliability fixtures: few retries, never slept, and a 10 s timeout per attempt."""

from __future__ import annotations

from typing import Any

import pytest

from locus.models.http import RetryPolicy


async def no_sleep(seconds: float) -> None:
    """Retry waits are skipped: these tests are about outcomes, not pacing."""


@pytest.fixture
def oci_model_defaults(oci_model_defaults: dict[str, Any]) -> dict[str, Any]:
    """The shared defaults, with two retries that are not waited for."""
    return {
        **oci_model_defaults,
        "retry_policy": RetryPolicy(max_retries=2, sleep=no_sleep),
        "timeout": 10.0,
    }
