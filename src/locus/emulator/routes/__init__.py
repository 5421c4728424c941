"""The HTTP operations: OCI chat, embed and rerank, the OpenAI-compatible chat, and the
loopback-only admin route; :class:`Service` is what they share.
"""

from __future__ import annotations

from locus.emulator.routes._actions import embed_text, rerank_text
from locus.emulator.routes._admin import admin
from locus.emulator.routes._chat import chat
from locus.emulator.routes._openai import chat_completions
from locus.emulator.routes._service import Service

__all__ = ["Service", "admin", "chat", "chat_completions", "embed_text", "rerank_text"]
