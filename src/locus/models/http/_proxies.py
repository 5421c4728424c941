"""Proxies of the aiohttp backend, read from the environment once (httpx's ``trust_env``).

``HTTP(S)_PROXY``/``ALL_PROXY``/``NO_PROXY`` are read when the transport is made, as httpx
reads them; a proxy URL's credentials become a ``Proxy-Authorization`` header.
"""

from __future__ import annotations

import urllib.request
from typing import Any

import httpx

__all__ = ["ProxyTable"]


class ProxyTable:
    """Proxy URLs from the environment, read once (httpx's ``trust_env`` behaviour)."""

    def __init__(self, trust_env: bool) -> None:
        self._env = urllib.request.getproxies_environment() if trust_env else {}
        self._cache: dict[tuple[str, str], tuple[str | None, dict[str, str] | None]] = {}

    def lookup(self, url: httpx.URL) -> tuple[str | None, dict[str, str] | None]:
        """The proxy URL and its ``Proxy-Authorization`` header for ``url``, if any."""
        if not self._env:
            return None, None
        key = (url.scheme, url.netloc.decode("ascii"))
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = self._resolve(url)
        return found

    def _resolve(self, url: httpx.URL) -> tuple[str | None, dict[str, str] | None]:
        proxy = self._env.get(url.scheme) or self._env.get("all")
        if not proxy or _bypass(url.host, self._env):
            return None, None
        if "://" not in proxy:
            proxy = f"http://{proxy}"
        import aiohttp as aio

        parsed = httpx.URL(proxy)
        if not parsed.username:
            return proxy, None
        auth = aio.encode_basic_auth(parsed.username, parsed.password)
        bare = parsed.copy_with(username=None, password=None)
        return str(bare), {"Proxy-Authorization": auth}


def _bypass(host: str, env: dict[str, str]) -> bool:
    """``NO_PROXY`` matching, as urllib does it (typeshed lacks this function)."""
    check: Any = getattr(urllib.request, "proxy_bypass_environment")  # noqa: B009
    return bool(check(host, env))
