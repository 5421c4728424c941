"""Approvals over real HTTP against the emulator, across processes (issue 19's done-when):
a paused run is dumped, the process exits, a new process resumes it; the tool runs once;
a denial is read by the model; two resumes (one after the other, or two processes at
once on SQLite and PostgreSQL) run the tool once."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from tests.integration.agent._processes import (
    emulator_env,
    finish,
    postgres_dsn,
    postgres_server,
    url,
)
from tests.integration.agent._processes import start as start_module
from tests.integration.stores.services import ROOT

__all__ = ["postgres_dsn", "postgres_server", "url"]  # fixtures, used by name

RULES = ROOT / "tests" / "data" / "approvals" / "pay_rules.json"


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    with emulator_env(RULES, tmp_path / "pay.log") as settings:
        yield settings


start: partial[subprocess.Popen[str]] = partial(
    start_module, "tests.integration.agent._approval_proc"
)


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
