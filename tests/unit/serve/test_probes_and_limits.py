"""Health and readiness probes are outside the per-client concurrency limit (a load
balancer's health checker may share one address with many users), not outside the
size limit."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.applications import Starlette
from starlette.types import Message

from locus.agent import Agent
from locus.core import messages
from locus.serve import create_app
from locus.testing import FunctionModel
from tests.deadlines import wait_until
from tests.unit.serve.conftest import AppClient

CHAT = {"model": "slow", "messages": [{"role": "user", "content": "hi"}]}


def _slow_app(release: asyncio.Event, limit: int = 2, **options: Any) -> Starlette:
    async def slow(history: list[messages.Message], tools: object) -> str:
        await release.wait()
        return "done"

    return create_app(
        {"slow": Agent(FunctionModel(slow))}, max_concurrent_per_client=limit, **options
    )


async def test_a_client_at_its_limit_still_gets_its_probes_answered(client: AppClient) -> None:
    release = asyncio.Event()
    app = _slow_app(release)
    http = client(app)
    running = [asyncio.create_task(http.post("/v1/chat/completions", json=CHAT)) for _ in range(2)]
    await wait_until(lambda: app.state.served.state.active_runs >= 2, "two runs started", every=0)
    assert (await http.post("/v1/chat/completions", json=CHAT)).status_code == 429
    assert (await http.get("/v1/models")).status_code == 429  # other routes still count
    health = await http.get("/healthz")
    ready = await http.get("/readyz")
    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    assert (ready.status_code, ready.json()["status"]) == (200, "ready")
    release.set()
    assert [r.status_code for r in await asyncio.gather(*running)] == [200, 200]


class _HeldProbe:
    """A probe request sent straight to the ASGI app whose body has not finished
    arriving, so the request stays in the server (in the guard) until ``finish()``."""

    def __init__(self, app: Starlette, path: str) -> None:
        self.sent: list[Message] = []
        self.rest = asyncio.Event()
        self.first = True
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [(b"host", b"serve")],
            "client": ("127.0.0.1", 50000),
            "server": ("serve", 80),
        }
        self.task = asyncio.create_task(app(scope, self.receive, self.send))

    async def receive(self) -> Message:
        if self.first:
            self.first = False
            return {"type": "http.request", "body": b"", "more_body": True}
        await self.rest.wait()
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(self, message: Message) -> None:
        self.sent.append(message)

    async def finish(self) -> int:
        self.rest.set()
        await self.task
        status: int = self.sent[0]["status"]
        return status


async def test_probes_in_flight_use_none_of_the_clients_budget(client: AppClient) -> None:
    release = asyncio.Event()
    release.set()
    app = _slow_app(release, limit=2)
    probes = [_HeldProbe(app, path) for path in ("/healthz", "/readyz", "/healthz")]
    for _ in range(10):  # each probe is now inside the app, waiting for the rest of its body
        await asyncio.sleep(0)
    assert not any(p.task.done() for p in probes)
    http = client(app)
    chats = await asyncio.gather(*(http.post("/v1/chat/completions", json=CHAT) for _ in range(2)))
    assert [r.status_code for r in chats] == [200, 200]
    assert [await p.finish() for p in probes] == [200, 200, 200]


async def test_probes_still_meet_the_size_limit(client: AppClient) -> None:
    app = _slow_app(asyncio.Event(), max_body_bytes=100)
    response = await client(app).request("GET", "/healthz", content=b"x" * 101)
    assert response.status_code == 413
    assert "over 100 bytes" in response.json()["error"]["message"]
