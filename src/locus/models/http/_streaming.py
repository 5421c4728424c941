"""One streamed answer read to its end: JSON events through the codec's decoder and the
text tool-call parser, a short wait for a trailing usage event, and the final event; and
``unwatched``, which lets a stream whose events no one shows be retried like a whole answer."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextvars import ContextVar
from typing import TYPE_CHECKING

from locus.core.errors import StreamError
from locus.core.response import StreamEvent
from locus.models._wire.codec import StreamDecoder
from locus.models.http._answer import Answer
from locus.models.http._sse_reader import JsonEventReader
from locus.models.http._wire_log import log_event, wire_logged

if TYPE_CHECKING:  # (made by a model that parses text tool calls: HTTPChatModel)
    from locus.models.http._textcalls import StreamTextCalls

__all__ = ["StreamRead", "require_event_stream", "stream_events", "unwatched"]

unwatched: ContextVar[bool] = ContextVar("locus_unwatched_stream", default=False)
"""Whether the stream being read reaches no one as it comes: set by an agent run whose
events no caller reads (``arun``, ``run_sync``, ``resume``) while it takes a model call's
answer from the final event alone. A stream that breaks after some events then did not
show them to anyone, so ``HTTPChatModel.stream`` retries it within the call's retry
budget, as ``complete()`` retries a whole answer cut short; otherwise a stream is retried
only before its first event (a retry would show text again). Read once per broken stream,
never per event."""


_MAIN, _GRACE, _END = "main", "grace", "end"  # a StreamRead's phases


async def require_event_stream(response: Answer, endpoint: str) -> None:
    """A stream answered with anything but SSE is an error, never read as SSE or retried."""
    content_type = response.headers.get("content-type", "")
    if content_type.partition(";")[0].strip().lower() == "text/event-stream":
        return
    await response.aclose()
    raise StreamError(
        f"asked {endpoint} for a stream (text/event-stream) but it answered with "
        f"content-type {content_type or 'none'!r}",
        endpoint=endpoint,
        hint="a proxy or gateway between you and the service may be rewriting answers",
    )


class StreamRead:
    """One streamed answer read to its end, a batch of shown events per JSON event:
    decoded events up to the finish, a short wait for a trailing usage event, the end.

    A coroutine per event read (``next_events``), not a generator: the model's ``stream``
    is the only generator between the wire and its caller.
    """

    __slots__ = ("_decoder", "_phase", "_reader", "_request_id", "_texts", "_wire")

    def __init__(
        self,
        reader: JsonEventReader,
        decoder: StreamDecoder,
        texts: StreamTextCalls | None,
        request_id: str | None,
    ) -> None:
        self._reader: JsonEventReader | None = reader
        self._decoder = decoder
        self._texts = texts
        self._request_id = request_id
        self._phase = _MAIN
        self._wire = wire_logged()  # (``locus.wire`` at DEBUG: each event is logged)

    async def next_events(self) -> list[StreamEvent] | None:
        """The shown events of the next JSON event (maybe none); ``None`` after the last."""
        reader = self._reader
        if reader is None:
            return None
        phase = self._phase
        if phase is not _END:
            payload = await (reader.next() if phase is _MAIN else reader.next_within_grace())
            if payload is not None:
                if self._wire:
                    log_event(self._request_id, payload)
                events = self._decoder.feed(payload)
                if phase is _MAIN:
                    if self._decoder.finished:  # then a short wait for a trailing usage event
                        self._phase = _END if payload.get("usage") else _GRACE
                elif payload.get("usage"):
                    self._phase = _END
                return _shown(events, self._texts)
        return await self._end(reader)

    async def _end(self, reader: JsonEventReader) -> list[StreamEvent]:
        self._reader = None
        await reader.release()
        final = self._decoder.close()
        if final.response is not None and final.response.request_id is None:
            final.response.request_id = self._request_id
        return self._texts.finish(final) if self._texts else [final]


async def stream_events(
    reader: JsonEventReader,
    decoder: StreamDecoder,
    texts: StreamTextCalls | None,
    request_id: str | None,
) -> AsyncGenerator[StreamEvent, None]:
    """``StreamRead``'s events one by one, as a generator (``HTTPChatModel.stream`` uses
    ``StreamRead`` directly: one generator less per answer)."""
    read = StreamRead(reader, decoder, texts, request_id)
    while (events := await read.next_events()) is not None:
        for event in events:
            yield event


def _shown(events: list[StreamEvent], texts: StreamTextCalls | None) -> list[StreamEvent]:
    """The events to show for decoded ``events`` (through the text tool-call parser, if any)."""
    if texts is None or not events:
        return events
    return [shown for event in events for shown in texts.feed(event)]
