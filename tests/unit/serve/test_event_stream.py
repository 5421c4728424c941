"""``EventStream``'s send loop, driven by a recording ASGI server (no sockets), and the
byte templates of OpenAI chunks.

The recorder is a real ASGI ``send``/``receive`` pair: it keeps every message sent and
answers ``receive`` with a disconnect once the test says the client has gone.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from locus.serve._openai import _Chunks, completion_id
from locus.serve._state import ServeState
from locus.serve._stream import EventStream
from tests.deadlines import wait_until, within


class Client:
    """The server side of one connection: what was sent, and a switch to hang up."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.wrote = asyncio.Event()
        self.gone = asyncio.Event()

    async def send(self, message: Any) -> None:
        self.sent.append(dict(message))
        self.wrote.set()

    async def receive(self) -> Any:
        await self.gone.wait()
        return {"type": "http.disconnect"}

    def bodies(self) -> list[tuple[bytes, bool]]:
        return [(m["body"], m["more_body"]) for m in self.sent if m["type"] == "http.response.body"]


async def _serve(stream: EventStream, client: Client) -> None:
    await stream({"type": "http"}, client.receive, client.send)


async def test_chunks_made_in_one_step_go_out_in_one_write_ending_the_body() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for part in (b"a", b"b", b"c"):
            yield part

    client = Client()
    await _serve(EventStream(chunks(), ServeState()), client)
    assert client.sent[0]["type"] == "http.response.start"
    assert client.sent[0]["status"] == 200
    assert client.bodies() == [(b"abc", False)]


async def test_a_chunk_is_written_before_the_producer_waits_for_the_next() -> None:
    release = asyncio.Event()
    client = Client()

    async def chunks() -> AsyncIterator[bytes]:
        yield b"first"
        await release.wait()  # like a model taking its time over the next token
        yield b"second"

    serving = asyncio.create_task(_serve(EventStream(chunks(), ServeState()), client))
    await wait_until(client.bodies, "the first chunk was written", every=0)
    assert client.bodies() == [(b"first", True)]  # not held back for "second"
    release.set()
    await serving
    assert client.bodies() == [(b"first", True), (b"second", False)]


async def test_a_client_that_leaves_cancels_the_producer_and_nothing_stays_open() -> None:
    state = ServeState()
    client = Client()
    waiting = asyncio.Event()
    closed: list[str] = []

    async def chunks() -> AsyncIterator[bytes]:
        try:
            yield b"hello"
            waiting.set()
            await asyncio.Event().wait()  # a model call that would never answer
            yield b"never"
        except asyncio.CancelledError:
            closed.append("cancelled")
            raise

    with state.run():
        serving = asyncio.create_task(_serve(EventStream(chunks(), state), client))
        await within(waiting.wait(), "the producer waits for its model")
        assert state.active_streams == 1
        client.gone.set()
        await serving  # returns normally: a gone client is not an error
    assert closed == ["cancelled"]
    assert state.active_streams == 0
    assert client.bodies() == [(b"hello", True)]  # the body is never ended on a gone client


async def test_a_producer_error_ends_the_body_and_is_raised() -> None:
    client = Client()

    async def chunks() -> AsyncIterator[bytes]:
        yield b"partial"
        raise ValueError("bug in the producer")

    with pytest.raises(ValueError, match="bug in the producer"):
        await _serve(EventStream(chunks(), ServeState()), client)
    assert b"".join(body for body, _ in client.bodies()) == b"partial"
    assert client.bodies()[-1][1] is False


async def test_the_chunks_are_closed_when_the_response_task_is_cancelled() -> None:
    client = Client()
    finalised = asyncio.Event()
    started = asyncio.Event()

    async def chunks() -> AsyncIterator[bytes]:
        try:
            started.set()
            await asyncio.Event().wait()
            yield b"never"
        finally:
            finalised.set()

    state = ServeState()
    serving = asyncio.create_task(_serve(EventStream(chunks(), state), client))
    await within(started.wait(), "the producer started")
    serving.cancel()  # the server shutting the request down
    with pytest.raises(asyncio.CancelledError):
        await serving
    assert finalised.is_set()
    assert state.active_streams == 0


@pytest.mark.parametrize("text", ["1, ", "", 'quote " and \\ backslash', "é ü 日本 🙂", "a\nb\tc"])
@pytest.mark.parametrize("name", ["counter", 'agent "q" é'])
def test_text_and_role_templates_give_the_bytes_of_the_generic_encoder(
    text: str, name: str
) -> None:
    chunks = _Chunks(name)
    assert chunks.text(text) == chunks.make({"content": text})
    assert chunks.role() == chunks.make({"role": "assistant", "content": ""})
    decoded = json.loads(chunks.text(text).removeprefix(b"data: "))
    assert decoded["choices"][0]["delta"] == {"content": text}
    assert decoded["model"] == name


def test_completion_ids_are_unique_and_share_a_random_process_prefix() -> None:
    ids = {completion_id() for _ in range(1000)}
    assert len(ids) == 1000
    assert all(i.startswith("chatcmpl-") and len(i) == len(next(iter(ids))) for i in ids)


async def test_the_counters_count_runs_streams_and_cancellations_and_signal_idle() -> None:
    state = ServeState()
    with state.stream(), state.run():
        assert (state.active_runs, state.active_streams, state.runs_started) == (1, 1, 1)
    with pytest.raises(asyncio.CancelledError), state.run():
        raise asyncio.CancelledError
    with pytest.raises(ValueError), state.run():
        raise ValueError("a failed run is not a cancelled one")
    assert state.snapshot()["runs_started"] == 3
    assert (state.active_runs, state.active_streams, state.runs_cancelled) == (0, 0, 1)
    stream = state.stream()
    stream.__enter__()
    waiting = asyncio.create_task(state.wait_idle(timeout=30))
    await asyncio.sleep(0)
    assert not waiting.done()
    stream.__exit__(None, None, None)
    assert await waiting is True
