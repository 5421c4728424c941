"""``HTTPChatModel``: a wire codec and a connection, driven over HTTP.

One lazily created ``httpx.AsyncClient`` per model (per event loop), request bodies
encoded once per call by the codec (each message's JSON text kept between calls),
headers and auth from the connection, retries through ``_send.send``, streams read as
JSON events and retried only before their first event reaches the caller, or at any
point when no one reads them (``_streaming.unwatched``: an agent's ``arun``); never
turned into a ``complete()``. Text tool calls parsed when configured, and a sync
wrapper on the shared background loop.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar, Self

import httpx

from locus._sync import run_sync
from locus.core._checks import reject_unknown
from locus.core._grounding import GROUNDING_NAMES, split_grounding
from locus.core._headers import model_headers
from locus.core.errors import APIStatusError, ConfigurationError, LocusError, StreamError
from locus.core.messages import Message
from locus.core.params import GenerationParams
from locus.core.response import ModelResponse, StreamEvent
from locus.core.toolspec import ToolSpec, as_tool_specs
from locus.models._wire.codec import ChatCodec, ChatRequest
from locus.models._wire.json_text import json_object
from locus.models._wire.message_cache import texts_only
from locus.models.http._answer import Answer
from locus.models.http._body_json import dump_body
from locus.models.http._call_headers import SharedHeaders, merged
from locus.models.http._client import LoopClient, takes_plain
from locus.models.http._connection import Connection
from locus.models.http._direct import direct_transport
from locus.models.http._errors import ErrorDetails
from locus.models.http._plain import PlainRequest, can_sign_plain
from locus.models.http._request_problems import request_problem
from locus.models.http._requests import RequestBuilder
from locus.models.http._retry import RetryBudget, RetryPolicy
from locus.models.http._send import read_body, send
from locus.models.http._settings import (
    PARAM_NAMES,
    HttpBackend,
    ModelOptions,
    ModelSettings,
    keyword_names,
)
from locus.models.http._sse_reader import JsonEventReader
from locus.models.http._streaming import StreamRead, require_event_stream, unwatched
from locus.models.http._tls import shared_ssl_context
from locus.models.http._wire_log import log_answer, log_request, wire_logged

if TYPE_CHECKING:
    from locus.models.http._textcalls import TextCalls, ToolCallFormats

__all__ = ["HTTPChatModel"]

logger = logging.getLogger("locus.models.http")

_CALL_NAMES = PARAM_NAMES | GROUNDING_NAMES
"""The keywords of a call: generation parameters, and its documents."""


@dataclass(slots=True, eq=False)
class _Call:
    """One model call's encoded request; called, it makes an attempt's request (``send``'s
    ``make_request``: no partial, bound method and argument tuple per call)."""

    tools: list[ToolSpec]
    body: bytes
    headers: dict[str, str]  # shared by the model's calls (``SharedHeaders``) ...
    varying: tuple[str, ...]  # ... and the (name, value) pairs of this call's own
    model: HTTPChatModel | None = None
    client: httpx.AsyncClient | None = None
    plain: bool = False

    def __call__(self) -> httpx.Request | PlainRequest:
        assert self.model is not None and self.client is not None  # (set by _send)
        return self.model._make_request(self.client, self, self.plain)


class HTTPChatModel:
    """A chat model over HTTP: ``codec`` speaks the API's format, ``connection`` reaches it.

    ``options`` are the keyword options of the subclass (``keywords`` names them all);
    they are checked and read once into ``settings``.
    """

    keywords: ClassVar[frozenset[str]] = keyword_names(ModelOptions)
    """Every keyword option the class takes (for the unknown-name check)."""

    default_tool_call_format: ToolCallFormats = None
    """``tool_call_format`` when none is given."""

    def __init__(
        self,
        model_id: str,
        *,
        codec: ChatCodec,
        connection: Connection,
        options: Mapping[str, Any],
    ) -> None:
        if not model_id or not model_id.strip():
            raise ConfigurationError("model_id is empty")
        self.model_id = model_id
        self.codec = codec
        self.connection = connection
        self.settings = ModelSettings.parse(
            type(self).__name__,
            options,
            self.keywords | {"model_id"},
            tool_call_format=self.default_tool_call_format,
        )
        self._clients = LoopClient(
            self.settings.timeout,
            self.settings.transport,
            self.settings.limits,
            self.settings.backend,
        )
        self._texts = _text_calls(self.settings.tool_call_format)
        self._requests = RequestBuilder()
        self._headers = SharedHeaders()
        self._ready = False
        self._setup_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(model_id={self.model_id!r})"

    @property
    def endpoint(self) -> str:
        """The URL requests are posted to (the connection's base URL and the codec's path)."""
        return self.connection.base_url + self.codec.path

    @property
    def params(self) -> GenerationParams:
        """The generation parameters of every call (a call's keyword overrides win)."""
        return self.settings.params

    @property
    def retry(self) -> RetryPolicy:
        """When and how long to retry."""
        return self.settings.retry

    @property
    def timeout(self) -> httpx.Timeout:
        """The timeout of each attempt."""
        return self.settings.timeout

    @property
    def tool_call_format(self) -> ToolCallFormats:
        """The text tool-call formats parsed from answers (``None``: off)."""
        return self.settings.tool_call_format

    @property
    def http_backend(self) -> HttpBackend:
        """What carries the bytes under the client: ``"httpx"`` or ``"aiohttp"``."""
        return self.settings.backend

    @property
    def http_client(self) -> httpx.AsyncClient | None:
        """The pooled client made last (``None`` before the first call or after ``aclose``)."""
        return self._clients.current

    # -- public API ----------------------------------------------------------------
    async def complete(
        self, messages: Sequence[Message], tools: Sequence[Any] | None = None, **kwargs: Any
    ) -> ModelResponse:
        """One whole answer for ``messages`` (``tools`` offered when given); keyword
        arguments are generation parameters, or ``documents`` (with ``citation_quality``)
        to ground the answer on (Cohere formats: ``response.citations``)."""
        call = await self._prepare(messages, tools, kwargs, stream=False)
        response, content = await self._post_and_read(call)
        request_id = response.headers.get("opc-request-id")
        if wire_logged():
            log_answer(self.endpoint, request_id, response.status_code, content)
        result = self.codec.decode(self._json_body(content), request_id)
        texts = self._texts
        return result if texts is None else texts.parse(result, call.tools)

    async def stream(
        self, messages: Sequence[Message], tools: Sequence[Any] | None = None, **kwargs: Any
    ) -> AsyncIterator[StreamEvent]:
        """Stream the answer: text/reasoning deltas, then one ``done=True`` event.

        A stream that breaks (``StreamError``) is sent again within the call's retry
        budget if none of its events was yielded yet, or, when ``_streaming.unwatched``
        is set, whatever was yielded (its reader shows no one the events and takes only
        the final one, which holds the whole answer of the last attempt)."""
        call = await self._prepare(messages, tools, kwargs, stream=True)
        budget = RetryBudget(self.retry)
        while True:
            response = await self._send(call, budget)
            await require_event_stream(response, self.endpoint)
            reader = JsonEventReader(
                response,
                endpoint=self.endpoint,
                grace=self.settings.stream_grace,
                limits=self.settings.answer_limits,
            )
            shown = False
            try:
                read = self._stream_read(reader, response, call.tools)
                while (events := await read.next_events()) is not None:
                    for event in events:
                        shown = True
                        yield event
                return
            except StreamError:
                # shown events cannot be taken back, unless no one reads them (``unwatched``)
                delay = None if shown and not unwatched.get() else budget.next_delay()
                if delay is None:
                    raise
                logger.debug("stream broke (events shown: %s); retrying in %.2f s", shown, delay)
            finally:
                await reader.aclose()
            await budget.wait(delay)

    async def prepare(self) -> None:
        """Do now what the first call would do first: load the credentials (reading the
        config and key files, federating a token), open this event loop's HTTP client and,
        for an ``https`` endpoint, build the default SSL context. A web app calls it at
        startup (``locus serve`` does) so that its first request does not wait for them, and
        learns of bad credentials then: it raises what the first call would
        (``CredentialsError``, ``ConfigurationError``). Calling it again costs nothing."""
        if not self._ready:
            await asyncio.to_thread(self._setup_once)
        await self._clients.get(self._base_url)
        if self._base_url().startswith("https://"):
            await asyncio.to_thread(shared_ssl_context)  # (made once per process, off the loop)

    def complete_sync(
        self, messages: Sequence[Message], tools: Sequence[Any] | None = None, **kwargs: Any
    ) -> ModelResponse:
        """``complete()`` for synchronous code, on the shared background loop (any thread
        without a running loop); the pooled client stays there for the next call."""
        return run_sync(
            lambda: self.complete(messages, tools, **kwargs),
            name="complete_sync",
            instead="await model.complete(...)",
        )

    async def aclose(self) -> None:
        """Close the HTTP client; the model stays usable (a new client is made on demand)."""
        await self._clients.aclose()
        self.connection.close()

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
        grounding = None
        if overrides and not GROUNDING_NAMES.isdisjoint(overrides):  # documents=...
            where = f"{type(self).__name__}({self.model_id!r})"
            accepted = getattr(self.codec, "grounded", False)
            overrides, grounding = split_grounding(overrides, accepted=accepted, where=where)
        params = self._params(overrides)
        specs = as_tool_specs(tools)
        if not self._ready:
            # once per model, off the loop: it reads files and may federate a token
            await asyncio.to_thread(self._setup_once)
        connection = self.connection
        request = ChatRequest(messages, specs, params, stream, connection.compartment_id, grounding)
        # ASCII-only JSON (as the oci SDK sends), joined from each message's cached text
        try:
            data = dump_body(texts_only(self.codec.encode, request))
        except (AttributeError, TypeError, ValueError) as exc:  # checked only then
            if isinstance(exc, LocusError):
                raise
            problem = request_problem(messages, specs, params, overrides)
            if problem is None:
                raise
            raise ConfigurationError(problem) from exc
        if wire_logged():
            log_request(self.endpoint, data, stream=stream)
        headers = connection.headers(stream=stream)
        if (extra := model_headers.get()) is not None:  # a hook's (traceparent): under ours
            headers = {**extra, **headers}
        return _Call(specs, data, *self._headers.split(headers))

    def _params(self, overrides: dict[str, Any]) -> GenerationParams:
        if not overrides:
            return self.params
        unknown = {k: v for k, v in overrides.items() if k not in PARAM_NAMES}
        reject_unknown(f"{type(self).__name__} call", unknown, _CALL_NAMES)
        return self.params.merged(overrides)

    def _base_url(self) -> str:
        return self.connection.base_url

    def _setup_once(self) -> None:
        with self._setup_lock:
            if not self._ready:
                self.connection.load()
                self._ready = True

    def _send(self, call: _Call, budget: RetryBudget) -> Coroutine[None, None, Answer]:
        """``send`` for ``call``, to await (a plain function once this loop's client is
        made: one coroutine less per call in flight)."""
        client = self._clients.ready()
        if client is None:
            return self._send_first(call, budget)
        call.model, call.client = self, client
        call.plain = can_sign_plain(self.connection.auth)
        return send(
            client,
            call,
            auth=self.connection.auth,
            budget=budget,
            to_error=self._to_error,
            endpoint=self.endpoint,
            limits=self.settings.answer_limits,
        )

    async def _send_first(self, call: _Call, budget: RetryBudget) -> Answer:
        """``_send`` when this loop's client is still to be made."""
        await self._clients.get(self._base_url)
        return await self._send(call, budget)

    async def _post_and_read(self, call: _Call) -> tuple[Answer, bytes]:
        budget = RetryBudget(self.retry)
        while True:
            response = await self._send(call, budget)
            content = await read_body(response, budget, self.endpoint, self.settings.answer_limits)
            if content is not None:
                return response, content

    def _make_request(
        self, client: httpx.AsyncClient, call: _Call, plain: bool
    ) -> httpx.Request | PlainRequest:
        """One attempt's request (a fresh ``opc-request-id``): a ``PlainRequest`` when the
        auth signs those and the client sends them (the aiohttp direct path, or a model's
        own httpx client straight to httpcore), else an ``httpx.Request``."""
        headers = merged(call.headers, call.varying, self.connection.attempt_headers())
        if plain and (direct_transport(client) is not None or takes_plain(client)):
            request = self._requests.plain(client, self.endpoint, call.body, headers)
            if request is not None:
                return request
        return self._requests.post(client, self.endpoint, call.body, headers)

    def _to_error(self, details: ErrorDetails) -> APIStatusError:
        return self.connection.to_error(
            details,
            endpoint=self.endpoint,
            model_id=self.model_id,
            api_format=self.codec.api_format,
        )

    def _stream_read(
        self, reader: JsonEventReader, response: Answer, tools: list[ToolSpec]
    ) -> StreamRead:
        """The shown events of one streamed answer (the codec's decoder, text tool calls)."""
        request_id = response.headers.get("opc-request-id")
        decoder = self.codec.stream_decoder(request_id)
        texts = self._texts
        parser = texts.stream(tools) if texts is not None and tools else None
        return StreamRead(reader, decoder, parser, request_id)

    def _json_body(self, content: bytes) -> Mapping[str, Any]:
        return json_object(content, self.endpoint)


def _text_calls(formats: ToolCallFormats) -> TextCalls | None:
    """The model's text tool-call parsing, if its ``tool_call_format`` names formats (the
    parser is imported by the first model that has some: at construction, not per call)."""
    if formats is None:
        return None
    from locus.models.http._textcalls import TextCalls

    return TextCalls(formats)
