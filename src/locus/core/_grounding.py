"""``Grounding``: the documents of one model call and how to cite them, checked once.

A call's ``documents=`` and ``citation_quality=`` keywords become one ``Grounding`` that
the model hands its codec (``ChatRequest.grounding``); a codec that cannot send documents
refuses it with a ``ConfigurationError`` rather than drop them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast, get_args

from locus.core.citations import CitationQuality
from locus.core.errors import ConfigurationError

__all__ = ["GROUNDING_NAMES", "Grounding", "grounding_from", "not_grounded", "split_grounding"]

GROUNDING_NAMES = frozenset(("documents", "citation_quality"))
"""The call keywords that make a ``Grounding`` (not generation parameters)."""

_QUALITIES = frozenset(get_args(CitationQuality))


@dataclass(frozen=True, slots=True)
class Grounding:
    """The documents a call's answer is grounded on (never empty), and the citation
    quality asked for (``None``: the service's default)."""

    documents: tuple[dict[str, Any], ...]
    citation_quality: CitationQuality | None = None


def grounding_from(documents: Any, citation_quality: Any) -> Grounding | None:
    """The ``Grounding`` of a call's keywords; ``None`` when there are no documents.

    ``ConfigurationError`` for documents that are not JSON objects with text keys, or an
    unknown ``citation_quality``.
    """
    if citation_quality is not None and citation_quality not in _QUALITIES:
        raise ConfigurationError(
            f"citation_quality must be 'accurate', 'fast' or 'off', not {citation_quality!r}"
        )
    if documents is None:
        return None
    if isinstance(documents, str | bytes | Mapping) or not hasattr(documents, "__iter__"):
        raise ConfigurationError(
            "documents must be a list of dicts, such as "
            "[{'title': 'Tall penguins', 'snippet': 'Emperor penguins are the tallest.'}], "
            f"not {type(documents).__name__}"
        )
    checked = tuple(_document(n, d) for n, d in enumerate(documents))
    if not checked:
        return None
    return Grounding(checked, cast(CitationQuality | None, citation_quality))


def _document(n: int, document: Any) -> dict[str, Any]:
    if not isinstance(document, Mapping) or not all(isinstance(k, str) for k in document):
        raise ConfigurationError(
            f"documents[{n}] must be a dict with string keys, such as "
            f"{{'title': ..., 'snippet': ...}}, not {document!r:.80}"
        )
    return dict(document)


def not_grounded(where: str) -> ConfigurationError:
    """The error for documents sent where they cannot be: what to do instead."""
    return ConfigurationError(
        f"{where} cannot send documents: grounded answers with citations are a feature of "
        "OCI's Cohere chat models (OCIModel with api_format='cohere' or 'cohere_v2'). For "
        "another model, put the documents in the prompt, or give the agent a search tool "
        "over them (locus.retrieval: store.as_tool() or retrieval_tool(retriever))"
    )


def split_grounding(
    overrides: dict[str, Any], *, accepted: bool, where: str
) -> tuple[dict[str, Any], Grounding | None]:
    """A call's keywords without ``documents``/``citation_quality``, and their
    ``Grounding``; documents where they are not ``accepted`` are refused (``where``
    names the model)."""
    rest = {k: v for k, v in overrides.items() if k not in GROUNDING_NAMES}
    grounding = grounding_from(overrides.get("documents"), overrides.get("citation_quality"))
    if grounding is not None and not accepted:
        raise not_grounded(where)
    return rest, grounding
