"""Durable runs against a real Temporal: the dev server from ``scripts/test-services.sh``
(``LOCUS_TEST_TEMPORAL_ADDRESS``), workers in their own processes (``locus worker``), and
the emulator behind the agents. The tests fail, never skip, when Temporal cannot start."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from temporalio.client import Client

from locus.emulator import Emulator
from tests.deadlines import read_line
from tests.integration.stores.services import ROOT, service_dsn, stop_started_services

RULES = ROOT / "tests" / "data" / "durable" / "trip_rules.json"
TRIP = "tests.integration.durable.agents:trip"


@pytest.fixture(scope="session")
def temporal_address() -> Iterator[str]:
    """The Temporal dev server's frontend (``scripts/test-services.sh``)."""
    yield service_dsn("LOCUS_TEST_TEMPORAL_ADDRESS")
    stop_started_services()


@pytest.fixture
async def client(temporal_address: str) -> AsyncIterator[Client]:
    yield await Client.connect(temporal_address)


@pytest.fixture
def task_queue() -> str:
    return f"locus-test-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator(rules=str(RULES)) as emulator:
        yield emulator


@pytest.fixture
def env(emu: Emulator, tmp_path: Path, temporal_address: str) -> dict[str, str]:
    settings = {
        "endpoint": emu.service_endpoint,
        "compartment": emu.compartment_id,
        "config_file": str(emu.config_file),
        "profile": emu.profile,
    }
    return {
        **os.environ,
        "LOCUS_EMU": json.dumps(settings),
        "LOCUS_TOOL_LOG": str(tmp_path / "tools.log"),
        "LOCUS_RELEASE": str(tmp_path / "release"),
        "TEMPORAL_ADDRESS": temporal_address,
        "PYTHONPATH": str(ROOT),
    }


class Workers:
    """``locus worker`` processes started by a test (each stopped, or killed, by it)."""

    def __init__(self, env: dict[str, str], task_queue: str) -> None:
        self.env, self.task_queue = env, task_queue
        self.procs: list[subprocess.Popen[str]] = []

    def start(self, agent: str = TRIP, *options: str) -> subprocess.Popen[str]:
        command = [sys.executable, "-m", "locus.cli", "worker", "--task-queue", self.task_queue]
        command += options
        proc = subprocess.Popen(
            [*command, agent], cwd=ROOT, env=self.env, stderr=subprocess.PIPE, text=True
        )
        self.procs.append(proc)
        assert proc.stderr is not None
        # the worker says it serves once it polls
        line = read_line(proc.stderr, "the worker says it serves")
        if "locus worker: serving" not in line:
            proc.kill()
            raise AssertionError(line + proc.communicate(timeout=30)[1])
        return proc

    def kill(self, proc: subprocess.Popen[str]) -> None:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            if proc.stderr is not None:
                proc.stderr.close()


@pytest.fixture
def workers(env: dict[str, str], task_queue: str) -> Iterator[Workers]:
    started = Workers(env, task_queue)
    yield started
    started.stop_all()


def tool_log(env: dict[str, str]) -> list[str]:
    """The tools' runs so far, one ``"<tool> <args...>"`` per run (pids dropped)."""
    path = Path(env["LOCUS_TOOL_LOG"])
    lines = path.read_text().splitlines() if path.exists() else []
    return [line.rsplit(" ", 1)[0] for line in lines]


def tool_log_by_pid(env: dict[str, str]) -> dict[int, list[str]]:
    """``tool_log`` split by the process that wrote each line (its pid), in order."""
    by_pid: dict[int, list[str]] = {}
    for line in Path(env["LOCUS_TOOL_LOG"]).read_text().splitlines():
        entry, pid = line.rsplit(" ", 1)
        by_pid.setdefault(int(pid), []).append(entry)
    return by_pid
