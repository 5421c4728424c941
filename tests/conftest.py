"""Shared pytest configuration for all layers."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

pytest_plugins = ["locus.emulator.pytest_plugin"]

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(__file__).resolve().parent / "data"

# A pytest started in the background by a shell without job control inherits SIGINT
# ignored, and so would the commands the Ctrl-C tests start (they then never see their
# Ctrl-C and time out): give them a real one.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The test data copied into the repository (``tests/data/README.md`` names origins)."""
    return DATA_DIR
