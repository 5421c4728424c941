"""Shared async HTTP machinery of the model classes.

``HTTPChatModel`` drives a wire codec (``locus.models._wire.codec``) over a connection
(``_connection``; ``_bearer`` for OpenAI-compatible servers). Under it: ``_settings``
(checked keyword options), ``_retry`` (policy and per-call budget), ``_send`` (the send
loop with retries), ``_errors`` (httpx exceptions and error bodies translated in one
place), ``_sse_reader`` (SSE bytes to JSON events), ``_streaming`` (a streamed answer
through its decoder), ``_textcalls`` (text tool-call parsing around answers),
``_client`` (one pooled client per model and event loop, on ``_httpcore_transport``'s
cancel-safe httpcore pools), ``_requests`` (each attempt's
request) and ``_body`` (a transport's direct line to a body). ``aiohttp_transport`` is
the optional aiohttp backend. The transport modules never import message types.
"""

from locus.models.http._body import BODY_SOURCE, BodySource
from locus.models.http._chat import HTTPChatModel
from locus.models.http._retry import RetryPolicy
from locus.models.http._settings import ModelOptions

__all__ = ["BODY_SOURCE", "BodySource", "HTTPChatModel", "ModelOptions", "RetryPolicy"]
