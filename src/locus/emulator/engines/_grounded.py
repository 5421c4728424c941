"""The scripted engine's answer over a request's documents: it quotes them.

The documents that share the most words (of four letters or more) with the question are
quoted whole, at most three, in the request's order (the first three when none shares a
word), so that the wire can cite each quote (``locus.emulator._grounding.cite``).
"""

from __future__ import annotations

import re

from locus.emulator._conversation import Conversation
from locus.emulator._grounding import Doc

__all__ = ["grounded_answer"]

_WORD = re.compile(r"\w{4,}")
_MAX_QUOTES = 3


def grounded_answer(conversation: Conversation) -> str | None:
    """The answer quoting the relevant documents; ``None`` without quotable documents."""
    quotable = [doc for doc in conversation.documents if doc.snippet]
    if not quotable:
        return None
    asked = _words(conversation.last_user_text())
    shared = [len(_words(doc.snippet) & asked) for doc in quotable]
    best = max(shared)
    relevant = [d for d, n in zip(quotable, shared, strict=True) if n == best] if best else quotable
    return "According to the documents: " + " ".join(_quote(d) for d in relevant[:_MAX_QUOTES])


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)}


def _quote(doc: Doc) -> str:
    snippet = doc.snippet
    return snippet if snippet.endswith((".", "!", "?")) else snippet + "."
