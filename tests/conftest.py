"""Shared pytest configuration for all layers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest_plugins = ["locus.emulator.pytest_plugin"]

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DIR = Path(os.environ.get("LOCUS_SHARED_DIR", REPO_ROOT.parent / "shared"))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The project's shared/ folder (wire spec, fixtures, signing vectors, corpora).

    It sits beside the repository (as in CI); LOCUS_SHARED_DIR overrides. Missing
    is a failure, never a skip.
    """
    if not (SHARED_DIR / "oci" / "wire-spec.md").is_file():
        pytest.fail(f"shared/ not found at {SHARED_DIR}; set LOCUS_SHARED_DIR", pytrace=False)
    return SHARED_DIR
