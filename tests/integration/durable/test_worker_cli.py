"""``locus worker`` given what cannot be served, against the real Temporal dev server: a
module that does not import (missing, raising, a syntax error), a name it lacks, an object
that is not an Agent, a factory that raises or needs arguments, a spec with two colons.
Each exits with status 2 and one line that names the spec and what to do, no traceback,
and before connecting to Temporal (a process that exited with a Temporal client alive
aborted now and then: status 134 or 139, temporalio/sdk-python#300)."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.stores.services import ROOT

MODULE = """
from locus.agent import Agent

NOT_AGENT = 42


def needs_args(model):
    return model


def raises():
    raise KeyError("model_name")


def returns_text():
    return "an agent"
"""

CASES = [
    ("nosuch.module:agent", "cannot import 'nosuch.module'"),
    ("badmods:missing", "module 'badmods' has no attribute 'missing'"),
    ("badmods:NOT_AGENT", "'badmods:NOT_AGENT' is an int, not a locus Agent"),
    ("badmods:returns_text", "'badmods:returns_text' is a str, not a locus Agent"),
    ("badmods:needs_args", "calling 'badmods:needs_args' to build the agent failed: TypeError"),
    ("badmods:raises", "calling 'badmods:raises' to build the agent failed: KeyError"),
    ("explodes:agent", "importing 'explodes' failed: RuntimeError: boom at import"),
    ("broken:agent", "importing 'broken' failed: SyntaxError"),
    ("badmods:a:b", "expected module:agent"),
]


@pytest.fixture(scope="module")
def modules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("worker-cli")
    (where / "badmods.py").write_text(MODULE, encoding="utf-8")
    (where / "explodes.py").write_text('raise RuntimeError("boom at import")\n', encoding="utf-8")
    (where / "broken.py").write_text("def f(:\n", encoding="utf-8")
    return where


def _worker(modules: Path, address: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``locus worker --task-queue q-cli <args>`` run in ``modules``, until it exits."""
    return subprocess.run(
        [sys.executable, "-m", "locus.cli", "worker", "--task-queue", "q-cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=modules,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "TEMPORAL_ADDRESS": address},
        check=False,
    )


@pytest.mark.parametrize(("spec", "said"), CASES, ids=[spec for spec, _ in CASES])
def test_a_spec_that_cannot_be_served_is_one_line_and_status_2(
    modules: Path, temporal_address: str, spec: str, said: str
) -> None:
    done = _worker(modules, temporal_address, spec)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("locus worker: ") and said in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1


def test_deps_that_cannot_be_loaded_are_refused_the_same_way(
    modules: Path, temporal_address: str
) -> None:
    done = _worker(modules, temporal_address, "--deps", "explodes:deps", "badmods:NOT_AGENT")
    assert done.returncode == 2, done.stderr
    assert "importing 'explodes' failed: RuntimeError" in done.stderr, done.stderr


def _nobody_listening(modules: Path) -> str:
    """An address nothing listens on, with ``good:agent`` (an agent that would serve) in
    ``modules``."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        address = f"127.0.0.1:{sock.getsockname()[1]}"
    (modules / "good.py").write_text(
        "from locus.agent import Agent\nfrom locus.testing import FunctionModel\n"
        "agent = Agent(FunctionModel(lambda m, t: 'hi'), name='good')\n",
        encoding="utf-8",
    )
    return address


def test_temporal_that_does_not_answer_is_one_line_and_status_1(modules: Path) -> None:
    address = _nobody_listening(modules)
    done = _worker(modules, address, "good:agent")
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith(f"locus worker: cannot reach Temporal at {address}: is it")
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1


@pytest.mark.slow
def test_many_workers_that_cannot_reach_temporal_at_once_all_exit_1_none_aborts(
    modules: Path,
) -> None:
    # Temporal's client runtime, started by the failed connect, could call into the
    # finalizing interpreter and abort the process (SIGABRT, temporalio/sdk-python#300);
    # it did for about one in five of eight at once on a 2-core machine
    address = _nobody_listening(modules)
    command = [sys.executable, "-m", "locus.cli", "worker", "--task-queue", "q-cli"]
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "TEMPORAL_ADDRESS": address}
    ended: list[tuple[int, str]] = []
    for _ in range(2):
        workers = [
            subprocess.Popen(
                [*command, "good:agent"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
                cwd=modules,
                env=env,
            )
            for _ in range(8)
        ]
        for worker in workers:
            _, err = worker.communicate(timeout=60)
            ended.append((worker.returncode, err))
    assert [status for status, _ in ended] == [1] * 16, [e for s, e in ended if s != 1][:1]
    assert all(err.startswith("locus worker: cannot reach Temporal") for _, err in ended)


def test_an_empty_task_queue_is_a_usage_error_and_help_shows_an_example(
    modules: Path, temporal_address: str
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "locus.cli", "worker", "--task-queue", " ", "badmods:NOT_AGENT"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=modules,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
        check=False,
    )
    assert done.returncode == 2 and "the task queue needs a name" in done.stderr, done.stderr
    shown = subprocess.run(
        [sys.executable, "-m", "locus.cli", "worker", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
        check=True,
    )
    assert "example:" in shown.stdout and "$TEMPORAL_NAMESPACE" in shown.stdout
