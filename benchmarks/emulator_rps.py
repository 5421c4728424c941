"""Throughput of the emulator: signed, non-streaming chats per second over loopback.

Requests are signed per request with ``cryptography`` (OCI HTTP Signature, wire-spec §6),
independently of ``locus.models``. Run ``python -m benchmarks.emulator_rps`` to start
``python -m locus.emulator`` in a subprocess and measure it; given the emulator's process
id (``pid=``, as the command line does), ``emulator_cpu_us`` is the emulator's own CPU time
per request (from ``/proc``, Linux only): on a shared machine ``rps`` also measures the
client's signing and whatever else runs, the CPU per request does not.
"""

from __future__ import annotations

import asyncio
import base64
import configparser
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from email.utils import formatdate
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

__all__ = ["measure"]

_PATH = "/20231130/actions/chat"
_SIGNED = "date (request-target) host content-length content-type x-content-sha256"


class _Signer:
    """Signs chat POSTs with the key from the emulator's OCI config file."""

    def __init__(self, config_file: str, profile: str, host: str) -> None:
        config = configparser.ConfigParser(interpolation=None)
        config.read(config_file)
        section = config[profile]
        with open(section["key_file"], "rb") as handle:
            key = serialization.load_pem_private_key(handle.read(), password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise TypeError("the emulator key is not an RSA key")
        self._key = key
        self._key_id = f"{section['tenancy']}/{section['user']}/{section['fingerprint']}"
        self._host = host
        self._last: dict[bytes, dict[str, str]] = {}

    def headers(self, body: bytes) -> dict[str, str]:
        """The signed headers for a POST of ``body`` to the chat path.

        RSA PKCS#1 v1.5 signatures are deterministic, so the headers of one body are the
        same for every request sent in the same second: they are made once per second,
        which keeps this client's CPU (a private-key operation costs more than the
        emulator's whole answer) from being what is measured.
        """
        date = formatdate(usegmt=True)
        cached = self._last.get(body)
        if cached is not None and cached["date"] == date:
            return cached
        headers = self._sign(body, date)
        self._last[body] = headers
        return headers

    def _sign(self, body: bytes, date: str) -> dict[str, str]:
        headers = {
            "date": date,
            "host": self._host,
            "content-length": str(len(body)),
            "content-type": "application/json",
            "x-content-sha256": base64.b64encode(hashlib.sha256(body).digest()).decode(),
        }
        lines = [
            f"date: {headers['date']}",
            f"(request-target): post {_PATH}",
            *(f"{name}: {headers[name]}" for name in _SIGNED.split()[2:]),
        ]
        raw = self._key.sign("\n".join(lines).encode(), padding.PKCS1v15(), hashes.SHA256())
        signature = base64.b64encode(raw).decode()
        headers["authorization"] = (
            f'Signature algorithm="rsa-sha256",headers="{_SIGNED}",'
            f'keyId="{self._key_id}",signature="{signature}",version="1"'
        )
        return headers


def _body(info: dict[str, Any]) -> bytes:
    details = {
        "compartmentId": info["compartment_id"],
        "servingMode": {"servingType": "ON_DEMAND", "modelId": "meta.llama-3.3-70b-instruct"},
        "chatRequest": {
            "apiFormat": "GENERIC",
            "messages": [{"role": "USER", "content": [{"type": "TEXT", "text": "Hello there"}]}],
            "maxTokens": 32,
        },
    }
    return json.dumps(details).encode()


class _Connection:
    """One keep-alive HTTP/1.1 connection speaking just enough HTTP for this measurement.

    A raw client keeps the measuring side cheap, so that the server is what is measured.
    """

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader, self._writer = reader, writer

    async def post(self, headers: dict[str, str], body: bytes) -> int:
        """POST ``body`` to the chat path and return the status (the body is read and dropped)."""
        lines = [f"POST {_PATH} HTTP/1.1", *(f"{k}: {v}" for k, v in headers.items())]
        self._writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        head = await self._reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        await self._reader.readexactly(length)
        return status

    def close(self) -> None:
        """Close the socket."""
        self._writer.close()


async def _worker(
    url: str, signer: _Signer, body: bytes, deadline: float, counts: list[int]
) -> None:
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    connection = _Connection(reader, writer)
    try:
        while time.perf_counter() < deadline:
            try:
                status = await connection.post(signer.headers(body), body)
                counts[0 if status == 200 else 1] += 1
            except (OSError, asyncio.IncompleteReadError, ValueError):
                counts[1] += 1
                return
    finally:
        connection.close()


async def _measure(
    info: dict[str, Any], seconds: float, concurrency: int, pid: int | None
) -> dict[str, Any]:
    signer = _Signer(info["config_file"], info["profile"], urlsplit(info["url"]).netloc)
    body = _body(info)
    counts = [0, 0]
    cpu = _cpu_seconds(pid)
    start = time.perf_counter()
    deadline = start + seconds
    workers = [_worker(info["url"], signer, body, deadline, counts) for _ in range(concurrency)]
    await asyncio.gather(*workers)
    elapsed = time.perf_counter() - start
    row: dict[str, Any] = {"rps": counts[0] / elapsed, "requests": counts[0], "errors": counts[1]}
    used = _cpu_seconds(pid)
    if used is not None and cpu is not None and counts[0]:
        row["emulator_cpu_us"] = (used - cpu) / counts[0] * 1e6
    return row


def _cpu_seconds(pid: int | None) -> float | None:
    """User plus system CPU seconds of process ``pid`` so far (None without ``/proc``)."""
    if pid is None:
        return None
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(
    info: dict[str, Any], seconds: float = 3.0, concurrency: int = 32, pid: int | None = None
) -> dict[str, Any]:
    """Send signed non-streaming chats for ``seconds``; return rps, requests and errors,
    and ``emulator_cpu_us`` (CPU per request) when the emulator's ``pid`` is given."""
    return asyncio.run(_measure(info, seconds, concurrency, pid))


def _run_subprocess_and_measure() -> dict[str, Any]:
    """Start ``python -m locus.emulator`` on a free port, wait for emulator.json, measure."""
    with tempfile.TemporaryDirectory(prefix="locus-emu-bench-") as state:
        command = [sys.executable, "-m", "locus.emulator", "--port", "0", "--state-dir", state]
        process = subprocess.Popen([*command, "--log-level", "warning"], stdout=subprocess.DEVNULL)
        try:
            return measure(_wait_for_info(Path(state) / "emulator.json", process), pid=process.pid)
        finally:
            process.terminate()
            process.wait(timeout=10)


def _wait_for_info(path: Path, process: subprocess.Popen[bytes]) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the emulator exited with code {process.returncode}")
        if path.exists():
            return dict(json.loads(path.read_text(encoding="utf-8")))
        time.sleep(0.05)
    raise RuntimeError("the emulator did not write emulator.json within 30 s")


if __name__ == "__main__":
    print(json.dumps(_run_subprocess_and_measure()))
