"""What the routes share: the agents, the counters and the options of one app."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from locus.serve._agents import AgentTable
from locus.serve._convert import BadRequest, encode_text, strict_json
from locus.serve._state import ServeState

__all__ = [
    "JSONAnswer",
    "Served",
    "UnsupportedMediaType",
    "error_response",
    "read_json",
    "refusal",
    "served",
]


@dataclass(slots=True)
class Served:
    agents: AgentTable
    state: ServeState
    shutdown_timeout: float
    paused_ttl: float = 86_400.0
    """Seconds a thread-less completion's paused run waits for approval (``_expiry``)."""
    clock: Callable[[], float] = time.time
    """Wall-clock seconds, for parked runs' times (tests set another)."""
    sweep_every: float | None = None
    """Seconds between the lifespan's sweeps (``None``: ``_expiry.sweep_interval``)."""
    owns_stores: bool = False
    """Whether the app closes its agents' thread stores when it stops (``locus serve``,
    which owns its process, sets it; an app mounted elsewhere leaves them to their owner)."""


def served(request: Request) -> Served:
    """The app's ``Served`` (set by ``create_app``)."""
    value: Served = request.app.state.served
    return value


class JSONAnswer(JSONResponse):
    """A JSON answer that can carry a lone UTF-16 surrogate (a client's or a model's text
    may hold one): it is written as its JSON escape (``\\ud800``) instead of failing."""

    def render(self, content: Any) -> bytes:
        text = json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        return encode_text(text)


class UnsupportedMediaType(BadRequest):
    """A body declared as something other than JSON (415)."""


async def read_json(request: Request) -> Any:
    """The request body as strict JSON (``strict_json``); ``BadRequest`` when it is not,
    ``UnsupportedMediaType`` when the request declares another content type (so a
    browser's cross-site form or ``text/plain`` post, which needs no CORS preflight, is
    never taken for an API call)."""
    declared = request.headers.get("content-type")
    if declared is not None and not _is_json_type(declared):
        raise UnsupportedMediaType(
            f"the body must be JSON: send 'Content-Type: application/json', not {declared!r}"
        )
    return strict_json(await request.body() or b"null", "the body")


def _is_json_type(declared: str) -> bool:
    media = declared.partition(";")[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


def refusal(exc: BadRequest) -> JSONAnswer:
    """The answer to a request refused by ``exc``: 415 for a body that is not declared
    JSON, else 400."""
    if isinstance(exc, UnsupportedMediaType):
        return error_response(415, str(exc), "invalid_request_error", "unsupported_media_type")
    return error_response(400, str(exc), "invalid_request_error")


def error_response(status: int, message: str, kind: str, code: str | None = None) -> JSONAnswer:
    """An OpenAI-style error answer (every route answers errors this way)."""
    error: dict[str, Any] = {"message": message, "type": kind}
    if code is not None:
        error["code"] = code
    return JSONAnswer({"error": error}, status_code=status)
