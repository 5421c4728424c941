"""A real uvicorn server in a thread for the serve tests (streams and disconnects need one)."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette

from locus.emulator import Emulator


class ServerThread:
    """Serves ``app`` on 127.0.0.1 (a free port) in a thread of its own, with its own loop."""

    def __init__(self, app: Starlette) -> None:
        self.app = app
        config = uvicorn.Config(app, log_level="warning", lifespan="on", ws="none")
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
def serve() -> Iterator[Callable[[Starlette], ServerThread]]:
    """``serve(app)``: the app on a real server until the test ends."""
    started: list[ServerThread] = []

    def start(app: Starlette) -> ServerThread:
        server = ServerThread(app).__enter__()
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
