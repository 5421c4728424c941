"""A run paused on one server process is approved on another that shares the agent's
SQLite thread store, as replicas behind a load balancer do (docs/serving.md,
"Approvals"). Two ``locus serve`` processes, real HTTP; the tool writes a line to a file
each time it runs, in whichever process, so "once" is counted across both.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from tests.integration.serve.conftest import ServeProcess, locus_serve, serve_env

TARGET = "tests.integration.serve.emulator_agent:shared_operator"
CHAT = "/v1/chat/completions"


@contextlib.contextmanager
def _two_servers(emulator_json: Path, tmp_path: Path) -> Iterator[tuple[ServeProcess, ...]]:
    env = serve_env(
        emulator_json,
        LOCUS_TEST_THREADS=f"sqlite:///{tmp_path}/threads.db",
        LOCUS_TEST_RAN=str(tmp_path / "ran.txt"),
    )
    with locus_serve([TARGET], env) as one, locus_serve([TARGET], env) as two:
        yield one, two


def _ran(tmp_path: Path) -> list[str]:
    path = tmp_path / "ran.txt"
    return path.read_text().splitlines() if path.exists() else []


def _pause(server: ServeProcess, file: str, **extra: Any) -> dict[str, Any]:
    """A completion that stops for approval of ``delete_file(file)``: its ``locus`` part."""
    prompt = f"Use the delete_file tool to delete {file}"
    body = {"model": "ops", "messages": [{"role": "user", "content": prompt}], **extra}
    answer = httpx.post(server.url + CHAT, json=body, timeout=30)
    assert answer.status_code == 200, answer.text
    locus: dict[str, Any] = answer.json()["locus"]
    assert locus["stop_reason"] == "awaiting_approval"
    assert [(p["tool"], p["arguments"]) for p in locus["pending"]] == [
        ("delete_file", {"path": file})
    ]
    return locus


def _approve(server: ServeProcess, run_id: str, call_id: str) -> tuple[int, list[Any]]:
    """Post the approval of ``call_id``: the status and the AG-UI events that came back."""
    url = f"{server.url}/v1/agents/ops/runs/{run_id}/approvals"
    body = {"approvals": {call_id: {"approved": True}}}
    with httpx.stream("POST", url, json=body, timeout=30) as answer:
        if answer.status_code != 200:
            return answer.status_code, [json.loads(answer.read())]
        lines = [line[6:] for line in answer.iter_lines() if line.startswith("data: ")]
    return answer.status_code, [json.loads(line) for line in lines]


def _results(events: list[Any]) -> list[str]:
    return [e["content"] for e in events if e.get("type") == "TOOL_CALL_RESULT"]


def _forged(run_id: str) -> list[str]:
    """Ids a client could make from a real one: each names no paused run."""
    run, kind, agent, thread, pause = run_id.split(".")
    other_pause = pause[:-1] + ("0" if pause[-1] != "0" else "1")
    return [
        f"{run}.{kind}.{agent}.{thread}.{other_pause}",  # another pause of that thread
        f"{run}.{kind}.{agent}.{thread[:-2]}.{pause}",  # another thread
        f"{run}.{kind}.adder.{thread}.{pause}",  # issued for another agent
        f"{run}.{kind}.{agent}.!!.{pause}",  # not base64
        "run-0123456789abcdef",  # a run id held in memory elsewhere, or nowhere
    ]


def test_a_thread_less_completion_paused_on_one_server_is_approved_on_the_other(
    emulator_json: Path, tmp_path: Path
) -> None:
    with _two_servers(emulator_json, tmp_path) as (one, two):
        locus = _pause(one, "report")
        assert "thread_id" not in locus  # the client runs no thread; the server keeps one
        run_id, call_id = locus["run_id"], locus["pending"][0]["id"]
        for forged in _forged(run_id):
            assert _approve(two, forged, call_id)[0] == 404, forged
        assert _ran(tmp_path) == []

        status, events = _approve(two, run_id, call_id)
        assert status == 200
        assert _results(events) == ["deleted report"]
        assert events[-1]["type"] == "RUN_FINISHED" and "outcome" not in events[-1]
        assert "deleted report" in events[-1]["result"]
        assert _ran(tmp_path) == ["report"]

        for server in (one, two):  # a replayed approval runs nothing, on either server
            assert _approve(server, run_id, call_id)[0] == 404
        assert _ran(tmp_path) == ["report"]
        listing = httpx.get(two.url + "/v1/threads", timeout=30).json()["threads"]
        assert listing == []  # the thread that held the paused run is gone with it


def test_two_servers_approving_one_run_at_once_run_the_call_once(
    emulator_json: Path, tmp_path: Path
) -> None:
    with _two_servers(emulator_json, tmp_path) as (one, two):
        locus = _pause(two, "twice")
        run_id, call_id = locus["run_id"], locus["pending"][0]["id"]
        answers: list[tuple[int, list[Any]]] = []
        start = threading.Barrier(2, timeout=30)

        def approve(server: ServeProcess) -> None:
            start.wait()
            answers.append(_approve(server, run_id, call_id))

        approvers = [threading.Thread(target=approve, args=(s,)) for s in (one, two)]
        for approver in approvers:
            approver.start()
        for approver in approvers:
            approver.join(60)
        assert len(answers) == 2
        assert sorted(len(_results(events)) for _, events in answers) == [0, 1]
        assert _ran(tmp_path) == ["twice"]
        (loser,) = [(status, events) for status, events in answers if not _results(events)]
        if loser[0] == 200:  # it lost the claim after its stream began
            assert loser[1][-1]["type"] == "RUN_ERROR"
            assert loser[1][-1]["code"] == "AlreadyResumedError"
        else:  # it found the run resumed (409) or already gone (404)
            assert loser[0] in (404, 409), loser


def test_runs_on_threads_pause_on_one_server_and_are_approved_on_the_other(
    emulator_json: Path, tmp_path: Path
) -> None:
    with _two_servers(emulator_json, tmp_path) as (one, two):
        # an AG-UI run on a thread: RUN_FINISHED names the run id for the approvals route
        prompt = {"id": "m1", "role": "user", "content": "Use the delete_file tool to delete alpha"}
        body = {"threadId": "ticket-1", "runId": "r1", "messages": [prompt]}
        with httpx.stream("POST", one.url + "/v1/agents/ops/runs", json=body, timeout=30) as r:
            events = [json.loads(x[6:]) for x in r.iter_lines() if x.startswith("data: ")]
        finished = events[-1]
        assert finished["type"] == "RUN_FINISHED"
        (interrupt,) = finished["outcome"]["interrupts"]
        status, resumed = _approve(two, finished["locus"]["runId"], interrupt["id"])
        assert (status, _results(resumed)) == (200, ["deleted alpha"])
        assert resumed[0]["threadId"] == "ticket-1"

        # a completion on a thread, the other way round
        locus = _pause(two, "beta", thread_id="ticket-2")
        assert locus["thread_id"] == "ticket-2"
        status, resumed = _approve(one, locus["run_id"], locus["pending"][0]["id"])
        assert (status, _results(resumed)) == (200, ["deleted beta"])
        assert _approve(two, locus["run_id"], locus["pending"][0]["id"])[0] == 409

        assert _ran(tmp_path) == ["alpha", "beta"]
        for thread in ("ticket-1", "ticket-2"):  # the client's threads stay, with the turn
            shown = httpx.get(f"{one.url}/v1/threads/{thread}", timeout=30).json()
            assert [m["role"] for m in shown["messages"]] == [
                "user",
                "assistant",
                "tool",
                "assistant",
            ]
            assert shown["pending"] == []
