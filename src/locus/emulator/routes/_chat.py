"""``POST /20231130/actions/chat``: GENERIC, COHERE and COHEREV2, on-demand and DAC."""

from __future__ import annotations

from dataclasses import replace

from starlette.requests import Request
from starlette.responses import Response

from locus.emulator.routes._answer import Arrival, Rendering, answer, guarded
from locus.emulator.routes._service import Service, parse_body
from locus.emulator.routes._target import resolve
from locus.emulator.wire import CHAT_FORMATS, include_usage

__all__ = ["chat"]


@guarded()
async def chat(service: Service, request: Request, arrival: Arrival) -> Response:
    """Answer one chat request, or the OCI error it deserves."""
    body = await request.body()
    service.authenticate(request, body)
    details = parse_body(body)
    target, chat_request = resolve(
        details, service.catalogue, service.compartment_id, service.region
    )
    chat_format = CHAT_FORMATS[str(chat_request["apiFormat"])]
    conversation = chat_format.parse(chat_request, target.model)
    if target.ignores_response_format:
        conversation = replace(conversation, json_mode=False, json_schema=None)
    usage = include_usage(chat_request)
    rendering = Rendering(
        stream=bool(chat_request.get("isStream")),
        body=lambda reply: chat_format.result(reply, conversation, target.model, target.version),
        events=lambda reply: chat_format.events(
            reply, conversation, usage, service.knobs.chunk_chars
        ),
        error_event=chat_format.error_event,
    )
    return await answer(
        service, arrival, conversation, rendering, target.fault_keys, target.tool_call_style
    )
