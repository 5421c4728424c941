"""Grounded answers in the emulator: the documents of a Cohere request and the citations
of an answer that quotes them.

A document is cited where its snippet (``snippet``, else ``text``, else ``content``)
appears in the answer's text; a document without an ``id`` is ``doc_0``, ``doc_1``... by
its place in the request, as the service numbers them (the SDK's ``CohereChatResponse.
documents`` example). The wire modules render these as COHERE or COHEREV2 citations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from locus.emulator._errors import bad_request

__all__ = ["Cite", "Doc", "cite", "parse_documents"]

_QUOTED = ("snippet", "text", "content")


@dataclass(frozen=True, slots=True)
class Doc:
    """A request's document: its id and its fields as sent."""

    id: str
    fields: dict[str, Any]

    @property
    def snippet(self) -> str:
        """The text an answer quotes from the document ("" when it has none)."""
        for name in _QUOTED:
            value = self.fields.get(name)
            if isinstance(value, str) and value.strip():
                return value.strip()
        return ""

    def with_id(self) -> dict[str, Any]:
        """The document as the response's ``documents`` lists it: with its ``id``."""
        return {"id": self.id, **{k: v for k, v in self.fields.items() if k != "id"}}


@dataclass(frozen=True, slots=True)
class Cite:
    """``text[start:end]`` of an answer, and the ids of the documents it quotes."""

    start: int
    end: int
    text: str
    doc_ids: tuple[str, ...]


def parse_documents(raw: Any, where: str) -> tuple[Doc, ...]:
    """A request's ``documents``: a list of JSON objects (400 for anything else)."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise bad_request(f"{where} must be a list of objects")
    docs = []
    for n, item in enumerate(raw):
        if not isinstance(item, dict):
            raise bad_request(f"{where}[{n}] must be an object")
        doc_id = item.get("id")
        docs.append(Doc(doc_id if isinstance(doc_id, str) and doc_id else f"doc_{n}", item))
    return tuple(docs)


def cite(text: str, docs: tuple[Doc, ...]) -> list[Cite]:
    """Where ``text`` quotes each document's snippet, in text order (one citation per span,
    naming every document with that snippet)."""
    spans: dict[tuple[int, int], list[str]] = {}
    for doc in docs:
        snippet = doc.snippet
        at = text.find(snippet) if snippet else -1
        while at >= 0:
            spans.setdefault((at, at + len(snippet)), []).append(doc.id)
            at = text.find(snippet, at + len(snippet))
    return [
        Cite(start, end, text[start:end], tuple(ids)) for (start, end), ids in sorted(spans.items())
    ]
