"""Grounded answers on the wire: ``documents`` in the request, citations in the answer.

Request (wire-spec §2.4, §2.5): COHERE and COHEREV2 take ``documents`` (free-form JSON
objects, sent as given) and a citation setting, ``citationQuality`` (ACCURATE/FAST) in
COHERE, ``citationOptions.mode`` (FAST/ACCURATE/OFF) in COHEREV2. GENERIC has no
``documents``: such a call is refused. Answer (§3.2): COHERE ``citations: [{start, end,
text, documentIds}]``; COHEREV2 ``message.citations: [{start, end, text, contentIndex,
type, sources: [{type: DOCUMENT, document: {id, document}}]}]``; GENERIC
``message.annotations: [{type, urlCitation: {startIndex, endIndex, title, url}}]``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from locus.core._grounding import Grounding, not_grounded
from locus.core.citations import Citation
from locus.core.errors import ConfigurationError
from locus.models._wire.shape import maps_in, opt_int, opt_list, opt_map, opt_str
from locus.models.providers.oci._formats.api_format import ApiFormat

__all__ = ["cohere_citations", "grounding_fields", "url_citations", "v2_citations"]


def grounding_fields(api_format: ApiFormat, grounding: Grounding | None) -> dict[str, Any]:
    """The request fields of a call's documents in ``api_format`` (none without any)."""
    if grounding is None:
        return {}
    if api_format is ApiFormat.GENERIC:
        raise not_grounded("api_format 'generic'")
    out: dict[str, Any] = {"documents": [dict(d) for d in grounding.documents]}
    quality = grounding.citation_quality
    if quality is None:
        return out
    if api_format is ApiFormat.COHEREV2:
        out["citationOptions"] = {"mode": quality.upper()}
    elif quality == "off":
        raise ConfigurationError(
            "the COHERE api_format cannot turn citations off (citation_quality='off'); "
            "use 'accurate' or 'fast', or api_format='cohere_v2'"
        )
    else:
        out["citationQuality"] = quality.upper()
    return out


def cohere_citations(obj: Mapping[str, Any], where: str) -> tuple[Citation, ...]:
    """A COHERE response's (or terminal event's) ``citations``."""
    wire = opt_list(obj, "citations", where)
    if not wire:
        return ()
    where = f"{where}.citations"
    out: list[Citation] = []
    for item in maps_in(wire, where):
        start, end = opt_int(item, "start", where), opt_int(item, "end", where)
        if start is None or end is None:
            continue  # (required by the SDK: a span without its place cannot be shown)
        ids = tuple(str(i) for i in opt_list(item, "documentIds", where) or ())
        out.append(Citation(start, end, opt_str(item, "text", where) or "", ids))
    return tuple(out)


def v2_citations(message: Mapping[str, Any], where: str) -> tuple[Citation, ...]:
    """A COHEREV2 message's ``citations`` of its text (those of its thinking or plan are
    left out), with offsets into the joined TEXT parts; DOCUMENT sources give the ids."""
    wire = opt_list(message, "citations", where)
    if not wire:
        return ()
    where = f"{where}.citations"
    bases = _text_part_offsets(message, where)
    out: list[Citation] = []
    for item in maps_in(wire, where):
        start, end = opt_int(item, "start", where), opt_int(item, "end", where)
        if start is None or end is None or item.get("type") not in (None, "TEXT_CONTENT"):
            continue
        base = bases.get(opt_int(item, "contentIndex", where) or 0, 0)
        text = opt_str(item, "text", where) or ""
        out.append(Citation(base + start, base + end, text, _document_ids(item, where)))
    return tuple(out)


def _text_part_offsets(message: Mapping[str, Any], where: str) -> dict[int, int]:
    """Content index -> where that TEXT part starts in the joined text."""
    offsets: dict[int, int] = {}
    at = 0
    for n, part in enumerate(maps_in(opt_list(message, "content", where), where)):
        if part.get("type") in ("TEXT", None):
            offsets[n] = at
            at += len(opt_str(part, "text", where) or "")
    return offsets


def _document_ids(item: Mapping[str, Any], where: str) -> tuple[str, ...]:
    ids: list[str] = []
    for source in maps_in(opt_list(item, "sources", where), f"{where}.sources"):
        if source.get("type") != "DOCUMENT":
            continue  # (a TOOL source cites a tool's output, not a document)
        document = opt_map(source, "document", f"{where}.sources") or {}
        if (doc_id := opt_str(document, "id", f"{where}.sources.document")) is not None:
            ids.append(doc_id)
    return tuple(ids)


def url_citations(message: Mapping[str, Any], text: str | None) -> tuple[Citation, ...]:
    """A GENERIC message's ``annotations`` that cite a URL, as spans of ``text``."""
    wire = opt_list(message, "annotations", "message")
    if not wire:
        return ()
    where = "message.annotations"
    out: list[Citation] = []
    for item in maps_in(wire, where):
        url = opt_map(item, "urlCitation", where)
        if url is None:
            continue
        start = opt_int(url, "startIndex", f"{where}.urlCitation") or 0
        end = opt_int(url, "endIndex", f"{where}.urlCitation") or start
        out.append(
            Citation(
                start,
                end,
                (text or "")[start:end],
                url=opt_str(url, "url", f"{where}.urlCitation"),
                title=opt_str(url, "title", f"{where}.urlCitation"),
            )
        )
    return tuple(out)
