"""``RemoteAgent``: a remote A2A agent (of any framework), called over its JSON-RPC
binding with httpx."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import httpx

from locus.a2a._card import AgentCard, card_url_of, read_card
from locus.a2a._http import headers_for, is_rpc_error, json_of, network_error, status_error
from locus.a2a._outcome import checked, result_of, settled, short
from locus.a2a._stream import RemoteStream
from locus.a2a._wire import RemoteAnswer, answer_of, message_params, request
from locus.core.errors import ModelTimeoutError, ResponseError

if TYPE_CHECKING:
    from locus.tools import Tool

__all__ = ["RemoteAgent"]

_POLL_FIRST, _POLL_MOST = 0.25, 2.0


class RemoteAgent:
    """A remote A2A agent: ``url`` is its card's URL or its base URL (the card is then
    read from ``<url>/.well-known/agent-card.json``).

    ``token`` is sent as ``Authorization: Bearer <token>`` (never logged or shown),
    ``headers`` with every request (the card's too). ``timeout`` (seconds) bounds each
    HTTP call and the wait for a task to end. ``name`` and ``description`` replace the
    card's in ``as_tool``. Nothing is fetched until the card is needed.
    """

    def __init__(
        self,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        token: str | None = None,
        timeout: float = 300.0,
        name: str | None = None,
        description: str | None = None,
    ) -> None:
        self.url = url
        self.card_url = card_url_of(url)
        self.timeout = timeout
        self.name = name
        self.description = description
        self._headers = dict(headers or {})
        self._token = token
        self._card: AgentCard | None = None

    def __repr__(self) -> str:
        return f"RemoteAgent({self.url!r})"

    def _http(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(timeout=self.timeout, follow_redirects=True)

    def _headers_for(self, *, stream: bool = False) -> dict[str, str]:
        return headers_for(self._headers, self._token, stream=stream)

    async def card(self) -> AgentCard:
        """The agent's card (read once, then kept)."""
        if self._card is None:
            async with self._http() as http:
                try:
                    response = await http.get(self.card_url, headers=self._headers_for())
                except httpx.TransportError as exc:
                    raise network_error(exc, self.card_url, self.timeout) from None
            self._card = self._read(response)
        return self._card

    def card_sync(self) -> AgentCard:
        """``card()`` for code that is not async (one blocking request, the first time)."""
        if self._card is None:
            with httpx.Client(timeout=self.timeout, follow_redirects=True) as http:
                try:
                    response = http.get(self.card_url, headers=self._headers_for())
                except httpx.TransportError as exc:
                    raise network_error(exc, self.card_url, self.timeout) from None
            self._card = self._read(response)
        return self._card

    def _read(self, response: httpx.Response) -> AgentCard:
        if response.status_code >= 400:
            raise status_error(response, self.card_url, token=bool(self._token))
        return read_card(json_of(response, self.card_url), self.card_url)

    async def send(
        self,
        text: str,
        *,
        context_id: str | None = None,
        task_id: str | None = None,
        data: Any = None,
    ) -> RemoteAnswer:
        """Send ``text`` (``SendMessage``) and wait for the task to end.

        ``context_id`` goes on with an earlier conversation (``answer.context_id``);
        ``task_id`` answers a task waiting for input; ``data`` adds a data part (JSON).
        A completed task (or a plain message) is the ``RemoteAnswer``; a task that failed,
        was rejected or canceled raises ``RemoteTaskError``, one waiting for input or
        authorization ``InputRequiredError``; a JSON-RPC error ``RemoteRPCError``.
        """
        card = await self.card()
        params = message_params(text, context_id=context_id, task_id=task_id, data=data)
        async with self._http() as http:
            result = await self._call(http, card.url, "SendMessage", params)
            answer = answer_of(result)
            if answer is None:
                raise ResponseError(
                    f"the SendMessage answer of {card.url} holds neither a task nor a message",
                    endpoint=card.url,
                )
            answer = await self._settled(http, card.url, answer)
        return checked(answer, card.name, card.url)

    def stream(
        self, text: str, *, context_id: str | None = None, task_id: str | None = None
    ) -> RemoteStream:
        """Send ``text`` with ``SendStreamingMessage``: iterate the result for the
        answer's text as it comes; its ``answer`` is then the ``RemoteAnswer`` (the same
        errors as ``send`` are raised at the end)."""
        params = message_params(text, context_id=context_id, task_id=task_id)
        headers = self._headers_for(stream=True)
        token = self._token is not None
        return RemoteStream(self.card, self._http, headers, params, token, self.timeout)

    def as_tool(
        self, name: str | None = None, description: str | None = None, *, keep_context: bool = True
    ) -> Tool[..., Any]:
        """A tool that sends its ``input`` to this agent and returns its answer.

        ``name`` defaults to the card's name (made a tool name), ``description`` to the
        card's description and skills: unless both are given (here or to ``RemoteAgent``)
        the card is read now. With ``keep_context``, the calls of one conversation (the
        calling run's thread, or the run when it has none) go on with one remote context.
        A task that fails or waits for input, and any error, is a tool error the calling
        model reads.
        """
        from locus.a2a._tool import remote_tool

        return remote_tool(self, name, description, keep_context=keep_context)

    async def _call(self, http: httpx.AsyncClient, url: str, method: str, params: Any) -> Any:
        """One JSON-RPC call: its ``result``, or the error for what went wrong."""
        try:
            response = await http.post(
                url, json=request(method, params), headers=self._headers_for()
            )
        except httpx.TransportError as exc:
            raise network_error(exc, url, self.timeout) from None
        if response.status_code >= 400 and not is_rpc_error(response):
            raise status_error(response, url, token=bool(self._token))
        return result_of(json_of(response, url), url)

    async def _settled(
        self, http: httpx.AsyncClient, url: str, answer: RemoteAnswer
    ) -> RemoteAnswer:
        """The task once it has ended or waits for the caller (``GetTask`` until then: a
        server may answer ``SendMessage`` before its task ends)."""
        deadline = time.monotonic() + self.timeout
        pause = _POLL_FIRST
        while answer.state is not None and not settled(answer.state):
            if answer.task_id is None:
                raise ResponseError(f"{url} answered with a task that has no id", endpoint=url)
            if time.monotonic() + pause > deadline:
                raise ModelTimeoutError(
                    f"task {answer.task_id} of {url} is still {short(answer.state)} after "
                    f"{self.timeout} s; pass a larger timeout= if its tasks take longer",
                    endpoint=url,
                )
            await asyncio.sleep(pause)
            pause = min(pause * 2, _POLL_MOST)
            found = answer_of(await self._call(http, url, "GetTask", {"id": answer.task_id}))
            if found is None:
                raise ResponseError(f"the GetTask answer of {url} is not a task", endpoint=url)
            answer = found
        return answer
