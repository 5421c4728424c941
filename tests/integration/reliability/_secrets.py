"""What counts as a secret in a sweep, and where to look for it.

Never put a secret in a failure message: ``leaks()`` names what leaked and where,
not the value.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

__all__ = ["RecordingTransport", "Secrets", "describe_exception"]

_WINDOW = 24  # characters of a PEM body that count as a leak


class RecordingTransport(httpx.AsyncBaseTransport):
    """A real HTTP transport that remembers every ``Authorization`` value it sent."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.authorizations: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        value = request.headers.get("authorization")
        if value:
            self.authorizations.append(value)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@dataclass
class Secrets:
    """Named secret strings; PEM bodies are cut into overlapping fragments."""

    values: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, value: str) -> None:
        if len(value) >= 8:
            self.values[name] = value

    def add_pem(self, name: str, path: Path) -> None:
        body = "".join(
            line for line in path.read_text().splitlines() if line and not line.startswith("-----")
        )
        for start in range(0, max(len(body) - _WINDOW, 0) + 1, _WINDOW // 2):
            self.add(f"{name} fragment at {start}", body[start : start + _WINDOW])

    def add_authorization(self, value: str) -> None:
        """An Authorization header: the whole value and its signature or bearer token."""
        self.add("an Authorization header", value)
        if 'signature="' in value:
            self.add("a request signature", value.split('signature="', 1)[1].split('"', 1)[0])
        if value.lower().startswith("bearer "):
            self.add("a bearer token", value[7:].strip())

    def leaks(self, haystack: Iterable[tuple[str, str]]) -> list[str]:
        """``"<secret name> in <place>"`` for every secret found in a (place, text) pair."""
        found = []
        for place, text in haystack:
            found += [f"{name} in {place}" for name, value in self.values.items() if value in text]
        return found


def describe_exception(exc: BaseException) -> list[tuple[str, str]]:
    """Every text an exception shows: str, repr, hint, body, and the formatted chain."""
    texts = [("str(exc)", str(exc)), ("repr(exc)", repr(exc))]
    texts.append(("traceback", "".join(traceback.format_exception(exc))))
    for name in ("hint", "body", "endpoint", "result"):
        texts.append((f"exc.{name}", repr(getattr(exc, name, None))))
    return texts
