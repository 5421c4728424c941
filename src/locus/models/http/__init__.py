"""Shared async HTTP machinery of the model classes.

``HTTPChatModel`` drives a wire codec (``locus.models._wire.codec``) over a connection
(``_connection``; ``_bearer`` for OpenAI-compatible servers). Under it: ``_settings``
(checked keyword options), ``_retry`` (policy and per-call budget), ``_send`` (the send
loop with retries), ``_errors`` (httpx exceptions and error bodies translated in one
place), ``_sse_reader`` (SSE bytes to JSON events), ``_streaming`` (a streamed answer
through its decoder), ``_textcalls`` (text tool-call parsing around answers, imported by
a model that parses them), ``_client`` (one pooled client per model and event loop; the
httpx backend's own pools are ``_httpcore_transport``'s cancel-safe httpcore pools,
imported when such a client is built), ``_requests`` (each attempt's request) and
``_body`` (a transport's direct line to a body). ``aiohttp_transport`` is the optional
aiohttp backend. The transport modules never import message types.

The package's names are imported on first use: a module that needs one submodule
(``_settings``, ``_retry``) does not bring ``HTTPChatModel`` and all under it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from locus._lazy import lazy_exports

if TYPE_CHECKING:
    from locus.models.http._body import BODY_SOURCE, BodySource
    from locus.models.http._chat import HTTPChatModel
    from locus.models.http._retry import RetryPolicy
    from locus.models.http._settings import ModelOptions

_LAZY = {
    "BODY_SOURCE": "locus.models.http._body",
    "BodySource": "locus.models.http._body",
    "HTTPChatModel": "locus.models.http._chat",
    "ModelOptions": "locus.models.http._settings",
    "RetryPolicy": "locus.models.http._retry",
}

__all__ = ["BODY_SOURCE", "BodySource", "HTTPChatModel", "ModelOptions", "RetryPolicy"]


__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
