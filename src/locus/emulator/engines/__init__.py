"""What answers a conversation: the scripted engine (the default), a rules file, or a
real model behind an OpenAI-compatible server; and stand-ins for embeddings and rerank.
"""

from __future__ import annotations

from locus.emulator.engines._protocol import Engine
from locus.emulator.engines._select import build_engine
from locus.emulator.engines._vectors import embed, relevance

__all__ = ["Engine", "build_engine", "embed", "relevance"]
