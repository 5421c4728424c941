"""The ASGI application: OCI chat, the OpenAI-compatible surface, and the admin route.

Starlette routes every request; the operations a client calls under load (the ``POST``
actions on a fixed path) skip its middleware and router and go straight to their
handler, with the same answer for an unexpected error (a plain 500, then the error is
raised for the server to log) that Starlette's error middleware gives.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from locus.emulator._errors import ApiError
from locus.emulator.auth import principal_routes
from locus.emulator.routes import (
    Service,
    admin,
    chat,
    chat_completions,
    embed_text,
    rerank_text,
)
from locus.emulator.routes._guardrails import apply_guardrails, guardrail_settings
from locus.emulator.wire import error_response

__all__ = ["build_app"]

Handler = Callable[[Service, Request], Awaitable[Response]]
Endpoint = Callable[[Request], Awaitable[Response]]


def build_app(service: Service) -> ASGIApp:
    """An ASGI app serving ``service``."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await service.engine.aclose()

    async def unknown(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 404
        code = "MethodNotAllowed" if status == 405 else "NotAuthorizedOrNotFound"
        error = ApiError(status, code, f"{request.method} {request.url.path} is not an operation")
        return error_response(error, service.request_id(request))

    actions: dict[str, Handler] = {
        "/20231130/actions/chat": chat,
        "/20231130/actions/embedText": embed_text,
        "/20231130/actions/rerankText": rerank_text,
        "/openai/v1/chat/completions": chat_completions,
        "/20231130/actions/v1/chat/completions": chat_completions,
        "/20231130/actions/applyGuardrails": apply_guardrails,
    }
    routes = [
        *(_route(path, handler, service, ["POST"]) for path, handler in actions.items()),
        _route("/admin/guardrails", guardrail_settings, service, ["GET", "POST"]),
        _route("/admin/{action}", admin, service, ["GET", "POST"]),
        *principal_routes(lambda: service.principals, service.request_id),
    ]
    app = Starlette(
        routes=routes, lifespan=lifespan, exception_handlers={404: unknown, 405: unknown}
    )
    return _Front(app, {path: _endpoint(handler, service) for path, handler in actions.items()})


def _endpoint(handler: Handler, service: Service) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        return await handler(service, request)

    return endpoint


def _route(path: str, handler: Handler, service: Service, methods: list[str]) -> Route:
    return Route(path, _endpoint(handler, service), methods=methods)


class _Front:
    """``POST`` to an action path goes to its endpoint directly; the rest to ``app``."""

    def __init__(self, app: ASGIApp, actions: dict[str, Endpoint]) -> None:
        self._app = app
        self._actions = actions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        endpoint = None
        if scope["type"] == "http" and scope["method"] == "POST":
            endpoint = self._actions.get(scope["path"])
        if endpoint is None:
            await self._app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            response = await endpoint(Request(scope, receive, send))
            await response(scope, receive, tracked)
        except Exception:
            if not started:
                await PlainTextResponse("Internal Server Error", 500)(scope, receive, send)
            raise
