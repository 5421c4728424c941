"""Serve agents over HTTP: ``create_app(agent | {name: agent})`` is a Starlette app.

Routes: OpenAI-compatible ``POST /v1/chat/completions`` and ``GET /v1/models``; AG-UI
event streams on ``POST /v1/agents/{name}/runs``; A2A (JSON-RPC) on ``POST /a2a/{name}``,
its card at ``/a2a/{name}/.well-known/agent-card.json``; threads on ``/v1/threads``;
approvals; ``/healthz`` and ``/readyz``; the chat page at ``/`` with ``ui=True``. ``locus
serve module:agent`` runs it with uvicorn. See ``docs/serving.md``.

Starlette is imported only when ``create_app`` is first used (``pip install
'locus-oci[serve]'``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from locus._lazy import lazy_exports

if TYPE_CHECKING:
    from locus.serve._app import create_app

__all__ = ["create_app"]


__getattr__, __dir__ = lazy_exports(__name__, {"create_app": "locus.serve._app"})
