"""One default SSL context per process, shared by every HTTP client and connector.

Building a verifying context (loading certifi's CA bundle) costs tens of milliseconds and
a few hundred KiB; a model per request must not pay it. The context is made on first need
with httpx's defaults (``httpx.create_ssl_context``): certifi's bundle, or
``SSL_CERT_FILE``/``SSL_CERT_DIR`` when ``trust_env``. Those two variables are part of the
cache key, so changing them makes a new context. An ``ssl.SSLContext`` is safe to share
between connections, threads and event loops once it is configured, and nobody changes
this one after it is made.
"""

from __future__ import annotations

import os
import ssl
import threading

import httpx

__all__ = ["shared_ssl_context"]

_lock = threading.Lock()
_contexts: dict[tuple[bool, str | None, str | None], ssl.SSLContext] = {}


def shared_ssl_context(*, trust_env: bool = True) -> ssl.SSLContext:
    """The process's verifying SSL context for ``trust_env`` (made once, then reused)."""
    key = (
        trust_env,
        os.environ.get("SSL_CERT_FILE") if trust_env else None,
        os.environ.get("SSL_CERT_DIR") if trust_env else None,
    )
    context = _contexts.get(key)
    if context is None:
        with _lock:
            context = _contexts.get(key)
            if context is None:
                context = _contexts[key] = httpx.create_ssl_context(trust_env=trust_env)
    return context
