"""``RemoteAgent.stream``: a message sent with ``SendStreamingMessage``, its answer read
from the server-sent events as they come."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Any

import httpx

from locus.a2a._errors import A2AError
from locus.a2a._http import is_rpc_error, json_of, network_error, status_error
from locus.a2a._outcome import checked, result_of, settled, short
from locus.a2a._wire import RemoteAnswer, answer_of, request
from locus.core.errors import ResponseError, StreamError

if TYPE_CHECKING:
    from locus.a2a._card import AgentCard

__all__ = ["RemoteStream"]


class RemoteStream:
    """A streamed message: ``async for text in stream`` gives the text of the task's
    artifacts (or of the agent's message) as it comes; afterwards ``answer`` is the
    ``RemoteAnswer``, whose ``text`` is the last artifact's. A
    task that does not complete raises, at the end, what ``RemoteAgent.send`` raises."""

    def __init__(
        self,
        card: Callable[[], Awaitable[AgentCard]],
        http: Callable[[], httpx.AsyncClient],
        headers: dict[str, str],
        params: dict[str, Any],
        token: bool,
        timeout: float,
    ) -> None:
        self._card, self._http, self._headers = card, http, headers
        self.params, self._token, self._timeout = params, token, timeout
        self.answer: RemoteAnswer | None = None
        self._task: dict[str, Any] = {"artifacts": []}
        self._message: dict[str, Any] | None = None

    def __aiter__(self) -> AsyncIterator[str]:
        return self._run()

    async def _run(self) -> AsyncIterator[str]:
        card = await self._card()
        if not card.streaming:
            raise A2AError(
                f"the card of {card.name!r} says it does not stream: use send()", url=card.url
            )
        body = request("SendStreamingMessage", self.params)
        headers = self._headers
        async with self._http() as http:
            try:
                async with http.stream("POST", card.url, json=body, headers=headers) as response:
                    if response.status_code >= 400:
                        await response.aread()
                        if not is_rpc_error(response):
                            raise status_error(response, card.url, token=self._token)
                    if "text/event-stream" not in response.headers.get("content-type", ""):
                        await response.aread()  # (a JSON-RPC error, not a stream)
                        result_of(json_of(response, card.url), card.url)
                        raise ResponseError(
                            f"{card.url} did not answer SendStreamingMessage with a stream",
                            endpoint=card.url,
                        )
                    async for data in _events(response):
                        for text in self._take(result_of(_parsed(data, card.url), card.url)):
                            if text:
                                yield text
            except httpx.TransportError as exc:
                raise network_error(exc, card.url, self._timeout) from None
        found = answer_of({"message": self._message} if self._message else {"task": self._task})
        if found is None or (found.state is not None and not settled(found.state)):
            state = short(found.state if found else None) or "not started"
            raise StreamError(
                f"the stream of {card.url} ended while its task was {state}", endpoint=card.url
            )
        self.answer = checked(found, card.name, card.url)

    def _take(self, item: Any) -> list[str]:
        """Fold one ``StreamResponse`` into the task; the text it adds to the answer."""
        if not isinstance(item, dict):
            return []
        task = self._task
        if isinstance(item.get("task"), dict):
            task.update({k: v for k, v in item["task"].items() if k != "artifacts"})
            task["artifacts"] = list(item["task"].get("artifacts") or [])
        elif isinstance(item.get("message"), dict):
            self._message = item["message"]
            return [_texts(item["message"].get("parts"))]
        elif isinstance(update := item.get("statusUpdate"), dict):
            task.setdefault("id", update.get("taskId"))
            task.setdefault("contextId", update.get("contextId"))
            task["status"] = update.get("status")
        elif isinstance(update := item.get("artifactUpdate"), dict):
            task.setdefault("id", update.get("taskId"))
            task.setdefault("contextId", update.get("contextId"))
            artifact = update.get("artifact")
            if isinstance(artifact, dict):
                self._add(artifact, append=update.get("append") is True)
                return [_texts(artifact.get("parts"))]
        return []

    def _add(self, artifact: dict[str, Any], *, append: bool) -> None:
        artifacts: list[dict[str, Any]] = self._task["artifacts"]
        for held in artifacts:
            if held.get("artifactId") == artifact.get("artifactId"):
                if append:
                    held["parts"] = [*held.get("parts", []), *artifact.get("parts", [])]
                else:
                    held.update(artifact)
                return
        artifacts.append(dict(artifact))


def _texts(parts: Any) -> str:
    found = [p.get("text") for p in parts or () if isinstance(p, dict)]
    return "".join(t for t in found if isinstance(t, str))


def _parsed(data: str, url: str) -> Any:
    try:
        return json.loads(data)
    except ValueError:
        raise StreamError(f"an event of the stream of {url} is not JSON", endpoint=url) from None


async def _events(response: httpx.Response) -> AsyncIterator[str]:
    """The ``data`` of each server-sent event."""
    lines: list[str] = []
    async for line in response.aiter_lines():
        if not line:
            if lines:
                yield "\n".join(lines)
            lines = []
        elif line.startswith("data:"):
            lines.append(line[5:].removeprefix(" "))
    if lines:
        yield "\n".join(lines)
