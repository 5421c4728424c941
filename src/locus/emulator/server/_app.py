"""The Starlette application: OCI chat, the OpenAI-compatible surface, and the admin route."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

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


def build_app(service: Service) -> Starlette:
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

    routes = [
        _route("/20231130/actions/chat", chat, service, ["POST"]),
        _route("/20231130/actions/embedText", embed_text, service, ["POST"]),
        _route("/20231130/actions/rerankText", rerank_text, service, ["POST"]),
        _route("/openai/v1/chat/completions", chat_completions, service, ["POST"]),
        _route("/20231130/actions/v1/chat/completions", chat_completions, service, ["POST"]),
        _route("/20231130/actions/applyGuardrails", apply_guardrails, service, ["POST"]),
        _route("/admin/guardrails", guardrail_settings, service, ["GET", "POST"]),
        _route("/admin/{action}", admin, service, ["GET", "POST"]),
        *principal_routes(lambda: service.principals, service.request_id),
    ]
    return Starlette(
        routes=routes, lifespan=lifespan, exception_handlers={404: unknown, 405: unknown}
    )


def _route(path: str, handler: Handler, service: Service, methods: list[str]) -> Route:
    async def endpoint(request: Request) -> Response:
        return await handler(service, request)

    return Route(path, endpoint, methods=methods)
