"""Approvals across agents over real HTTP against the emulator, across processes: a
sub-agent's pause pauses its caller and a new process resumes it (the refund runs once,
a denial is read); two processes resuming one thread at once (SQLite, PostgreSQL) run
it once; a run paused after a handoff goes on, in a new process, with the agent that
paused it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from locus.emulator import Emulator
from tests.integration.agent._multi_approval_proc import RULES
from tests.integration.stores.conftest import postgres_dsn, postgres_server
from tests.integration.stores.services import ROOT

__all__ = ["postgres_dsn", "postgres_server"]  # fixtures, used by name


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps(RULES))
    with Emulator(rules=str(rules)) as emu:
        settings = {
            "endpoint": emu.service_endpoint,
            "compartment": emu.compartment_id,
            "config_file": str(emu.config_file),
            "profile": emu.profile,
        }
        yield {
            **os.environ,
            "LOCUS_EMU": json.dumps(settings),
            "LOCUS_PAY_LOG": str(tmp_path / "refunds.log"),
        }


def start(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "tests.integration.agent._multi_approval_proc", *args]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def finish(proc: subprocess.Popen[str]) -> str:
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    return out.strip()


def refunds(env: dict[str, str]) -> list[str]:
    log = Path(env["LOCUS_PAY_LOG"])
    return [line.split()[0] for line in log.read_text().splitlines()] if log.exists() else []


def test_a_new_process_resumes_a_paused_sub_agent(env: dict[str, str], tmp_path: Path) -> None:
    state = str(tmp_path / "state.json")
    assert finish(start(env, "pause", "nested", state)) == "awaiting_approval refund clerk boss"
    assert refunds(env) == []
    assert finish(start(env, "resume", "nested", state, "approve")) == "boss: refunded A17"
    assert refunds(env) == ["A17"]


def test_a_denied_sub_agent_call_is_read_and_answered(env: dict[str, str], tmp_path: Path) -> None:
    state = str(tmp_path / "state.json")
    finish(start(env, "pause", "nested", state))
    answer = finish(start(env, "resume", "nested", state, "deny"))
    assert answer == "boss: Not run: a person denied this call. Reason: paid already"
    assert refunds(env) == []


@pytest.fixture(params=["sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/threads.db"
    dsn: str = request.getfixturevalue("postgres_dsn")
    return dsn


def test_two_processes_resume_a_paused_sub_agent_on_one_thread_once(
    env: dict[str, str], tmp_path: Path, url: str
) -> None:
    state = str(tmp_path / "state.json")
    paused = finish(start(env, "pause", "nested", state, url, "t-nested"))
    assert paused == "awaiting_approval refund clerk boss"
    procs = [start(env, "resume", "nested", state, "approve", url) for _ in range(2)]
    answers = sorted(finish(proc) for proc in procs)
    assert answers == ["AlreadyResumedError", "boss: refunded A17"]
    assert refunds(env) == ["A17"]
    late = finish(start(env, "resume", "nested", state, "approve", url))
    assert late == "AlreadyResumedError" and refunds(env) == ["A17"]


def test_a_new_process_goes_on_with_the_agent_a_handoff_reached(
    env: dict[str, str], tmp_path: Path
) -> None:
    state = str(tmp_path / "state.json")
    assert finish(start(env, "pause", "handoff", state)) == "awaiting_approval refund - billing"
    answer = finish(start(env, "resume", "handoff", state, "approve"))
    assert answer == "billing: Transferred to billing., refunded B2"
    assert refunds(env) == ["B2"]
