"""Grounded answers: the documents a call is given and the ``Citation``s of its answer.

A Cohere model on OCI (api formats COHERE and COHEREV2) answers over the documents passed
with a call (``documents=[{"title": ..., "snippet": ...}]``) and says which spans of its
answer come from which documents; a GENERIC model that searched the web says which URL a
span comes from. Both are a ``Citation`` on ``ModelResponse.citations``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from locus.core.errors import SerializationError

__all__ = ["Citation", "CitationQuality", "Document"]

Document = Mapping[str, Any]
"""One document to ground an answer on: a JSON object of text fields, such as
``{"title": "Tall penguins", "snippet": "Emperor penguins are the tallest."}``; give it an
``"id"`` to know it in citations (without one, Cohere numbers documents ``doc_0``,
``doc_1``... in the order given)."""

CitationQuality = Literal["accurate", "fast", "off"]
"""How the model finds its citations: ``"accurate"`` (slower), ``"fast"``, or ``"off"``
(COHEREV2 only: no citations)."""

_FIELDS = frozenset(("start", "end", "text", "document_ids", "url", "title"))


@dataclass(frozen=True, slots=True)
class Citation:
    """A span of the answer's text, ``text[start:end]``, and where it comes from.

    ``document_ids`` are the ids of the documents it cites (Cohere); ``url`` and ``title``
    name the web page it cites (a GENERIC model's ``urlCitation``).
    """

    start: int
    end: int
    text: str
    document_ids: tuple[str, ...] = ()
    url: str | None = None
    title: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The citation as a JSON object (``url`` and ``title`` only when set)."""
        out: dict[str, Any] = {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "document_ids": list(self.document_ids),
        }
        if self.url is not None:
            out["url"] = self.url
        if self.title is not None:
            out["title"] = self.title
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Citation:
        """A citation ``to_dict`` wrote; ``SerializationError`` for anything else."""
        if not isinstance(data, Mapping) or not _FIELDS.issuperset(data):
            raise SerializationError(f"not a citation as Citation.to_dict writes it: {data!r}")
        try:
            return cls(
                start=_whole(data["start"]),
                end=_whole(data["end"]),
                text=_text(data["text"]),
                document_ids=tuple(_text(i) for i in data.get("document_ids") or ()),
                url=None if data.get("url") is None else _text(data["url"]),
                title=None if data.get("title") is None else _text(data["title"]),
            )
        except (KeyError, TypeError) as exc:
            problem = f"not a citation as Citation.to_dict writes it: {exc}"
            raise SerializationError(problem) from exc


def _whole(value: Any) -> int:
    if type(value) is not int:
        raise TypeError(f"expected a whole number, got {value!r}")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {value!r}")
    return value
