"""``POST /openai/v1/chat/completions``: the OpenAI-compatible surface (signed or API key)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from locus.emulator.errors import ApiError, not_found
from locus.emulator.parse_openai import parse_openai
from locus.emulator.render_openai import openai_chunks, openai_completion
from locus.emulator.responses import (
    EventStream,
    PartialBody,
    Reset,
    error_response,
    json_response,
)
from locus.emulator.routes_chat import ERROR_MESSAGE, prepare
from locus.emulator.service import Service, parse_body
from locus.emulator.toolstyle import apply_style

__all__ = ["chat_completions"]


async def chat_completions(service: Service, request: Request) -> Response:
    """Answer one OpenAI chat-completions request, or an error with OCI and OpenAI fields."""
    arrived = time.monotonic()
    request_id = service.request_id(request)
    try:
        return await _completions(service, request, request_id, arrived)
    except ApiError as error:
        return error_response(error, request_id, openai=True)


async def _completions(
    service: Service, request: Request, request_id: str, arrived: float
) -> Response:
    body = await request.body()
    service.authenticate(request, body, allow_bearer=True)
    compartment = request.headers.get("opc-compartment-id") or request.headers.get("compartmentid")
    if compartment and compartment != service.compartment_id:
        raise not_found(f"compartment {compartment}")
    payload = parse_body(body)
    conversation = parse_openai(payload)
    entry = service.catalogue.model(conversation.model)
    if entry is None or "GENERIC" not in entry.api_formats:
        raise not_found(f"model {conversation.model} on the OpenAI-compatible API")
    fault = service.faults.draw((entry.name,))
    if fault == "reset_before":
        return Reset(service.abort)
    await prepare(service, fault, arrived)
    reply = apply_style(await service.engine.reply(conversation), entry.tool_call_style)
    if payload.get("stream"):
        chunks = openai_chunks(
            reply, entry.name, _include_usage(payload), service.knobs.chunk_chars
        )
        error = _error_chunk() if fault == "error_event" else None
        return EventStream(
            chunks,
            request_id,
            service.knobs,
            fault,
            service.abort,
            done_marker=True,
            error_event=error,
        )
    completion = openai_completion(reply, entry.name)
    if fault == "reset_during":
        return PartialBody(completion, request_id, service.abort)
    return json_response(completion, request_id)


def _error_chunk() -> dict[str, Any]:
    """How an OpenAI-style stream reports a failure after it started: an ``error`` object."""
    return {"error": {"message": ERROR_MESSAGE, "type": "server_error", "code": "error_event"}}


def _include_usage(payload: Mapping[str, Any]) -> bool:
    options = payload.get("stream_options")
    return isinstance(options, Mapping) and bool(options.get("include_usage"))
