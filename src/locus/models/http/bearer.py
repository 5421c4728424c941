"""``Authorization: Bearer <key>`` as an ``httpx.Auth`` that never shows the key."""

from __future__ import annotations

from collections.abc import Generator

import httpx

__all__ = ["BearerAuth"]


class BearerAuth(httpx.Auth):
    """Adds the bearer key to every attempt; its repr hides the key."""

    def __init__(self, key: str) -> None:
        self._key = key

    def __repr__(self) -> str:
        return "BearerAuth(***)"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["authorization"] = f"Bearer {self._key}"
        yield request
