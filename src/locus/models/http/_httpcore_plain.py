"""The httpx backend's plain path: a ``PlainRequest`` sent through httpcore's pool directly.

As on the aiohttp backend (``_direct.attempt``), an auth that signs ``PlainRequest``s
(API keys, session tokens: ``OCISigningAuth``) signs the attempt's header dict in place,
and no httpx ``Request`` or ``Response`` is built for the call: the headers go to httpcore
as bytes, in the dict's order and spelling (the order and spelling httpx would send,
``RequestBuilder.plain``), with the client's timeouts as httpx passes them; the answer is
an ``HttpcoreAnswer`` over the same stream ``HttpcoreTransport`` gives its responses
(httpx's exceptions for httpcore's, a close no cancellation cuts). A content-encoded
answer is wrapped in an ``httpx.Response`` instead, which decodes it (``HttpxAnswer``).

After a 401 the flow may re-sign once; the 401's body is read first (its connection is
reused), as ``AsyncClient.send`` does. httpx's ``HTTP Request:`` log line is written when
that logger is on.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import httpx

from locus.models.http._answer import Answer, HttpxAnswer
from locus.models.http._plain import PlainAuth, PlainRequest

if TYPE_CHECKING:  # (a client of the httpx backend imports them when it builds its pool)
    import httpcore

    from locus.models.http._httpcore_transport import HttpcoreTransport, ShieldedClose

__all__ = ["HttpcoreAnswer", "open_core_plain"]

_httpx_logger = logging.getLogger("httpx")


class HttpcoreAnswer(Answer):
    """httpcore's answer: status, headers (``httpx.Headers``), the body chunk by chunk."""

    __slots__ = ("_closed", "_extensions", "_stream")

    def __init__(self, response: httpcore.Response, stream: ShieldedClose, deadline: float) -> None:
        super().__init__(response.status, httpx.Headers(response.headers), deadline)
        self._extensions = response.extensions
        self._stream = stream
        self._closed = False

    @property
    def reason_phrase(self) -> str:
        """The status line's reason (as ``httpx.Response.reason_phrase`` reads it)."""
        reason = self._extensions.get("reason_phrase")
        if reason is None:
            return httpx.codes.get_reason_phrase(self.status_code)
        return bytes(reason).decode("ascii", errors="ignore")

    @property
    def http_version(self) -> str:
        """``HTTP/1.1`` (as ``httpx.Response.http_version`` reads it)."""
        version = self._extensions.get("http_version", b"HTTP/1.1")
        return bytes(version).decode("ascii", errors="ignore")

    @property
    def is_closed(self) -> bool:
        return self._closed

    async def read_chunk(self) -> bytes:
        return await self._stream.read_chunk()

    async def aclose(self) -> None:
        if not self._closed:
            self._closed = True
            await self._stream.aclose()


async def open_core_plain(
    core: HttpcoreTransport,
    request: PlainRequest,
    auth: PlainAuth | None,
    timeout: httpx.Timeout,
    deadline: float,
) -> Answer:
    """The answer's head for ``request`` (signed in place by ``auth``); its body unread."""
    if auth is not None:
        await auth.sign_plain(request)
        try:
            answer = await _send_one(core, request, timeout, deadline)
        finally:
            auth.plain_answered()
        try:
            again = await auth.resign_plain(request, answer)
        except BaseException:
            await answer.aclose()
            raise
        if not again:
            return answer
        await _read_and_close(answer)  # the request was signed again: this answer is spent
    return await _send_one(core, request, timeout, deadline)


async def _send_one(
    core: HttpcoreTransport, request: PlainRequest, timeout: httpx.Timeout, deadline: float
) -> Answer:
    response, stream = await core.open_core(
        request.url,
        request.target.encode("ascii"),
        [(k.encode("ascii"), v.encode("ascii")) for k, v in request.headers.items()],
        request.body,
        {"timeout": timeout.as_dict()},
    )
    answer = _answer(response, stream, deadline)
    if _httpx_logger.isEnabledFor(logging.INFO):
        version = response.extensions.get("http_version", b"HTTP/1.1").decode("ascii", "ignore")
        _httpx_logger.info(
            'HTTP Request: %s %s "%s %d %s"',
            request.method,
            request.wire_url,
            version,
            answer.status_code,
            answer.reason_phrase,
        )
    return answer


def _answer(response: httpcore.Response, stream: ShieldedClose, deadline: float) -> Answer:
    head = HttpcoreAnswer(response, stream, deadline)
    encoding = head.headers.get("content-encoding", "identity")
    if encoding.strip().lower() in ("", "identity"):
        return head
    # decoded by httpx (its decoders read the stream through the response)
    wrapped = httpx.Response(
        response.status, headers=head.headers, stream=stream, extensions=response.extensions
    )
    return HttpxAnswer(wrapped, deadline)


async def _read_and_close(answer: Answer) -> None:
    try:
        while await answer.read_chunk():
            pass
    finally:
        await answer.aclose()
