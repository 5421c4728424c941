"""A real uvicorn server in a thread for the serve tests (streams and disconnects need one)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette

from locus.emulator import Emulator
from tests.deadlines import read_line

ROOT = Path(__file__).resolve().parents[3]


class ServerThread:
    """Serves ``app`` on 127.0.0.1 (a free port) in a thread of its own, with its own loop
    (``settings``: more of uvicorn's)."""

    def __init__(self, app: Starlette, **settings: Any) -> None:
        self.app = app
        config = uvicorn.Config(app, log_level="warning", lifespan="on", ws="none", **settings)
        self.server = _Server(config)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]})

    def __enter__(self) -> ServerThread:
        self.thread.start()
        if not self.server.ready.wait(15):
            raise RuntimeError("the serve app did not start within 15 s")
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(30)
        self.sock.close()

    @property
    def state(self) -> Any:
        return self.app.state.served.state

    @property
    def connections(self) -> int:
        return len(self.server.server_state.connections)

    def tasks(self) -> int:
        """Tasks alive on the server's loop (asked on that loop)."""
        loop = self.server.loop
        assert loop is not None

        async def count() -> int:
            return len(asyncio.all_tasks())

        return asyncio.run_coroutine_threadsafe(count(), loop).result(10)


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()
        self.loop: asyncio.AbstractEventLoop | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        self.loop = asyncio.get_running_loop()
        self.ready.set()


@pytest.fixture
def serve() -> Iterator[Callable[..., ServerThread]]:
    """``serve(app, **uvicorn_config)``: the app on a real server until the test ends."""
    started: list[ServerThread] = []

    def start(app: Starlette, **config: Any) -> ServerThread:
        server = ServerThread(app, **config).__enter__()
        started.append(server)
        return server

    yield start
    for server in started:
        server.__exit__()


@pytest.fixture
def emulator_json(emu: Emulator, tmp_path: Path) -> Path:
    """The emulator's ``emulator.json``, for subprocesses (``LOCUS_TEST_EMULATOR``)."""
    path = tmp_path / "emulator.json"
    path.write_text(json.dumps(emu.info))
    return path


def wait_until(check: Callable[[], bool], timeout: float = 15.0) -> bool:
    """Poll ``check`` until it holds or ``timeout`` passes (what the server does meanwhile
    is real work: runs being cancelled, connections closing)."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return check()


def serve_env(emulator_json: Path, **extra: str) -> dict[str, str]:
    """The environment of a ``locus serve`` subprocess: the emulator's ``emulator.json``,
    no token and no trusted proxies from the test's own environment, then ``extra``."""
    env = {**os.environ, "LOCUS_TEST_EMULATOR": str(emulator_json)}
    for name in ("LOCUS_SERVE_TOKEN", "FORWARDED_ALLOW_IPS"):
        env.pop(name, None)
    return {**env, **extra}


@dataclass
class ServeProcess:
    """A running ``locus serve``: its process and the address it printed."""

    proc: subprocess.Popen[bytes]
    url: str


@contextlib.contextmanager
def locus_serve(args: list[str], env: dict[str, str]) -> Iterator[ServeProcess]:
    """``locus serve ARGS --port 0`` until the block ends (then killed, if still running,
    with its workers: ``--workers N`` spawns them in its process group, and a killed
    supervisor would leave them serving on, orphaned)."""
    cmd = [sys.executable, "-m", "locus.cli", "serve", *args, "--port", "0"]
    cmd += ["--log-level", "warning"]
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: the workers die with it
    )
    try:
        assert proc.stdout is not None and proc.stderr is not None
        line = read_line(proc.stdout, "locus serve says where it listens")
        found = re.search(rb"listening on (http://\S+)", line)
        if found is None:
            os.killpg(proc.pid, signal.SIGKILL)  # (its workers hold its stderr open too)
            said = proc.communicate(timeout=30)[1].decode()
            raise RuntimeError(f"locus serve did not start: {said}")
        yield ServeProcess(proc, found.group(1).decode())
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def serve_refusal(args: list[str], env: dict[str, str]) -> str:
    """``locus serve ARGS``, which must refuse to start (exit 2): what it said."""
    cmd = [sys.executable, "-m", "locus.cli", "serve", *args]
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    return done.stderr
