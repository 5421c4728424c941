"""The test servers' DSNs, from ``scripts/test-services.sh`` (started here when needed).

``service_dsn("LOCUS_TEST_POSTGRES_DSN")`` looks in the environment, then in
``.test-services/env``; when neither has it, it runs ``scripts/test-services.sh start``
once for the session (``stop_started_services`` stops what it started). A server that
could not start is a test failure with the script's reason, never a skip.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
STATE = ROOT / ".test-services"
SCRIPT = ROOT / "scripts" / "test-services.sh"

_started_here: list[bool] = []


def service_dsn(name: str) -> str:
    """The DSN in ``name`` (``LOCUS_TEST_POSTGRES_DSN``, ``LOCUS_TEST_PGVECTOR_DSN``)."""
    if os.environ.get(name):
        return os.environ[name]
    if not (STATE / "env").exists() and not (STATE / "error").exists() and not _started_here:
        _start()
    found = _read_env().get(name)
    if found:
        return found
    reason = (STATE / "error").read_text("utf-8").strip() if (STATE / "error").exists() else ""
    pytest.fail(
        f"{name} is not set and scripts/test-services.sh did not provide it: "
        f"{reason or 'no reason recorded'} (run `scripts/test-services.sh start` to see why)",
        pytrace=False,
    )


def stop_started_services() -> None:
    """Stop the servers this session started (none when make test or a developer did)."""
    if _started_here:
        subprocess.run([str(SCRIPT), "stop"], check=False, cwd=ROOT, timeout=120)
        _started_here.clear()


def _start() -> None:
    _started_here.append(True)
    env = {**os.environ, "PYTHON": sys.executable}
    subprocess.run([str(SCRIPT), "start"], check=False, cwd=ROOT, env=env, timeout=300)


def _read_env() -> dict[str, str]:
    path = STATE / "env"
    if not path.exists():
        return {}
    pairs = (line.split("=", 1) for line in path.read_text("utf-8").splitlines() if "=" in line)
    return {key.strip(): value.strip() for key, value in pairs}
