"""Extra HTTP headers for the model call being made (``ModelRequest.headers``).

A ``before_model_call`` hook (telemetry's ``traceparent``) sets ``request.headers``; the
run puts them here, in its own task's context, just before the model call. A model
class that sends per-call headers reads ``model_headers.get()`` when it builds the
request (``None``: none).
"""

from __future__ import annotations

from contextvars import ContextVar

__all__ = ["model_headers"]

model_headers: ContextVar[dict[str, str] | None] = ContextVar("locus_model_headers", default=None)
