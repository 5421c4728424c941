"""What the routes share: the agents, the counters and the options of one app."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from locus.serve._agents import AgentTable
from locus.serve._convert import BadRequest
from locus.serve._state import ServeState

__all__ = ["Served", "error_response", "read_json", "served"]


@dataclass(slots=True)
class Served:
    agents: AgentTable
    state: ServeState
    shutdown_timeout: float


def served(request: Request) -> Served:
    """The app's ``Served`` (set by ``create_app``)."""
    value: Served = request.app.state.served
    return value


async def read_json(request: Request) -> Any:
    """The request body as JSON; ``BadRequest`` when it is not."""
    body = await request.body()
    try:
        return json.loads(body or b"null")
    except ValueError as exc:
        raise BadRequest(f"the body is not JSON: {exc}") from None


def error_response(status: int, message: str, kind: str, code: str | None = None) -> JSONResponse:
    """An OpenAI-style error answer (every route answers errors this way)."""
    error: dict[str, Any] = {"message": message, "type": kind}
    if code is not None:
        error["code"] = code
    return JSONResponse({"error": error}, status_code=status)
