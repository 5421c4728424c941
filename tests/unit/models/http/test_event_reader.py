"""JsonEventReader reading straight from a transport's BodySource: events, end, release."""

from __future__ import annotations

import asyncio
import math
import time

import httpx
import pytest

from locus.core.errors import StreamError
from locus.models.http import BODY_SOURCE
from locus.models.http._answer import Answer
from locus.models.http._limits import AnswerLimits
from locus.models.http._sse_reader import DRAIN_SECONDS, JsonEventReader


class Source(httpx.AsyncByteStream):
    """A body that arrives in ``parts``; ``held`` keeps it open (more may come) afterwards."""

    def __init__(self, parts: list[bytes], *, held: bool = False) -> None:
        self.parts = list(parts)
        self.held = held
        self.reads = 0
        self.closed = False

    async def read_chunk(self) -> bytes:
        self.reads += 1
        if self.parts:
            return self.parts.pop(0)
        if self.held:
            await asyncio.Event().wait()  # a server that keeps the stream open
        return b""

    def received_all(self) -> bool:
        return not self.held and not self.parts

    async def aclose(self) -> None:
        self.closed = True


def reader_for(source: Source) -> JsonEventReader:
    response = httpx.Response(200, stream=source, extensions={BODY_SOURCE: source})
    return JsonEventReader(response, endpoint="http://test", grace=0.05)


async def test_events_come_from_the_source_in_order() -> None:
    source = Source([b'data: {"n": 1}\n\ndata: {"n"', b": 2}\n\n", b"data: [DONE]\n\n"])
    reader = reader_for(source)
    assert await reader.next() == {"n": 1}
    assert await reader.next() == {"n": 2}
    assert await reader.next() is None
    await reader.release()
    assert source.closed


async def test_release_does_not_wait_when_the_whole_body_is_in() -> None:
    source = Source([b'data: {"n": 1}\n\n', b'data: {"usage": {}}\n\n'])
    reader = reader_for(source)
    assert await reader.next() == {"n": 1}
    source.parts.clear()  # the rest has arrived; nothing left that needs reading
    reads = source.reads
    await reader.release()
    assert source.reads == reads and source.closed


async def test_release_drains_an_open_stream_for_a_moment_only() -> None:
    source = Source([b'data: {"n": 1}\n\n', b": trailing\n\n"], held=True)
    reader = reader_for(source)
    assert await reader.next() == {"n": 1}
    started = time.monotonic()
    await reader.release()
    assert time.monotonic() - started < DRAIN_SECONDS + 1.0
    assert source.parts == [] and source.closed  # what was there was read, then closed


async def test_a_broken_source_is_a_stream_error() -> None:
    class Broken(Source):
        async def read_chunk(self) -> bytes:
            raise httpx.ReadError("connection reset")

    reader = reader_for(Broken([]))
    with pytest.raises(StreamError):
        await reader.next()
    await reader.aclose()


class Trickle(Source):
    """An open stream whose ``late`` part arrives only when ``arrive`` is set."""

    def __init__(self, parts: list[bytes], late: bytes) -> None:
        super().__init__(parts, held=True)
        self.late = late
        self.arrive = asyncio.Event()

    async def read_chunk(self) -> bytes:
        if not self.parts and self.late:
            await self.arrive.wait()
            late, self.late = self.late, b""
            return late
        return await super().read_chunk()


def limited_reader(source: Source, *, attempt: float | None, grace: float) -> JsonEventReader:
    response = httpx.Response(200, stream=source, extensions={BODY_SOURCE: source})
    limits = AnswerLimits(attempt=attempt)
    return JsonEventReader(response, endpoint="http://test", grace=grace, limits=limits)


async def test_the_grace_ends_a_wait_for_a_usage_event_that_never_comes() -> None:
    reader = limited_reader(Source([b'data: {"n": 1}\n\n'], held=True), attempt=30.0, grace=0.05)
    assert await reader.next() == {"n": 1}
    assert await reader.next_within_grace() is None
    assert await reader.next() is None  # the reader has ended
    await reader.aclose()


async def test_an_attempt_timeout_shorter_than_the_grace_is_an_error() -> None:
    reader = limited_reader(Source([b'data: {"n": 1}\n\n'], held=True), attempt=0.05, grace=30.0)
    assert await reader.next() == {"n": 1}
    with pytest.raises(StreamError, match=r"sent no event for 0\.05 s"):
        await reader.next_within_grace()
    await reader.aclose()


