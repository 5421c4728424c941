"""``POST /20231130/actions/chat``: GENERIC, COHERE and COHEREV2, on-demand and DAC."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from locus.emulator.conversation import Conversation, Reply
from locus.emulator.errors import ApiError
from locus.emulator.parse_cohere import parse_cohere, parse_coherev2
from locus.emulator.parse_generic import parse_generic
from locus.emulator.render_cohere import (
    cohere_events,
    cohere_result,
    coherev2_events,
    coherev2_result,
)
from locus.emulator.render_generic import generic_events, generic_result
from locus.emulator.responses import (
    EventStream,
    PartialBody,
    Reset,
    error_response,
    json_response,
)
from locus.emulator.service import Service, fault_error, parse_body
from locus.emulator.serving import Target, resolve
from locus.emulator.toolstyle import apply_style

__all__ = ["ERROR_MESSAGE", "chat", "error_event", "prepare"]

_PARSERS: dict[str, Callable[[Mapping[str, Any], str], Conversation]] = {
    "GENERIC": parse_generic,
    "COHERE": parse_cohere,
    "COHEREV2": parse_coherev2,
}


async def chat(service: Service, request: Request) -> Response:
    """Answer one chat request, or the OCI error it deserves."""
    arrived = time.monotonic()
    request_id = service.request_id(request)
    try:
        return await _chat(service, request, request_id, arrived)
    except ApiError as error:
        return error_response(error, request_id)


async def _chat(service: Service, request: Request, request_id: str, arrived: float) -> Response:
    body = await request.body()
    service.authenticate(request, body)
    details = parse_body(body)
    target, chat_request = resolve(
        details, service.catalogue, service.compartment_id, service.region
    )
    api_format = str(chat_request["apiFormat"])
    conversation = _PARSERS[api_format](chat_request, target.model)
    fault = service.faults.draw(target.fault_keys)
    if fault == "reset_before":
        return Reset(service.abort)
    await prepare(service, fault, arrived)
    reply = apply_style(await service.engine.reply(conversation), target.tool_call_style)
    if chat_request.get("isStream"):
        include_usage = _include_usage(chat_request)
        events = _events(api_format, reply, conversation, include_usage, service.knobs.chunk_chars)
        error = error_event(api_format) if fault == "error_event" else None
        return EventStream(
            events, request_id, service.knobs, fault, service.abort, error_event=error
        )
    result = _result(api_format, reply, conversation, target)
    if fault == "reset_during":
        return PartialBody(result, request_id, service.abort)
    return json_response(result, request_id)


async def prepare(service: Service, fault: str | None, arrived: float) -> None:
    """Wait out the configured latency, then raise the HTTP error a fault calls for.

    The latency counts from ``arrived`` (``time.monotonic()`` when the handler began), like
    a real model's time to first byte: the emulator's own work (reading the body,
    checking the signature) is part of it, not added to it, so a busy emulator does
    not make a client look slower than it is.
    """
    delay = service.knobs.latency
    if fault == "slow_first_byte":
        delay += service.knobs.slow_first_byte
    if delay > 0:
        remaining = delay - (time.monotonic() - arrived)
        if remaining > 0:
            await asyncio.sleep(remaining)
    error = fault_error(fault) if fault else None
    if error is not None:
        raise error


ERROR_MESSAGE = "the model failed while generating (emulator fault error_event)"


def error_event(api_format: str) -> dict[str, Any]:
    """The event that ends a stream whose model failed (wire-spec §4.7, inferred).

    A finish event with ``finishReason`` ``ERROR`` and an ``errorMessage``, in the stream's
    format (the text so far is not repeated: COHERE's terminal event carries none).
    """
    if api_format == "COHERE":
        return {
            "apiFormat": "COHERE",
            "text": "",
            "finishReason": "ERROR",
            "errorMessage": ERROR_MESSAGE,
        }
    event: dict[str, Any] = {
        "message": {"role": "ASSISTANT"},
        "finishReason": "ERROR",
        "errorMessage": ERROR_MESSAGE,
    }
    if api_format == "COHEREV2":
        return {"apiFormat": "COHEREV2", **event}
    return {"index": 0, **event}


def _include_usage(chat_request: Mapping[str, Any]) -> bool:
    options = chat_request.get("streamOptions")
    return isinstance(options, Mapping) and bool(options.get("isIncludeUsage"))


def _result(
    api_format: str, reply: Reply, conversation: Conversation, target: Target
) -> dict[str, Any]:
    if api_format == "COHERE":
        return cohere_result(reply, conversation, target.model, target.version)
    if api_format == "COHEREV2":
        return coherev2_result(reply, target.model, target.version)
    return generic_result(reply, target.model, target.version)


def _events(
    api_format: str,
    reply: Reply,
    conversation: Conversation,
    include_usage: bool,
    chunk_chars: int,
) -> Iterator[dict[str, Any]]:
    if api_format == "COHERE":
        return cohere_events(reply, conversation, include_usage, chunk_chars)
    if api_format == "COHEREV2":
        return coherev2_events(reply, include_usage, chunk_chars)
    return generic_events(reply, include_usage, chunk_chars)
