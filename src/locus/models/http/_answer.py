"""``Answer``: one HTTP answer, open for reading, as every layer above the transport sees it.

Both backends give one: the httpx backend wraps its ``httpx.Response`` (``HttpxAnswer``);
the aiohttp backend hands aiohttp's response over directly (``AiohttpAnswer``), with no
httpx ``Request``/``Response`` machinery per call around it. Above this module there is one
code path: the send loop (``_send``), error answers (``_errors``) and the event reader
(``_sse_reader``) read ``status_code``, ``headers``, chunks of the decoded body, and close.

Body reads raise the ``httpx`` exception a failure maps to (the one exception vocabulary
of ``_errors``); ``deadline`` is the attempt's (``anyio`` clock, ``inf``: none).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Protocol

import httpx

from locus.models.http._body import body_source

if TYPE_CHECKING:
    import aiohttp

__all__ = ["AiohttpAnswer", "Answer", "AnswerHead", "HttpxAnswer"]

_SPENT = httpx.ByteStream(b"")


class AnswerHead(Protocol):
    """What an error answer's details are read from (an ``Answer`` or an ``httpx.Response``)."""

    @property
    def status_code(self) -> int:
        """The HTTP status."""
        ...

    @property
    def reason_phrase(self) -> str:
        """The status line's reason."""
        ...

    @property
    def headers(self) -> Mapping[str, str]:
        """The headers (case-insensitive ``get``)."""
        ...


class Answer:
    """An open answer: status and headers, the decoded body chunk by chunk, ``aclose()``."""

    __slots__ = ("deadline", "headers", "status_code")

    def __init__(self, status_code: int, headers: Mapping[str, str], deadline: float) -> None:
        self.status_code = status_code
        self.headers = headers
        self.deadline = deadline

    @property
    def reason_phrase(self) -> str:
        """The status line's reason (``""`` when the backend does not keep it)."""
        return ""

    @property
    def is_closed(self) -> bool:
        """True once closed (or read to its end and released)."""
        raise NotImplementedError

    async def read_chunk(self) -> bytes:
        """The next decoded bytes of the body as they arrive; ``b""`` at its end."""
        raise NotImplementedError

    def received_all(self) -> bool:
        """True when the whole body has arrived (no read can wait for the network)."""
        return False

    async def aclose(self) -> None:
        """Close the answer: its connection goes back to the pool after a full read."""
        raise NotImplementedError


class HttpxAnswer(Answer):
    """An ``httpx.Response`` as an answer (read through the transport's ``BodySource``
    when it offers one, else through httpx's decoding iterator)."""

    __slots__ = ("_next", "_response", "_source")

    def __init__(self, response: httpx.Response, deadline: float = math.inf) -> None:
        super().__init__(response.status_code, response.headers, deadline)
        self._response = response
        self._source = source = body_source(response)
        self._next: Callable[[], Awaitable[bytes]] = (
            functools.partial(anext, response.aiter_bytes(), b"")
            if source is None
            else source.read_chunk
        )

    @property
    def response(self) -> httpx.Response:
        """The wrapped response."""
        return self._response

    @property
    def reason_phrase(self) -> str:
        return self._response.reason_phrase

    @property
    def is_closed(self) -> bool:
        return self._response.is_closed

    async def read_chunk(self) -> bytes:
        return await self._next()

    def received_all(self) -> bool:
        source = self._source
        return source is not None and source.received_all()

    async def aclose(self) -> None:
        """Close the response and drop its stream.

        httpx's client wraps each answer's stream in one that points back at the answer, a
        reference cycle that only the garbage collector can free, together with everything
        the transport hangs on it (some 100 objects per call). Dropping the closed stream
        lets reference counting free it all at once.
        """
        response = self._response
        await response.aclose()
        response.stream = _SPENT
        self._next = _at_end


class AiohttpAnswer(Answer):
    """aiohttp's response as an answer (decoded by aiohttp; failures mapped to httpx's)."""

    __slots__ = ("_closed", "_map", "_response")

    def __init__(
        self,
        response: aiohttp.ClientResponse,
        deadline: float,
        map_error: Callable[[Exception], BaseException],
    ) -> None:
        super().__init__(response.status, response.headers, deadline)
        self._response = response
        self._map = map_error
        self._closed = False

    @property
    def reason_phrase(self) -> str:
        return self._response.reason or ""

    @property
    def is_closed(self) -> bool:
        return self._closed

    async def read_chunk(self) -> bytes:
        if self._closed:
            return b""
        try:
            chunk: bytes = await self._response.content.readany()
        except Exception as exc:  # (CancelledError is a BaseException: it passes)
            mapped = self._map(exc)
            if mapped is exc:
                raise
            raise mapped from exc
        return chunk

    def ready_chunk(self) -> bytes | None:
        """The body's bytes that have arrived and need no wait (decoded, as ``read_chunk``
        gives them); ``b""`` at its end; ``None`` when a read would wait. The reader reads
        these with no cancel scope (``JsonEventReader``)."""
        if self._closed:
            return b""
        content = self._response.content
        try:
            chunk: bytes = content.read_nowait()
        except Exception as exc:  # a broken body, as read_chunk maps it
            mapped = self._map(exc)
            if mapped is exc:
                raise
            raise mapped from exc
        return chunk or (b"" if content.at_eof() else None)

    def received_all(self) -> bool:
        done: bool = self._response.content.is_eof()
        return done

    async def aclose(self) -> None:
        """Release the connection to the pool after a full read; close it otherwise."""
        self.close_now()

    def close_now(self) -> None:
        """``aclose()`` without an await (safe where a cancellation may be pending)."""
        if self._closed:
            return
        self._closed = True
        response = self._response
        if response.content.is_eof():
            response.release()
        else:
            response.close()

    def head_response(self, request: httpx.Request) -> httpx.Response:
        """The status and headers as an ``httpx.Response`` (no body), for an auth flow."""
        return httpx.Response(self.status_code, headers=self._response.raw_headers, request=request)


async def _at_end() -> bytes:
    return b""
