"""What a store accepts, checked before anything is embedded or written, the same for every
store: texts and ids that any database keeps (no NUL, no lone surrogate), metadata that is
JSON, a whole ``k``, a query with words in it, and fresh ``doc-<n>`` ids that never take
one already used.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from locus.core.errors import ConfigurationError
from locus.retrieval._document import Document

__all__ = [
    "Filter",
    "Scalar",
    "assign_ids",
    "candidate_blocks",
    "check_documents",
    "check_filter",
    "check_ids",
    "check_k",
    "check_query",
    "matches",
    "name_documents",
]

Scalar = str | int | float | bool | None
Filter = Mapping[str, Scalar]
"""A metadata filter: each key's value must equal the given one (a string, number,
boolean or None; ``1`` and ``1.0`` are equal, ``1`` and ``True`` or ``"1"`` are not)."""


def check_documents(documents: object) -> list[Document]:
    """``documents`` (texts or ``Document``s) as checked ``Document``s with their metadata
    copied (a later change to the caller's dict does not reach the store)."""
    if isinstance(documents, str | bytes) or not isinstance(documents, Sequence):
        raise ConfigurationError(
            f"add() takes a list of texts or Documents, not {type(documents).__name__}; "
            "for one text: add([text])"
        )
    checked = []
    for index, item in enumerate(documents):
        doc = item if isinstance(item, Document) else Document(item)
        where = f"document {index}" + (f" (id {doc.id!r})" if isinstance(doc.id, str) else "")
        if not isinstance(doc.text, str):
            raise ConfigurationError(f"{where}: the text must be a string, not {doc.text!r}")
        if not isinstance(doc.id, str):
            raise ConfigurationError(f"{where}: the id must be a string, not {doc.id!r}")
        _check_string(doc.text, f"{where}: the text")
        _check_string(doc.id, f"{where}: the id")
        if not doc.text.strip():
            raise ConfigurationError(f"{where} has no text: leave it out, there is nothing to find")
        checked.append(Document(doc.text, doc.id, _metadata(doc.metadata, where)))
    return checked


def check_ids(ids: object) -> list[str]:
    """``ids`` as a list of distinct strings (for ``delete``)."""
    if isinstance(ids, str | bytes) or not isinstance(ids, Iterable):
        raise ConfigurationError(
            f"delete() takes a list of ids, not {type(ids).__name__}; for one: delete([id])"
        )
    listed = list(ids)
    if not all(isinstance(i, str) for i in listed):
        raise ConfigurationError("delete() takes a list of ids, each a string")
    return list(dict.fromkeys(listed))


def check_filter(where: object) -> dict[str, Scalar] | None:
    """``where`` as a checked filter, or ``None`` when there is none (``None`` or empty)."""
    if where is None:
        return None
    if not isinstance(where, Mapping):
        raise ConfigurationError(
            f"filter must be a mapping of metadata keys to values, not {type(where).__name__}"
        )
    for key, value in where.items():
        if not isinstance(key, str) or not key:
            raise ConfigurationError(f"filter keys are non-empty strings, not {key!r}")
        _check_string(key, "a filter key")
        if isinstance(value, str):
            _check_string(value, "a filter value")
        elif not (
            value is None
            or isinstance(value, bool | int)
            or (isinstance(value, float) and math.isfinite(value))
        ):
            raise ConfigurationError(
                f"filter values are strings, numbers, booleans or None, not {value!r} "
                f"(for key {key!r})"
            )
    return dict(where) or None


def matches(metadata: Mapping[str, Any], where: Mapping[str, Scalar]) -> bool:
    """Whether ``metadata`` has every key of ``where`` with an equal value (JSON types:
    a boolean equals only a boolean, a number any equal number)."""
    for key, wanted in where.items():
        if key not in metadata:
            return False
        got = metadata[key]
        if isinstance(wanted, bool) or isinstance(got, bool):
            if got is not wanted:
                return False
        elif isinstance(wanted, int | float):
            if not isinstance(got, int | float) or got != wanted:
                return False
        elif got != wanted or type(got) is not type(wanted):
            return False
    return True


def check_k(k: object) -> int:
    """``k`` when it is a whole number of at least 1 (capped at what a database's LIMIT
    takes, more documents than any store holds)."""
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ConfigurationError(f"k must be a whole number, at least 1, not {k!r}")
    return min(k, _MAX_K)


_MAX_K = 2**62


def check_query(query: object) -> str:
    """``query`` when it is a string with words to search for."""
    if not isinstance(query, str):
        raise ConfigurationError(f"the query must be a string, not {type(query).__name__}")
    _check_string(query, "the query")
    if not query.strip():
        raise ConfigurationError("the query is empty: give words to search for")
    return query


def name_documents(
    documents: list[Document], start: int, taken: Callable[[list[str]], set[str]]
) -> list[Document]:
    """``documents`` with ``doc-<n>`` ids (``n`` from ``start``) given to those without one,
    skipping every id ``taken`` says the store holds and every id named in the batch.

    Stores call it where no other writer can come between it and their write.
    """
    free: list[str] = []
    blocks = candidate_blocks(documents, start)
    block = next(blocks, None)
    while block is not None:
        free += blocks.send(taken(block))
        block = next(blocks, None)
    return assign_ids(documents, free)


def candidate_blocks(documents: list[Document], start: int) -> Any:
    """A generator of candidate id blocks: it yields a block, is sent the ids of the block
    the store holds, yields the free ones, and so on until there are enough."""
    unnamed = sum(1 for d in documents if not d.id)
    named_here = {d.id for d in documents if d.id}
    found, n = 0, start
    while found < unnamed:
        # at least 100 at a time: after deletes, ids past the count may be held densely
        block = [f"doc-{i}" for i in range(n, n + max(unnamed - found, 100))]
        n += len(block)
        held: set[str] = yield block
        free = [i for i in block if i not in held and i not in named_here]
        found += len(free)
        yield free


def assign_ids(documents: list[Document], free: list[str]) -> list[Document]:
    """``documents`` with the ``free`` ids given, in order, to those without one."""
    fresh = iter(free)
    return [d if d.id else Document(d.text, next(fresh), d.metadata) for d in documents]


def _check_string(text: str, what: str) -> None:
    if "\x00" in text:
        raise ConfigurationError(
            f"{what} holds a NUL character (\\x00), which PostgreSQL cannot store: "
            "remove it (text.replace('\\x00', ''))"
        )
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ConfigurationError(
            f"{what} holds a lone surrogate (e.g. '\\ud800'), which is not text: "
            "decode the source with errors='replace'"
        ) from None


def _metadata(metadata: object, where: str) -> dict[str, Any]:
    if not isinstance(metadata, Mapping):
        raise ConfigurationError(
            f"{where}: metadata must be a mapping of names to JSON values, "
            f"not {type(metadata).__name__}"
        )
    if not all(isinstance(key, str) for key in metadata):
        raise ConfigurationError(f"{where}: metadata keys must be strings")
    try:
        encoded = json.dumps(dict(metadata), allow_nan=False, ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        raise ConfigurationError(
            f"{where}: metadata must be JSON (strings, numbers, booleans, None, lists, "
            f"dicts; no NaN): {exc}"
        ) from None
    copied: dict[str, Any] = json.loads(encoded)
    _check_strings(copied, f"{where}: the metadata")
    return copied


def _check_strings(value: object, what: str) -> None:
    if isinstance(value, str):
        _check_string(value, what)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_string(key, what)
            _check_strings(item, what)
    elif isinstance(value, list):
        for item in value:
            _check_strings(item, what)


def finite(value: float) -> float:
    """``value``, or 0.0 when it is not a number (a zero vector's cosine)."""
    return value if math.isfinite(value) else 0.0
