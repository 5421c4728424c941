"""``GuardrailsResult``: what ``ApplyGuardrails`` found in one text, as typed data.

Read from the answer's ``results`` (``contentModeration``, ``personallyIdentifiableInformation``,
``promptInjection``); a check that was not asked for is ``None``. ``flags()`` says which
checks tripped at a threshold, ``redacted()`` replaces the PII spans.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from locus.core.errors import ResponseError

__all__ = ["CategoryScore", "GuardrailsResult", "PiiEntity"]

CHECKS = ("content_moderation", "pii", "prompt_injection")


@dataclass(frozen=True, slots=True)
class CategoryScore:
    """A content moderation category (``OVERALL``, ``BLOCKLIST``) and its score (0.0 to 1.0)."""

    name: str
    score: float
    flagged_modalities: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PiiEntity:
    """A piece of personal data: its ``label`` (``EMAIL``, ``PERSON``...), the ``text`` found,
    where it is (``offset`` and ``length`` in characters) and the detector's ``score``."""

    label: str
    text: str = field(repr=False)  # user data: kept out of reprs, logs and tracebacks
    offset: int
    length: int
    score: float


@dataclass(frozen=True, slots=True)
class GuardrailsResult:
    """The findings for one ``text``: ``content_moderation`` (per category), ``pii``
    (entities, in text order) and ``prompt_injection`` (a score); ``None`` where the check
    was not asked for. ``version`` is the guardrails version that answered. The ``repr``
    leaves out the texts (user data)."""

    text: str = field(repr=False)
    content_moderation: tuple[CategoryScore, ...] | None = None
    pii: tuple[PiiEntity, ...] | None = None
    prompt_injection: float | None = None
    version: str | None = None

    def flags(self, threshold: float = 0.5) -> list[str]:
        """The checks that tripped: ``"content_moderation:OVERALL"``, ``"pii:EMAIL"``,
        ``"prompt_injection"``... (each once, in that order)."""
        found = [
            f"content_moderation:{c.name}"
            for c in self.content_moderation or ()
            if c.score >= threshold
        ]
        found += dict.fromkeys(f"pii:{e.label}" for e in self.pii or () if e.score >= threshold)
        if self.prompt_injection is not None and self.prompt_injection >= threshold:
            found.append("prompt_injection")
        return found

    def flagged(self, threshold: float = 0.5) -> bool:
        """True when any check tripped at ``threshold``."""
        return bool(self.flags(threshold))

    def redacted(self, mask: str = "[{label}]", threshold: float = 0.5) -> str:
        """``text`` with each PII span (scored at least ``threshold``) replaced by ``mask``
        (``{label}`` in it becomes the entity's label). Overlapping spans are replaced as
        one; a span whose offsets do not point at its text (offsets counted in UTF-16
        units, or shifted) is found by its text."""
        spans = sorted(
            (span for e in self.pii or () if e.score >= threshold for span in _spans(self.text, e)),
        )
        out, cursor = [], 0
        for start, end, label in spans:
            if start < cursor:  # overlaps the last one: widen it
                cursor = max(cursor, end)
                continue
            out.append(self.text[cursor:start])
            out.append(mask.replace("{label}", label))
            cursor = end
        out.append(self.text[cursor:])
        return "".join(out)


def _spans(text: str, entity: PiiEntity) -> list[tuple[int, int, str]]:
    """Where ``entity`` is in ``text``, as ``(start, end, label)`` in Python indices."""
    start, end = entity.offset, entity.offset + entity.length
    if not entity.text and end <= start:
        return []  # nothing to replace
    if not entity.text or text[start:end] == entity.text:
        return [(start, min(end, len(text)), entity.label)] if start < len(text) else []
    at = _from_utf16(text, entity.offset)
    if at is not None and text.startswith(entity.text, at):
        return [(at, at + len(entity.text), entity.label)]
    found, at = [], text.find(entity.text)
    while at >= 0:  # not where the offset says: every occurrence
        found.append((at, at + len(entity.text), entity.label))
        at = text.find(entity.text, at + 1)
    return found


def _from_utf16(text: str, units: int) -> int | None:
    """The Python index of the character ``units`` UTF-16 code units into ``text``."""
    count = 0
    for index, char in enumerate(text):
        if count == units:
            return index
        if count > units:
            return None
        count += 2 if ord(char) > 0xFFFF else 1
    return len(text) if count == units else None


def parse_result(text: str, answer: Mapping[str, Any], endpoint: str) -> GuardrailsResult:
    """The typed result of an ``ApplyGuardrailsResult`` body; a malformed one is a
    ``ResponseError``."""
    results = answer.get("results")
    if not isinstance(results, Mapping):
        raise ResponseError("applyGuardrails answered no results object", endpoint=endpoint)
    try:
        version = answer.get("guardrailVersion") or {}
        return GuardrailsResult(
            text=text,
            content_moderation=_categories(results.get("contentModeration")),
            pii=_entities(results.get("personallyIdentifiableInformation")),
            prompt_injection=_injection(results.get("promptInjection")),
            version=version.get("version") if isinstance(version, Mapping) else None,
        )
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise ResponseError(
            f"applyGuardrails answered a malformed result: {exc}", endpoint=endpoint
        ) from None


def _categories(raw: Any) -> tuple[CategoryScore, ...] | None:
    if raw is None:
        return None
    return tuple(
        CategoryScore(str(c["name"]), _score(c["score"]), tuple(c.get("flaggedModalities") or ()))
        for c in raw["categories"]
    )


def _entities(raw: Any) -> tuple[PiiEntity, ...] | None:
    if raw is None:
        return None
    entities = (
        PiiEntity(
            str(e["label"]),
            str(e["text"]),
            _int(e["offset"]),
            _int(e["length"]),
            _score(e["score"]),
        )
        for e in raw
    )
    return tuple(sorted(entities, key=lambda e: e.offset))


def _injection(raw: Any) -> float | None:
    return None if raw is None else _score(raw["score"])


def _score(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"score {value!r} is not a number")
    return float(value)


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{value!r} is not a non-negative whole number")
    return value
