"""Pytest fixtures: ``oci_emulator`` (one per session) and ``oci_emulator_fresh`` (per test).

Enable with ``pytest_plugins = ["locus.emulator.pytest_plugin"]`` in a conftest.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from locus.emulator.server import Emulator

__all__ = ["oci_emulator", "oci_emulator_fresh"]


@pytest.fixture(scope="session")
def oci_emulator() -> Iterator[Emulator]:
    """A started emulator shared by the whole session; reset what you change in it."""
    with Emulator() as emulator:
        yield emulator


@pytest.fixture
def oci_emulator_fresh() -> Iterator[Emulator]:
    """A started emulator of its own for one test (its own key, faults and settings)."""
    with Emulator() as emulator:
        yield emulator
