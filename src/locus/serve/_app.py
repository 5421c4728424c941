"""``create_app``: the Starlette app that serves agents."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from locus.core.errors import ConfigurationError
from locus.serve._a2a import AUTH_KEY, a2a_rpc, agent_card_of, only_agent_card
from locus.serve._agents import AgentTable
from locus.serve._expiry import DEFAULT_PAUSED_TTL, sweeping
from locus.serve._guard import Guard, GuardOptions
from locus.serve._handlers import chat_completions, resume_run, run_agent
from locus.serve._openai import models_body
from locus.serve._served import Served, error_response, served
from locus.serve._state import ServeState
from locus.serve._threads import delete_thread, get_thread, list_threads
from locus.serve._ui import chat_page

__all__ = ["TOKEN_ENV", "create_app"]

TOKEN_ENV = "LOCUS_SERVE_TOKEN"
log = logging.getLogger("locus.serve")
auth_log = logging.getLogger("locus.serve.auth")
"""Where "auth is off" is said: once per ``locus serve``, so its workers quiet it."""


def create_app(
    agents: Any,
    *,
    token: str | None = None,
    ui: bool = False,
    max_body_bytes: int = 1_000_000,
    max_concurrent_per_client: int = 64,
    cors_origins: Sequence[str] = (),
    shutdown_timeout: float = 30.0,
    paused_ttl: float = DEFAULT_PAUSED_TTL,
) -> Starlette:
    """A Starlette app serving ``agents`` (one agent, or ``{name: agent}``).

    ``token`` (default: the ``LOCUS_SERVE_TOKEN`` environment variable) is the bearer
    token every API call must carry; without one, auth is off and only loopback clients
    are served (a warning says so). A body over ``max_body_bytes`` is refused with 413;
    a client with ``max_concurrent_per_client`` requests in flight gets 429. The client
    (for that limit and for the loopback rule) is ``scope["client"]`` as the server
    running the app reports it: behind a proxy, let the server rewrite it from
    ``X-Forwarded-For`` for trusted proxies only (uvicorn's ``forwarded_allow_ips``;
    docs/serving.md), which is why the app has no proxy option of its own. With auth off,
    a request must also name a loopback host and, from a browser, come from a loopback
    origin or one of ``cors_origins`` (DNS rebinding, cross-site posts). CORS is off
    unless ``cors_origins`` lists the origins allowed. ``ui=True`` serves the chat page
    at ``/``. On shutdown, running streams get ``shutdown_timeout`` seconds to finish.
    A completion without a thread that pauses for approval is parked in the agent's
    store for ``paused_ttl`` seconds (default a day), then removed (its approval gets
    410); runs paused on a named thread never expire (docs/serving.md). The app's
    counters are ``app.state.served.state`` (also ``GET /v1/status``).
    """
    table = AgentTable(agents)
    _check_limits(max_body_bytes, max_concurrent_per_client, shutdown_timeout, paused_ttl)
    token = token if token is not None else os.environ.get(TOKEN_ENV) or None
    if token is None:
        auth_log.warning("auth is off (no %s): serving loopback clients only", TOKEN_ENV)
    guard = GuardOptions(token, max_body_bytes, max_concurrent_per_client, frozenset(cors_origins))
    middleware = [Middleware(Guard, options=guard)]
    if cors_origins:
        middleware.insert(0, _cors(cors_origins))
    app = Starlette(
        routes=_routes(ui),
        middleware=middleware,
        lifespan=_lifespan,
        exception_handlers={HTTPException: _http_error, Exception: _server_error},
    )
    app.state.served = Served(table, ServeState(), shutdown_timeout, float(paused_ttl))
    setattr(app.state, AUTH_KEY, token is not None)  # (the A2A cards declare the token)
    return app


def _check_limits(
    max_body: int, per_client: int, shutdown_timeout: float, paused_ttl: float
) -> None:
    for name, value in (("max_body_bytes", max_body), ("max_concurrent_per_client", per_client)):
        if not isinstance(value, int) or value < 1:
            raise ConfigurationError(f"{name} must be a positive integer, not {value!r}")
    if shutdown_timeout < 0:
        raise ConfigurationError(f"shutdown_timeout must be >= 0, not {shutdown_timeout!r}")
    if not isinstance(paused_ttl, int | float) or not 0 < paused_ttl < float("inf"):
        raise ConfigurationError(
            f"paused_ttl must be a positive number of seconds, not {paused_ttl!r}"
        )


def _cors(origins: Sequence[str]) -> Middleware:
    return Middleware(
        CORSMiddleware,
        allow_origins=list(origins),
        allow_methods=["GET", "POST", "DELETE"],
        allow_headers=["authorization", "content-type"],
    )


def _routes(ui: bool) -> list[Route]:
    routes = [  # the run routes first: the router tries each route in turn
        Route("/v1/chat/completions", _Direct(chat_completions), methods=["POST"]),
        Route("/v1/agents/{name}/runs", _Direct(run_agent), methods=["POST"]),
        Route("/a2a/{name}", _Direct(a2a_rpc), methods=["POST"]),
        Route("/healthz", _healthz),
        Route("/readyz", _readyz),
        Route("/v1/status", _status),
        Route("/v1/models", _models),
        Route("/v1/agents", _agents),
        Route("/v1/agents/{name}/runs/{run_id}/approvals", resume_run, methods=["POST"]),
        Route("/v1/threads", list_threads),
        Route("/v1/threads/{thread_id:path}", get_thread, methods=["GET"]),
        Route("/v1/threads/{thread_id:path}", delete_thread, methods=["DELETE"]),
        Route("/.well-known/agent-card.json", only_agent_card, methods=["GET"]),
        Route("/a2a/{name}/.well-known/agent-card.json", agent_card_of, methods=["GET"]),
    ]
    if ui:
        routes.append(Route("/", chat_page))
    return routes


class _Direct:
    """A request handler as a plain ASGI endpoint. Starlette wraps a function endpoint
    in an exception-handling layer that every write of a stream then passes through;
    these handlers answer their own errors, so the run routes skip it."""

    def __init__(self, handler: Callable[[Request], Awaitable[Response]]) -> None:
        self.handler = handler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await self.handler(Request(scope, receive, send))
        await response(scope, receive, send)


@asynccontextmanager
async def _lifespan(app: Starlette) -> AsyncIterator[None]:
    served_app: Served = app.state.served
    await _prepare_models(served_app.agents)
    sweeper = asyncio.create_task(
        sweeping(
            served_app.agents,
            served_app.state,
            served_app.paused_ttl,
            served_app.clock,
            served_app.sweep_every,
        )
    )
    try:
        yield
    finally:
        sweeper.cancel()
        await asyncio.wait((sweeper,))
    state = served_app.state
    state.draining = True
    if not await state.wait_idle(app.state.served.shutdown_timeout):
        log.warning("shutdown: %d run(s) still open after the timeout", state.active_runs)
    await _finish_records(app, served_app.shutdown_timeout)
    if served_app.owns_stores:
        await _close_stores(served_app.agents, served_app.shutdown_timeout)


async def _close_stores(table: AgentTable, timeout: float) -> None:
    """Close the agents' thread stores (each once), each within ``timeout`` seconds: their
    connections are closed in order, while the loop still runs, rather than by the loop's
    end (which a PostgreSQL store also survives, ``stores._postgres_loop``) or not at all
    (a store of the user's own kind)."""
    stores = {}
    for name in table.names():
        store = getattr(table.get(name), "thread_store", None)
        stores[id(store)] = store
    for store in stores.values():
        aclose = getattr(store, "aclose", None)
        if aclose is None:
            continue
        try:
            await asyncio.wait_for(aclose(), timeout)
        except Exception as exc:  # (logged: the process is stopping anyway)
            log.warning("shutdown: a thread store did not close: %s: %s", type(exc).__name__, exc)


async def _finish_records(app: Starlette, timeout: float) -> None:
    """Let the A2A task records still being written in the background (their context's
    lock was held when their run ended) reach the store, for up to ``timeout`` seconds:
    a record left unwritten would show its task running to every other process."""
    table = getattr(app.state, "a2a_tasks", None)
    writing = set(table.later) if table is not None else set()
    if not writing:
        return
    _, unwritten = await asyncio.wait(writing, timeout=timeout)
    if unwritten:
        log.warning("shutdown: %d A2A task record(s) not written in time", len(unwritten))


async def _prepare_models(table: AgentTable) -> None:
    """Each agent's model does now what its first call would do first (credentials, HTTP
    client, SSL context: ``HTTPChatModel.prepare``), so the first chat does not wait for it.
    A model that cannot is logged, not fatal: its calls raise the same error, to the client."""
    for name in table.names():
        model = getattr(table.get(name), "model", None)
        prepare = getattr(model, "prepare", None)
        if prepare is None:
            continue
        try:
            await prepare()
        except Exception as exc:  # (the typed errors say what to do; they hold no secrets)
            log.error("agent %r: its model is not ready: %s: %s", name, type(exc).__name__, exc)


async def _http_error(request: Request, exc: Exception) -> Response:
    """A route that does not exist, or a method a route does not take: a JSON error, as
    every other refusal (with the exception's headers: a 405's ``Allow``)."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        message = f"{request.method} is not allowed on {request.url.path}"
        answer = error_response(405, message, "invalid_request_error", "method_not_allowed")
    elif exc.status_code == 404:
        message = f"no route {request.url.path!r}: see docs/serving.md for the routes"
        answer = error_response(404, message, "not_found")
    else:
        answer = error_response(exc.status_code, str(exc.detail), "invalid_request_error")
    answer.headers.update(exc.headers or {})
    return answer


async def _server_error(request: Request, exc: Exception) -> Response:
    """An unexpected error: a JSON 500 that names its type only (the log has the rest)."""
    return error_response(500, f"internal error ({type(exc).__name__})", "server_error")


async def _healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def _readyz(request: Request) -> Response:
    if served(request).state.draining:
        return JSONResponse({"status": "draining"}, status_code=503)
    return JSONResponse({"status": "ready", "agents": served(request).agents.names()})


async def _status(request: Request) -> Response:
    return JSONResponse(served(request).state.snapshot())


async def _models(request: Request) -> Response:
    return JSONResponse(models_body(served(request).agents.names()))


async def _agents(request: Request) -> Response:
    table = served(request).agents
    return JSONResponse({"agents": [table.describe(name) for name in table.names()]})
