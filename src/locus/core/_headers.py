"""Extra HTTP headers for the model call being made (``ModelRequest.headers``).

A ``before_model_call`` hook (telemetry's ``traceparent``) sets ``request.headers``; the
agent's run puts them here, in its own task's context, for the one model call it is
about to make, and clears them after. A model class reads ``model_headers.get()`` once
per call when it builds the call's headers (``None``, the usual case: none) and adds
them under its own: a hook's header never replaces one the connection sets (content
type, retry token, request id, signature).

It lives in ``locus.core`` because the models read it and may not import the agent.
"""

from __future__ import annotations

from contextvars import ContextVar

__all__ = ["model_headers"]

model_headers: ContextVar[dict[str, str] | None] = ContextVar("locus_model_headers", default=None)
