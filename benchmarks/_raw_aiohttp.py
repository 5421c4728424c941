"""The raw-HTTP limit over aiohttp: recorded bodies signed with ``RequestSigner`` and sent
with one ``aiohttp.ClientSession`` (no connection limit, keep-alive), nothing of ours.

``threads=0`` signs inline, as a bare client does; ``threads=2`` runs each signature in a
``ThreadPoolExecutor`` of two threads, as the model does under load (OpenSSL releases
the GIL during the RSA operation).
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import aiohttp

from benchmarks._scenario import RawSigner

__all__ = ["RawAiohttpClient"]


class RawAiohttpClient:
    """Sign and POST request bodies with a bare aiohttp session."""

    def __init__(self, info: dict[str, Any], *, threads: int = 0) -> None:
        self._signer = RawSigner(info)
        self.url = self._signer.url
        self._pool = ThreadPoolExecutor(threads) if threads else None
        self._session: aiohttp.ClientSession | None = None

    async def post(self, body: bytes) -> bytes:
        """Sign and send ``body``; return the whole answer."""
        if self._session is None:
            self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        if self._pool is None:
            headers = self._signer.headers(body)
        else:
            loop = asyncio.get_running_loop()
            headers = await loop.run_in_executor(self._pool, self._signer.headers, body)
        async with self._session.post(self.url, data=body, headers=headers) as response:
            content = await response.read()
            if response.status != 200:
                raise RuntimeError(f"raw request failed with HTTP {response.status}")
        return content

    async def aclose(self) -> None:
        """Close the session and stop the signing threads."""
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._pool is not None:
            self._pool.shutdown()
