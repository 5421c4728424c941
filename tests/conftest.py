"""Shared pytest configuration for all layers."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["locus.emulator.pytest_plugin"]

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The test data copied into the repository (``tests/data/README.md`` names origins)."""
    return DATA_DIR
