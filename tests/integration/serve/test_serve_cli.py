"""``locus serve`` as a command: listens, answers, refuses to go unauthenticated beyond
loopback, and stops cleanly on SIGTERM, letting a running stream finish."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import httpx

from locus.emulator import Emulator

ROOT = Path(__file__).resolve().parents[3]
TARGET = "tests.integration.serve.emulator_agent:agent"


def _env(emulator_json: Path) -> dict[str, str]:
    env = {**os.environ, "LOCUS_TEST_EMULATOR": str(emulator_json)}
    env.pop("LOCUS_SERVE_TOKEN", None)
    return env


def test_no_token_beyond_loopback_is_refused(emulator_json: Path) -> None:
    cmd = [sys.executable, "-m", "locus.cli", "serve", TARGET, "--host", "0.0.0.0"]
    done = subprocess.run(cmd, cwd=ROOT, env=_env(emulator_json), capture_output=True, text=True)
    assert done.returncode == 2
    assert "set LOCUS_SERVE_TOKEN" in done.stderr


def test_sigterm_lets_a_running_stream_finish(emulator_json: Path, emu: Emulator) -> None:
    cmd = [sys.executable, "-m", "locus.cli", "serve", TARGET, "--port", "0", "--ui"]
    cmd += ["--log-level", "warning"]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=_env(emulator_json), stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        url = re.search(r"listening on (http://\S+)", proc.stdout.readline())
        assert url is not None
        base = url.group(1)
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
        proc.send_signal(signal.SIGTERM)
        reader.join(30)
        assert [line for line in lines if line][-1] == "data: [DONE]"  # it ran to its end
        assert "42" in "".join(lines)
        assert proc.wait(30) == 0
    finally:
        proc.kill()
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
