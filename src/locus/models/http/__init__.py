"""Shared async HTTP machinery of the model classes.

``retry`` (policy and per-call budget), ``errors`` (httpx exceptions and error bodies
translated in one place), ``transport`` (send with retries), ``events`` (SSE bytes to
JSON events), ``client`` (one pooled client per model and event loop), ``bearer``
(API-key auth), ``options`` and ``settings`` (checked keyword options), ``sync`` (sync
wrappers), ``textcalls`` (text tool-call parsing around responses and streams) and
``chat`` (``HTTPChatModel``, the base of every HTTP chat model). The transport modules
never import message types.
"""

from locus.models.http.chat import HTTPChatModel
from locus.models.http.retry import RetryPolicy

__all__ = ["HTTPChatModel", "RetryPolicy"]
