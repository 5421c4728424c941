"""What the cross-process approval tests share: the emulator's settings for a child
process, starting and finishing one, and the stores a thread may live in."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from locus.emulator import Emulator
from tests.integration.stores.conftest import postgres_dsn, postgres_server
from tests.integration.stores.services import ROOT

__all__ = ["emulator_env", "finish", "postgres_dsn", "postgres_server", "start", "url"]


@contextmanager
def emulator_env(rules: Path, log: Path) -> Iterator[dict[str, str]]:
    """A child process's environment: an emulator answering from ``rules`` (its settings
    as JSON in ``LOCUS_EMU``) and the file its tool writes to (``LOCUS_PAY_LOG``)."""
    with Emulator(rules=str(rules)) as emu:
        settings = {
            "endpoint": emu.service_endpoint,
            "compartment": emu.compartment_id,
            "config_file": str(emu.config_file),
            "profile": emu.profile,
        }
        yield {**os.environ, "LOCUS_EMU": json.dumps(settings), "LOCUS_PAY_LOG": str(log)}


def start(module: str, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    """``python -m module *args`` in the repository, with ``env``."""
    command = [sys.executable, "-m", module, *args]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def finish(proc: subprocess.Popen[str]) -> str:
    """What the process printed (it must succeed)."""
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    return out.strip()


@pytest.fixture(params=["sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A thread store shared by processes: SQLite on one machine, PostgreSQL on many."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/threads.db"
    dsn: str = request.getfixturevalue("postgres_dsn")
    return dsn
