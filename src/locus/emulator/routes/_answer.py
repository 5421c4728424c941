"""What every route does around its own work: time the arrival, turn an :class:`ApiError`
into its answer, draw a fault and wait out the latency, then send the engine's reply
whole or as a stream, with the fault's effect.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

from locus.emulator._conversation import Conversation, Reply
from locus.emulator._errors import ApiError
from locus.emulator._faults import Fault, fault_error
from locus.emulator.engines._structured import spoil
from locus.emulator.routes._service import Service
from locus.emulator.wire import (
    EventStream,
    Pacing,
    PartialBody,
    Reset,
    apply_style,
    error_response,
    json_response,
)

__all__ = ["ERROR_MESSAGE", "Arrival", "Rendering", "answer", "first_byte", "guarded"]

ERROR_MESSAGE = "the model failed while generating (emulator fault error_event)"
Route = Callable[[Service, Request], Awaitable[Response]]


@dataclass(frozen=True, slots=True)
class Arrival:
    """When a request arrived (``time.monotonic()``) and the ``opc-request-id`` it gets."""

    at: float
    request_id: str


Handler = Callable[[Service, Request, Arrival], Awaitable[Response]]


@dataclass(frozen=True, slots=True)
class Rendering:
    """How a route writes a reply: a whole body, or stream events ending in an error event
    when the ``error_event`` fault fires (``error_event(message)``); ``done_marker`` adds
    ``data: [DONE]`` whatever the settings say."""

    stream: bool
    body: Callable[[Reply], dict[str, Any]]
    events: Callable[[Reply], Iterable[Mapping[str, Any]]]
    error_event: Callable[[str], dict[str, Any]]
    done_marker: bool = False


def guarded(openai: bool = False) -> Callable[[Handler], Route]:
    """Make a handler a route: it gets the :class:`Arrival`, and an :class:`ApiError` it
    raises becomes the error answer (with an OpenAI ``error`` object when ``openai``)."""

    def decorate(handler: Handler) -> Route:
        @functools.wraps(handler)
        async def route(service: Service, request: Request) -> Response:
            arrival = Arrival(time.monotonic(), service.request_id(request))
            service.journal.record(request.method, _url_path(request.scope), arrival.request_id)
            try:
                return await handler(service, request, arrival)
            except ApiError as error:
                return error_response(error, arrival.request_id, openai=openai)

        return route

    return decorate


def _url_path(scope: Scope) -> str:
    """``request.url.path`` without building the URL: the path with ``?``, ``#`` and ``\\``
    escaped, as Starlette's ``URL`` writes them."""
    path: str = scope["path"]
    return path.replace("?", "%3F").replace("#", "%23").replace("\\", "%5C")


async def first_byte(service: Service, fault_keys: Iterable[str], arrival: Arrival) -> Fault | None:
    """Draw the request's fault; unless it is a reset, wait out the latency and raise
    the HTTP error the fault calls for.

    The latency counts from the arrival, like a real model's time to first byte: the
    emulator's own work (reading the body, checking the signature) is part of it, not
    added to it, so a busy emulator does not make a client look slower than it is.
    """
    fault = service.faults.draw(fault_keys)
    if fault is Fault.RESET_BEFORE:
        return fault
    delay = service.knobs.latency
    if fault is Fault.SLOW_FIRST_BYTE:
        service.faults.record(fault)
        delay += service.knobs.slow_first_byte
    remaining = delay - (time.monotonic() - arrival.at)
    if delay > 0 and remaining > 0:
        await asyncio.sleep(remaining)
    error = fault_error(fault) if fault else None
    if fault and error is not None:
        service.faults.record(fault)
        raise error
    return fault


async def answer(
    service: Service,
    arrival: Arrival,
    conversation: Conversation,
    rendering: Rendering,
    fault_keys: tuple[str, ...],
    style: str,
) -> Response:
    """The engine's reply to ``conversation`` in tool-call ``style``, rendered, with the
    fault drawn for ``fault_keys`` (the endpoint or model asked for)."""
    fault = await first_byte(service, fault_keys, arrival)
    if fault is Fault.RESET_BEFORE:
        return Reset(service.hooks)
    reply = spoil(await service.engine.reply(conversation), conversation, service.knobs)
    reply = apply_style(reply, style)
    if rendering.stream:
        return _stream(service, arrival.request_id, reply, fault, rendering)
    body = rendering.body(reply)
    if fault is Fault.RESET_DURING:
        return PartialBody(body, arrival.request_id, service.hooks)
    return json_response(body, arrival.request_id)


def _stream(
    service: Service, request_id: str, reply: Reply, fault: Fault | None, rendering: Rendering
) -> EventStream:
    knobs = service.knobs
    pacing = Pacing(
        knobs.chunk_delay,
        knobs.hold_open,
        rendering.done_marker or knobs.done_marker,
        knobs.coalesce_writes,
    )
    error = rendering.error_event(ERROR_MESSAGE) if fault is Fault.ERROR_EVENT else None
    events = rendering.events(reply)
    return EventStream(events, request_id, pacing, service.hooks, fault, error)
