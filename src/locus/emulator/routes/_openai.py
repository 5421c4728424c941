"""``POST /openai/v1/chat/completions``: the OpenAI-compatible surface (signed or API key)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from locus.emulator._errors import not_found
from locus.emulator.routes._answer import Arrival, Rendering, answer, guarded
from locus.emulator.routes._service import Service, parse_body
from locus.emulator.wire import (
    openai_chunks,
    openai_completion,
    openai_error_chunk,
    openai_include_usage,
    parse_openai,
)

__all__ = ["chat_completions"]


@guarded(openai=True)
async def chat_completions(service: Service, request: Request, arrival: Arrival) -> Response:
    """Answer one OpenAI chat-completions request, or an error with OCI and OpenAI fields."""
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
    usage = openai_include_usage(payload)
    rendering = Rendering(
        stream=bool(payload.get("stream")),
        body=lambda reply: openai_completion(reply, entry.name),
        events=lambda reply: openai_chunks(reply, entry.name, usage, service.knobs.chunk_chars),
        error_event=openai_error_chunk,
        done_marker=True,
    )
    return await answer(
        service, arrival, conversation, rendering, (entry.name,), entry.tool_call_style
    )
