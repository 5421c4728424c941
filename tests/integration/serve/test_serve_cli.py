"""``locus serve`` as a command: listens, answers, refuses to go unauthenticated beyond
loopback, and stops cleanly on SIGTERM, letting a running stream finish."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import httpx

from locus.emulator import Emulator
from tests.integration.serve.conftest import locus_serve, serve_env, serve_refusal

TARGET = "tests.integration.serve.emulator_agent:agent"


def test_no_token_beyond_loopback_is_refused(emulator_json: Path) -> None:
    refusal = serve_refusal([TARGET, "--host", "0.0.0.0"], serve_env(emulator_json))
    assert "set LOCUS_SERVE_TOKEN" in refusal


def test_sigterm_lets_a_running_stream_finish(emulator_json: Path, emu: Emulator) -> None:
    with locus_serve([TARGET, "--ui"], serve_env(emulator_json)) as server:
        base = server.url
        assert httpx.get(base + "/healthz").json() == {"status": "ok"}
        assert httpx.get(base + "/").headers["content-type"].startswith("text/html")
        emu.set_latency(latency=0.0, chunk_delay=0.3)
        body = {"model": "agent", "stream": True}
        body["messages"] = [
            {"role": "user", "content": "Use the add_two_numbers tool to add 7 and 35."}
        ]
        name = httpx.get(base + "/v1/models").json()["data"][0]["id"]
        body["model"] = name
        lines: list[str] = []
        started = threading.Event()

        def read() -> None:
            with httpx.stream("POST", base + "/v1/chat/completions", json=body, timeout=30) as r:
                for line in r.iter_lines():
                    started.set()
                    lines.append(line)

        reader = threading.Thread(target=read)
        reader.start()
        assert started.wait(15)
        server.proc.send_signal(signal.SIGTERM)
        reader.join(30)
        assert [line for line in lines if line][-1] == "data: [DONE]"  # it ran to its end
        assert "42" in "".join(lines)
        assert server.proc.wait(30) == 0


def _children(pid: int) -> list[int]:
    """The pids of ``pid``'s child processes (from ``/proc``)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_bytes()
            except OSError:  # gone meanwhile
                continue
            if int(stat.rpartition(b")")[2].split()[1]) == pid:
                found.append(int(entry))
    return found


def _chat(base: str, name: str) -> str:
    prompt = "Use the add_two_numbers tool to add 7 and 35."
    body = {"model": name, "stream": True, "messages": [{"role": "user", "content": prompt}]}
    with httpx.stream("POST", base + "/v1/chat/completions", json=body, timeout=30) as answer:
        assert answer.status_code == 200
        return "".join(answer.iter_lines())


def test_workers_share_the_port_answer_and_stop_cleanly(emulator_json: Path) -> None:
    with locus_serve([TARGET, "--workers", "2"], serve_env(emulator_json)) as server:
        base, proc = server.url, server.proc
        name = httpx.get(base + "/v1/models", timeout=30).json()["data"][0]["id"]
        answers: list[str] = []
        readers = [
            threading.Thread(target=lambda: answers.append(_chat(base, name))) for _ in range(2)
        ]
        for reader in readers:
            reader.start()
        for reader in readers:
            reader.join(60)
        assert len(answers) == 2
        assert all("42" in text and text.endswith("data: [DONE]") for text in answers)
        workers = [pid for pid in _children(proc.pid) if b"spawn_main" in _cmdline(pid)]
        assert len(workers) == 2
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
        assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()]
        assert proc.stderr is not None
        warning = proc.stderr.read()
        assert b"keep threads in memory" in warning  # the test agent's store is per process
        # said once, by the parent, in the log format (not again by each worker, bare)
        assert warning.count(b"auth is off") == 1, warning
        assert b"WARNING locus.serve.auth: auth is off (no LOCUS_SERVE_TOKEN)" in warning


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def test_workers_below_one_are_refused(emulator_json: Path) -> None:
    refusal = serve_refusal([TARGET, "--workers", "0"], serve_env(emulator_json))
    assert "--workers must be at least 1" in refusal


def test_workers_continue_a_thread_in_a_shared_sqlite_store(
    emulator_json: Path, tmp_path: Path
) -> None:
    target = "tests.integration.serve.emulator_agent:shared_agent"
    env = serve_env(emulator_json, LOCUS_TEST_THREADS=f"sqlite:///{tmp_path}/threads.db")
    with locus_serve([target, "--workers", "2"], env) as server:
        base, proc = server.url, server.proc
        turns = 6
        for turn in range(turns):  # a new connection each: either worker may answer
            message = {"role": "user", "content": f"Turn {turn}: add 7 and 35."}
            body = {"model": "shared", "thread_id": "t-1", "messages": [message]}
            answer = httpx.post(base + "/v1/chat/completions", json=body, timeout=30)
            assert answer.status_code == 200, answer.text
        thread = httpx.get(base + "/v1/threads/t-1", timeout=30).json()
        users = [m["content"] for m in thread["messages"] if m["role"] == "user"]
        assert users == [f"Turn {turn}: add 7 and 35." for turn in range(turns)]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
        assert proc.stderr is not None
        assert b"keep threads in memory" not in proc.stderr.read()