async def test_a_usage_event_within_the_grace_is_read() -> None:
    source = Trickle([b'data: {"n": 1}\n\n'], b'data: {"usage": {"totalTokens": 3}}\n\n')
    reader = limited_reader(source, attempt=30.0, grace=30.0)
    assert await reader.next() == {"n": 1}
    waiting = asyncio.ensure_future(reader.next_within_grace())
    await asyncio.sleep(0)
    assert not waiting.done()  # it waits for the network...
    source.arrive.set()
    assert await waiting == {"usage": {"totalTokens": 3}}  # ...and takes what arrives
    await reader.aclose()


async def test_a_body_all_in_is_read_past_the_grace_without_waiting() -> None:
    source = Source([b'data: {"n": 1}\n\n', b'data: {"usage": {}}\n\n'])
    reader = limited_reader(source, attempt=30.0, grace=0.0)
    assert await reader.next() == {"n": 1}
    assert await reader.next_within_grace() == {"usage": {}}  # no read of it can wait
    assert await reader.next_within_grace() is None


class ReadyAnswer(Answer):
    """An answer whose ``ready`` parts are there without a wait; then it reads ``later``."""

    __slots__ = ("later", "reads", "ready")

    def __init__(self, ready: list[bytes | Exception], later: list[bytes]) -> None:
        super().__init__(200, {}, math.inf)
        self.ready, self.later, self.reads = list(ready), list(later), 0

    @property
    def is_closed(self) -> bool:
        return False

    def ready_chunk(self) -> bytes | None:
        if self.ready:
            part = self.ready.pop(0)
            if isinstance(part, Exception):
                raise part
            return part
        return None

    async def read_chunk(self) -> bytes:
        self.reads += 1
        return self.later.pop(0) if self.later else b""

    async def aclose(self) -> None:
        pass


async def test_data_that_is_there_is_read_without_a_read_that_waits() -> None:
    answer = ReadyAnswer([b'data: {"n": 1}\n\ndata: {"n"', b": 2}\n\n"], [b'data: {"n": 3}\n\n'])
    reader = JsonEventReader(answer, endpoint="http://test")
    assert [await reader.next(), await reader.next()] == [{"n": 1}, {"n": 2}]
    assert answer.reads == 0
    assert await reader.next() == {"n": 3}  # nothing ready: the bounded read
    assert answer.reads == 1
    assert await reader.next() is None


async def test_a_ready_chunk_that_fails_is_a_stream_error() -> None:
    answer = ReadyAnswer([httpx.ReadError("connection reset")], [])
    reader = JsonEventReader(answer, endpoint="http://test")
    with pytest.raises(StreamError, match="http://test"):
        await reader.next()


async def test_release_reads_the_rest_that_is_there_without_waiting() -> None:
    answer = ReadyAnswer([b'data: {"n": 1}\n\n', b": trailing\n\n", b""], [])
    reader = JsonEventReader(answer, endpoint="http://test")
    assert await reader.next() == {"n": 1}
    await reader.release()
    assert answer.ready == [] and answer.reads == 0  # read to its end, no read that waits


async def test_release_waits_a_moment_for_a_rest_that_is_not_there_yet() -> None:
    answer = ReadyAnswer([b'data: {"n": 1}\n\n'], [b": trailing\n\n"])
    reader = JsonEventReader(answer, endpoint="http://test")
    assert await reader.next() == {"n": 1}
    await reader.release()
    assert answer.later == [] and answer.reads == 2  # the trailing part, then the end


async def test_many_events_in_few_chunks_come_in_order_with_leftovers_kept() -> None:
    """A body whose events arrive many to a chunk (a whole answer in one read), with an
    event cut between chunks and an event that ends only when the body does: every event
    once, in order (they are held next-last, taken from the end of a list)."""
    first = b"".join(b'data: {"n": %d}\n\n' % n for n in range(5000)) + b'data: {"n"'
    second = b": 5000}\n\n" + b"".join(b'data: {"n": %d}\n\n' % n for n in range(5001, 6000))
    source = Source([first, second, b'data: {"n": 6000}'])
    reader = reader_for(source)
    seen = []
    while (event := await reader.next()) is not None:
        seen.append(event["n"])
    assert seen == list(range(6001))
    await reader.release()
