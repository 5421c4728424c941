"""``HTTPChatModel``: the part every HTTP chat model shares.

One lazily created ``httpx.AsyncClient`` per model (per event loop), request bodies
encoded once per call, retries through ``transport.send``, streams read as JSON events
and retried only before their first event reaches the caller (never turned into a
``complete()``), text tool calls parsed when configured, and sync wrappers. Subclasses
supply the wire codec, URL, headers, auth and error hints.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Mapping, Sequence
from contextlib import aclosing
from dataclasses import dataclass, fields
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, Self

import httpx

from locus.core.errors import APIStatusError, ConfigurationError, ResponseError, StreamError
from locus.core.messages import Message
from locus.core.params import GenerationParams
from locus.core.response import ModelResponse, StreamEvent
from locus.core.toolspec import ToolSpec, as_tool_specs
from locus.models.http.client import LoopClient
from locus.models.http.errors import ErrorDetails
from locus.models.http.events import JsonEventReader
from locus.models.http.options import reject_unknown
from locus.models.http.requests import RequestBuilder
from locus.models.http.retry import RetryBudget
from locus.models.http.sync import run_sync
from locus.models.http.textcalls import StreamTextCalls, ToolCallFormats, parse_response_text
from locus.models.http.transport import read_body, send

if TYPE_CHECKING:  # settings.py imports this module
    from locus.models.http.settings import ModelSettings

__all__ = ["DEFAULT_TIMEOUT", "HTTPChatModel", "StreamDecoder", "make_timeout"]

logger = logging.getLogger("locus.models.http")

DEFAULT_TIMEOUT = httpx.Timeout(240.0, connect=10.0)
_PARAM_NAMES = frozenset(f.name for f in fields(GenerationParams))


def make_timeout(value: float | httpx.Timeout | None) -> httpx.Timeout:
    """Seconds per attempt (connect capped at 10 s), an ``httpx.Timeout``, or the default."""
    if value is None:
        return DEFAULT_TIMEOUT
    if isinstance(value, httpx.Timeout):
        return value
    return httpx.Timeout(float(value), connect=min(float(value), 10.0))


class StreamDecoder(Protocol):
    """The incremental decoder contract of the wire codecs."""

    @property
    def finished(self) -> bool: ...

    def feed(self, data: Mapping[str, Any]) -> list[StreamEvent]: ...

    def close(self) -> StreamEvent: ...


@dataclass(slots=True)
class _Call:
    tools: list[ToolSpec]
    body: bytes
    headers: dict[str, str]


class HTTPChatModel:
    """Base class; see the module docstring. ``model_id`` is the id the user gave."""

    model_id: str

    def __init__(
        self,
        *,
        model_id: str,
        settings: ModelSettings,
        tool_call_format: ToolCallFormats,
    ) -> None:
        if not model_id or not model_id.strip():
            raise ConfigurationError("model_id is empty")
        self.model_id = model_id
        self.params = settings.params
        self.retry = settings.retry
        self.timeout = settings.timeout
        self.tool_call_format = tool_call_format
        self._grace = settings.stream_grace
        self._transport = settings.transport
        self._clients = LoopClient(
            settings.timeout, settings.transport, settings.limits, settings.backend
        )
        self.http_backend = settings.backend
        self._requests = RequestBuilder()
        self._ready = False
        self._setup_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(model_id={self.model_id!r})"

    @property
    def http_client(self) -> httpx.AsyncClient | None:
        """The pooled client made last (``None`` before the first call or after ``aclose``)."""
        return self._clients.current

    @property
    def _client(self) -> httpx.AsyncClient | None:
        """Deprecated alias of ``http_client`` (kept for existing tests)."""
        return self._clients.current

    # -- hooks -------------------------------------------------------------------
    def _setup(self) -> None:
        """Load what the first request needs (config, keys); runs once."""

    @property
    def endpoint(self) -> str:
        """The URL requests are posted to."""
        raise NotImplementedError

    def _auth(self) -> httpx.Auth | None:
        return None

    def _call_headers(self, *, stream: bool) -> dict[str, str]:
        """Headers of every attempt of one call (e.g. a stable retry token)."""
        return {"content-type": "application/json", "accept": "application/json"}

    def _attempt_headers(self) -> dict[str, str]:
        """Headers renewed on each attempt (e.g. a fresh request id)."""
        return {}

    def _encode(
        self,
        messages: Sequence[Message],
        tools: Sequence[ToolSpec],
        params: GenerationParams,
        *,
        stream: bool,
    ) -> dict[str, Any]:
        raise NotImplementedError

    def _decode(self, body: Mapping[str, Any], request_id: str | None) -> ModelResponse:
        raise NotImplementedError

    def _stream_decoder(self, request_id: str | None) -> StreamDecoder:
        raise NotImplementedError

    def _to_error(self, details: ErrorDetails) -> APIStatusError:
        raise NotImplementedError

    # -- public API ----------------------------------------------------------------
    async def complete(
        self, messages: Sequence[Message], tools: Sequence[Any] | None = None, **kwargs: Any
    ) -> ModelResponse:
        """One whole answer for ``messages`` (``tools`` offered when given)."""
        call = await self._prepare(messages, tools, kwargs, stream=False)
        response, content = await self._post_and_read(call)
        request_id = response.headers.get("opc-request-id")
        result = self._decode(self._json_body(content), request_id)
        return parse_response_text(result, self.tool_call_format, call.tools)

    async def stream(
        self, messages: Sequence[Message], tools: Sequence[Any] | None = None, **kwargs: Any
    ) -> AsyncIterator[StreamEvent]:
        """Stream the answer: text/reasoning deltas, then one ``done=True`` event."""
        call = await self._prepare(messages, tools, kwargs, stream=True)
        budget = RetryBudget(self.retry)
        while True:
            response = await self._send(call, budget)
            await self._require_event_stream(response)
            reader = JsonEventReader(response, endpoint=self.endpoint, grace=self._grace)
            shown = False
            try:
                request_id = response.headers.get("opc-request-id")
                events = self._stream_events(reader, call.tools, request_id)
                async with aclosing(events):
                    async for event in events:
                        shown = True
                        yield event
                return
            except StreamError:
                delay = None if shown else budget.next_delay()
                if delay is None:
                    raise
                logger.debug("stream broke before its first event; retrying in %.2f s", delay)
            finally:
                await reader.aclose()
            await budget.wait(delay)

    def complete_sync(
        self, messages: Sequence[Message], tools: Sequence[Any] | None = None, **kwargs: Any
    ) -> ModelResponse:
        """``complete()`` for synchronous code (any thread without a running loop)."""
        return run_sync(
            self._complete_in_own_loop(messages, tools, kwargs),
            name="complete_sync",
            async_name="model.complete",
        )

    async def aclose(self) -> None:
        """Close the HTTP client; the model stays usable (a new client is made on demand)."""
        await self._clients.aclose()
        self._close_credentials()

    def _close_credentials(self) -> None:
        """Release what the credentials hold open (e.g. the oci SDK's sessions)."""

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # -- internals -------------------------------------------------------------------
    async def _prepare(
        self,
        messages: Sequence[Message],
        tools: Sequence[Any] | None,
        overrides: dict[str, Any],
        *,
        stream: bool,
    ) -> _Call:
        params = self.params
        if overrides:
            unknown = {k: v for k, v in overrides.items() if k not in _PARAM_NAMES}
            reject_unknown(f"{type(self).__name__} call", unknown, _PARAM_NAMES)
            params = params.merged(overrides)
        specs = as_tool_specs(tools)
        if not self._ready:
            # once per model, off the loop: it reads files and may federate a token
            await asyncio.to_thread(self._setup_once)
        body = self._encode(messages, specs, params, stream=stream)
        # ASCII-only JSON (as the oci SDK sends): valid even for text with lone surrogates
        data = json.dumps(body, separators=(",", ":")).encode("ascii")
        return _Call(specs, data, self._call_headers(stream=stream))

    def _setup_once(self) -> None:
        with self._setup_lock:
            if not self._ready:
                self._setup()
                self._ready = True

    async def _send(self, call: _Call, budget: RetryBudget) -> httpx.Response:
        client = await self._clients.get()
        return await send(
            client,
            self._request_factory(client, call),
            auth=self._auth(),
            budget=budget,
            to_error=self._to_error,
            endpoint=self.endpoint,
        )

    async def _post_and_read(self, call: _Call) -> tuple[httpx.Response, bytes]:
        budget = RetryBudget(self.retry)
        while True:
            response = await self._send(call, budget)
            content = await read_body(response, budget, self.endpoint)
            if content is not None:
                return response, content

    def _request_factory(
        self, client: httpx.AsyncClient, call: _Call
    ) -> Callable[[], httpx.Request]:
        def make() -> httpx.Request:
            headers = {**call.headers, **self._attempt_headers()}
            return self._requests.post(client, self.endpoint, call.body, headers)

        return make

    async def _stream_events(
        self, reader: JsonEventReader, tools: list[ToolSpec], request_id: str | None
    ) -> AsyncGenerator[StreamEvent, None]:
        """Decoded events up to the finish, a short wait for a trailing usage event, the end.

        One generator for the whole read (no inner generator per event).
        """
        decoder = self._stream_decoder(request_id)
        texts = self._stream_text_calls(tools)
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

    async def _require_event_stream(self, response: httpx.Response) -> None:
        """A stream answered with anything but SSE is an error, never read as SSE or retried."""
        content_type = response.headers.get("content-type", "")
        if content_type.partition(";")[0].strip().lower() == "text/event-stream":
            return
        await response.aclose()
        raise StreamError(
            f"asked {self.endpoint} for a stream (text/event-stream) but it answered with "
            f"content-type {content_type or 'none'!r}",
            endpoint=self.endpoint,
            hint="a proxy or gateway between you and the service may be rewriting answers",
        )

    def _stream_text_calls(self, tools: list[ToolSpec]) -> StreamTextCalls | None:
        if self.tool_call_format is None or not tools:
            return None
        return StreamTextCalls(self.tool_call_format, tools)

    def _json_body(self, content: bytes) -> Mapping[str, Any]:
        try:
            body = json.loads(content)
        except ValueError:
            raise ResponseError(
                f"the answer from {self.endpoint} is not JSON: {content[:200]!r}",
                endpoint=self.endpoint,
            ) from None
        if not isinstance(body, dict):
            raise ResponseError(
                f"the answer from {self.endpoint} is not a JSON object", endpoint=self.endpoint
            )
        return body

    async def _complete_in_own_loop(
        self, messages: Sequence[Message], tools: Sequence[Any] | None, kwargs: dict[str, Any]
    ) -> ModelResponse:
        try:
            return await self.complete(messages, tools, **kwargs)
        finally:
            await self.aclose()


def _shown(events: list[StreamEvent], texts: StreamTextCalls | None) -> list[StreamEvent]:
    """The events to show for decoded ``events`` (through the text tool-call parser, if any)."""
    if texts is None or not events:
        return events
    return [shown for event in events for shown in texts.feed(event)]
