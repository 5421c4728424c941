"""Many streaming chats at once through ``locus serve``, against the emulator.

The emulator runs in one process (answering each chat call after ``latency`` s), the
server (``locus serve benchmarks.serve:agent``) in another, and ``runs`` clients here
each stream one OpenAI-compatible chat completion (the emulator counts to five, in
five deltas). The clients are cheap on purpose, so that the figure is the server's:
raw asyncio protocols, one keep-alive connection per client (opened again if the
server closed it), the SSE body read whole and parsed once at its end. A chat cannot
end sooner than ``latency``: efficiency is that ideal over the measured wall time of
the whole wave. The serving path adds the server's own parsing, the agent loop, SSE
framing and a second HTTP hop.

Beside each wave, the CPU seconds each process spent in it (``cpu_s``: ``server``,
``emulator``, ``client``; from ``/proc/<pid>/stat``) show which one is saturated: on
two cores, one process near the wall time is the bottleneck. ``agent_only`` is the
same wave run by the same agent in this process with no server (the ceiling the server
can reach), and ``load_avg`` the machine's load average before and after.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

from benchmarks._scenario import build_model
from benchmarks._stats import figure
from locus.agent import Agent, ModelTextDelta

__all__ = ["agent", "measure", "server_process"]

PROMPT = "Count from 1 to 5, separated by commas."
ANSWER = "1, 2, 3, 4, 5"
_INFO_ENV = "LOCUS_BENCH_EMULATOR_INFO"


def agent() -> Agent:
    """The served agent (``locus serve benchmarks.serve:agent``): no tools, one model call."""
    info = json.loads(os.environ[_INFO_ENV])
    return Agent(build_model(info, max_connections=2000), name="counter")


@contextmanager
def server_process(info: dict[str, Any], workers: int = 1) -> Iterator[tuple[str, int]]:
    """``locus serve`` (``--workers``) on a free loopback port in a subprocess; yields its
    URL and pid."""
    env = {**os.environ, _INFO_ENV: json.dumps(info)}
    env.pop("LOCUS_SERVE_TOKEN", None)
    cmd = [sys.executable, "-m", "locus.cli", "serve", "benchmarks.serve:agent", "--port", "0"]
    cmd += ["--max-concurrent-per-client", "100000", "--log-level", "warning"]
    cmd += ["--workers", str(workers)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, env=env, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        found = re.search(r"listening on (http://\S+)", line)
        if found is None:
            raise RuntimeError(f"locus serve did not start: {line!r} (exit {proc.poll()})")
        yield found.group(1), proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=60)


def _answer(body: bytes) -> str:
    text = []
    for line in body.split(b"\n"):
        if line.startswith(b"data: {"):
            for choice in json.loads(line[6:]).get("choices", ()):
                text.append(choice["delta"].get("content") or "")
    return "".join(text)


def _dechunk(raw: bytes) -> bytes:
    """The body of an HTTP/1.1 answer sent with ``transfer-encoding: chunked``."""
    rest = raw.partition(b"\r\n\r\n")[2]
    parts: list[bytes] = []
    at = 0
    while True:
        eol = rest.index(b"\r\n", at)
        size = int(rest[at:eol], 16)
        if size == 0:
            return b"".join(parts)
        parts.append(rest[eol + 2 : eol + 2 + size])
        at = eol + 4 + size


class _Connection(asyncio.Protocol):
    """One client's keep-alive connection: sends a request, reads the streamed answer
    whole (until the chunked body's end) and hands its body back."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.answer: asyncio.Future[bytes] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if self.answer is None or self.answer.done():
            return
        if not self.buffer.startswith(b"HTTP/1.1 200 "):
            self.answer.set_exception(RuntimeError(f"chat failed: {bytes(self.buffer[:200])!r}"))
        elif self.buffer.endswith(b"\r\n0\r\n\r\n"):
            self.answer.set_result(_dechunk(bytes(self.buffer)))

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        if self.answer is not None and not self.answer.done():
            self.answer.set_exception(ConnectionError("the server closed the connection"))

    async def chat(self, request: bytes) -> bytes:
        assert self.transport is not None
        self.buffer.clear()
        self.answer = asyncio.get_running_loop().create_future()
        self.transport.write(request)
        return await self.answer


class _Clients:
    """``runs`` clients, each with its own connection to the server, kept open between
    chats (as an HTTP client does) and opened again when the server has closed it."""

    def __init__(self, url: str, runs: int) -> None:
        self.host, _, port = url.removeprefix("http://").rpartition(":")
        self.port = int(port)
        self.connections = [_Connection() for _ in range(runs)]
        body = {"model": "counter", "stream": True}
        body["messages"] = [{"role": "user", "content": PROMPT}]
        data = json.dumps(body).encode()
        head = f"POST /v1/chat/completions HTTP/1.1\r\nhost: {self.host}:{self.port}\r\n"
        head += f"content-type: application/json\r\ncontent-length: {len(data)}\r\n\r\n"
        self.request = head.encode() + data

    async def _chat(self, index: int) -> str:
        for attempt in (1, 2):
            connection = self.connections[index]
            if connection.transport is None:
                loop = asyncio.get_running_loop()
                _, connection = await loop.create_connection(_Connection, self.host, self.port)
                self.connections[index] = connection
            try:
                return _answer(await connection.chat(self.request))
            except ConnectionError:  # closed by the server while idle: once more, anew
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def wave(self) -> list[str]:
        """One chat per client, all at once."""
        return list(await asyncio.gather(*(self._chat(i) for i in range(len(self.connections)))))

    def close(self) -> None:
        for connection in self.connections:
            if connection.transport is not None:
                connection.transport.close()


def _descendants(pid: int) -> list[int]:
    """The pids of ``pid``'s children, their children and so on (from ``/proc``)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                parent = int(stat.read().rpartition(b")")[2].split()[1])
        except OSError:  # gone meanwhile
            continue
        if parent == pid:
            found += [int(entry), *_descendants(int(entry))]
    return found


def _cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds of process ``pid`` so far (``/proc/<pid>/stat``)."""
    with open(f"/proc/{pid}/stat", "rb") as stat:
        fields = stat.read().rpartition(b")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class _CPU:
    """CPU seconds (user + system) of a set of processes, read from ``/proc``; a name
    may stand for several processes (the workers of ``locus serve --workers``)."""

    def __init__(self, pids: dict[str, int | list[int]]) -> None:
        self.pids = {name: [pid] if isinstance(pid, int) else pid for name, pid in pids.items()}

    def read(self) -> dict[str, float]:
        return {name: sum(map(_cpu_seconds, pids)) for name, pids in self.pids.items()}


async def _timed(
    cpu: _CPU, fn: Callable[[], Awaitable[list[str]]], runs: int
) -> tuple[float, dict[str, float]]:
    before, start = cpu.read(), time.perf_counter()
    answers = await fn()
    elapsed, after = time.perf_counter() - start, cpu.read()
    bad = [a for a in answers if a != ANSWER]
    if bad:
        raise RuntimeError(f"{len(bad)} of {runs} chats went wrong, e.g. {bad[0]!r}")
    return elapsed, {name: round(after[name] - before[name], 3) for name in after}


async def _streamed(local: Agent) -> str:
    text = []
    async for event in local.run(PROMPT):
        if isinstance(event, ModelTextDelta):
            text.append(event.text)
    return "".join(text)


async def _agent_wave(local: Agent, runs: int) -> list[str]:
    return list(await asyncio.gather(*(_streamed(local) for _ in range(runs))))


def _emulator_pid(exclude: int) -> int:
    """The pid of this process's child running ``locus.emulator``."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == exclude:
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                parent = int(stat.read().rpartition(b")")[2].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                command = cmdline.read()
        except OSError:  # gone meanwhile
            continue
        if parent == os.getpid() and b"locus.emulator" in command:
            return int(entry)
    raise LookupError("no emulator process among this process's children")


def _summary(latency: float, waves: list[tuple[float, dict[str, float]]]) -> dict[str, Any]:
    walls = [wall for wall, _ in waves]
    names = waves[0][1].keys()
    return {
        "efficiency": figure([latency / wall for wall in walls]),
        "wall_s": figure(walls),
        "cpu_s": {name: figure([cpu[name] for _, cpu in waves]) for name in names},
    }


async def measure(
    info: dict[str, Any],
    *,
    latency: float,
    runs: int = 500,
    reps: int = 3,
    warmup: int = 1,
    agent_only: bool = True,
    workers: int = 1,
) -> dict[str, Any]:
    """``efficiency`` (latency / wall), ``wall_s``, ``cpu_s`` per process and ``runs`` of
    streamed chats through ``locus serve --workers workers``; ``info`` is the emulator's
    (already set to ``latency``). ``agent_only`` adds the same waves run in this
    process, no server. With several workers, ``server`` is their CPU summed."""
    load_start = os.getloadavg()[0]
    emulator = _emulator_pid(-1)
    with server_process(info, workers) as (url, pid):
        clients = _Clients(url, runs)
        try:
            for _ in range(warmup):
                await clients.wave()
            server = [pid, *_descendants(pid)]  # the workers run once the first wave is in
            cpu = _CPU({"server": server, "emulator": emulator, "client": os.getpid()})
            served = [await _timed(cpu, clients.wave, runs) for _ in range(reps)]
        finally:
            clients.close()
    result = {**_summary(latency, served), "runs": runs, "workers": workers}
    if agent_only:
        result["agent_only"] = await _measure_agent(info, cpu, latency, runs, reps, warmup)
    result["load_avg"] = {"start": round(load_start, 2), "end": round(os.getloadavg()[0], 2)}
    return result


async def _measure_agent(
    info: dict[str, Any], cpu: _CPU, latency: float, runs: int, reps: int, warmup: int
) -> dict[str, Any]:
    cpu.pids.pop("server")
    local = Agent(build_model(info, max_connections=2000), name="counter")
    try:
        for _ in range(warmup):
            await _agent_wave(local, runs)
        waves = [await _timed(cpu, lambda: _agent_wave(local, runs), runs) for _ in range(reps)]
    finally:
        await local.aclose()
    return _summary(latency, waves)


if __name__ == "__main__":
    from benchmarks._emulator_proc import configure, emulator_process

    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 500  # [N] [WORKERS]
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    with emulator_process("--log-level", "warning") as emulator:
        configure(emulator, latency=1.0)
        result = asyncio.run(measure(emulator, latency=1.0, runs=runs, workers=workers))
        print(json.dumps(result, indent=2))
