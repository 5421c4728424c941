"""One streamed answer read to its end: JSON events through the codec's decoder and the
text tool-call parser, a short wait for a trailing usage event, and the final event."""

from __future__ import annotations

from collections.abc import AsyncGenerator

from locus.core.errors import StreamError
from locus.core.response import StreamEvent
from locus.models._wire.codec import StreamDecoder
from locus.models.http._answer import Answer
from locus.models.http._sse_reader import JsonEventReader
from locus.models.http._textcalls import StreamTextCalls

__all__ = ["require_event_stream", "stream_events"]


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


async def stream_events(
    reader: JsonEventReader,
    decoder: StreamDecoder,
    texts: StreamTextCalls | None,
    request_id: str | None,
) -> AsyncGenerator[StreamEvent, None]:
    """Decoded events up to the finish, a short wait for a trailing usage event, the end.

    One generator for the whole read (no inner generator per event).
    """
    payload = await reader.next()
    while payload is not None:
        for shown in _shown(decoder.feed(payload), texts):
            yield shown
        if decoder.finished:
            break
        payload = await reader.next()
    while payload is not None and not payload.get("usage"):
        payload = await reader.next_within_grace()
        if payload is not None:
            for shown in _shown(decoder.feed(payload), texts):
                yield shown
    await reader.release()
    final = decoder.close()
    if final.response is not None and final.response.request_id is None:
        final.response.request_id = request_id
    for shown in texts.finish(final) if texts else [final]:
        yield shown


def _shown(events: list[StreamEvent], texts: StreamTextCalls | None) -> list[StreamEvent]:
    """The events to show for decoded ``events`` (through the text tool-call parser, if any)."""
    if texts is None or not events:
        return events
    return [shown for event in events for shown in texts.feed(event)]
