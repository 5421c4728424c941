"""Locus: an agent SDK for OCI Generative AI, Dedicated AI Cluster endpoints first.

Importing ``locus`` is cheap: submodules load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from locus._lazy import lazy_exports

__version__ = "0.1.0"

if TYPE_CHECKING:
    from locus.agent import Agent, AgentResult
    from locus.core.messages import Message, ToolCall
    from locus.models import get_model
    from locus.tools.decorator import tool

_LAZY = {
    "Agent": "locus.agent",
    "AgentResult": "locus.agent",
    "Message": "locus.core.messages",
    "ToolCall": "locus.core.messages",
    "get_model": "locus.models",
    "tool": "locus.tools.decorator",
}

__all__ = ["Agent", "AgentResult", "Message", "ToolCall", "__version__", "get_model", "tool"]

__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
