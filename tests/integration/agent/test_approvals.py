"""Approvals over real HTTP against the emulator, across processes (issue 19's done-when):
a paused run is dumped, the process exits, a new process resumes it; the tool runs once;
a denial is read by the model; two resumes (one after the other, or two processes at
once on SQLite and PostgreSQL) run the tool once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from locus.emulator import Emulator
from tests.integration.stores.conftest import postgres_dsn, postgres_server
from tests.integration.stores.services import ROOT

__all__ = ["postgres_dsn", "postgres_server"]  # fixtures, used by name

RULES = ROOT / "tests" / "data" / "approvals" / "pay_rules.json"


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    with Emulator(rules=str(RULES)) as emu:
        settings = {
            "endpoint": emu.service_endpoint,
            "compartment": emu.compartment_id,
            "config_file": str(emu.config_file),
            "profile": emu.profile,
        }
        yield {
            **os.environ,
            "LOCUS_EMU": json.dumps(settings),
            "LOCUS_PAY_LOG": str(tmp_path / "pay.log"),
        }


def start(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "tests.integration.agent._approval_proc", *args]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def finish(proc: subprocess.Popen[str]) -> str:
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    return out.strip()


def paid(env: dict[str, str]) -> list[str]:
    log = Path(env["LOCUS_PAY_LOG"])
    return log.read_text().splitlines() if log.exists() else []


def test_a_new_process_resumes_with_an_approval(env: dict[str, str], tmp_path: Path) -> None:
    state = str(tmp_path / "state.json")
    assert finish(start(env, "pause", state)) == "awaiting_approval pay"
    assert paid(env) == []
    answer = finish(start(env, "resume", state, "approve"))
    assert answer == "The payment tool answered: paid 300 euros to Ada"
    assert len(paid(env)) == 1
    # (a bare state is claimed per process; across processes a thread store claims it:
    # test_two_processes_resume_one_thread_at_once)


def test_a_denial_is_read_by_the_model(env: dict[str, str], tmp_path: Path) -> None:
    state = str(tmp_path / "state.json")
    finish(start(env, "pause", state))
    answer = finish(start(env, "resume", state, "deny"))
    assert answer.startswith("The payment tool answered: Not run: a person denied this call")
    assert "Ada was paid yesterday" in answer and paid(env) == []


@pytest.fixture(params=["sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/threads.db"
    dsn: str = request.getfixturevalue("postgres_dsn")
    return dsn


def test_two_processes_resume_one_thread_at_once(
    env: dict[str, str], tmp_path: Path, url: str
) -> None:
    state = str(tmp_path / "state.json")
    assert finish(start(env, "pause", state, url, "t1")) == "awaiting_approval pay"
    procs = [start(env, "resume", state, "approve", url) for _ in range(2)]
    answers = sorted(finish(proc) for proc in procs)
    assert answers == ["AlreadyResumedError", "The payment tool answered: paid 300 euros to Ada"]
    assert len(paid(env)) == 1
    late = finish(start(env, "resume", state, "approve", url))
    assert late == "AlreadyResumedError" and len(paid(env)) == 1
