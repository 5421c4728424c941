"""Approvals across agents over real HTTP against the emulator, across processes: a
sub-agent's pause pauses its caller and a new process resumes it (the refund runs once,
a denial is read); two processes resuming one thread at once (SQLite, PostgreSQL) run
it once; a run paused after a handoff goes on, in a new process, with the agent that
paused it."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from tests.integration.agent._multi_approval_proc import RULES
from tests.integration.agent._processes import (
    emulator_env,
    finish,
    postgres_dsn,
    postgres_server,
    url,
)
from tests.integration.agent._processes import start as start_module

__all__ = ["postgres_dsn", "postgres_server", "url"]  # fixtures, used by name


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps(RULES))
    with emulator_env(rules, tmp_path / "refunds.log") as settings:
        yield settings


start: partial[subprocess.Popen[str]] = partial(
    start_module, "tests.integration.agent._multi_approval_proc"
)


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
