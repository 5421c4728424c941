"""Read a function's docstring: the summary and per-argument text (Google, NumPy, Sphinx).

Google style (``Args:`` / ``Arguments:`` / ``Parameters:`` followed by indented
``name (type): text`` lines), NumPy style (``Parameters`` underlined with dashes,
then ``name : type`` lines with indented text) and reStructuredText/Sphinx field lists
(``:param name: text``, ``:param type name: text``, ``:type name: type``,
``:returns: text``; indented lines continue a field) are understood. The summary is
the text before the first section or field.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field

__all__ = ["Docstring", "parse_docstring"]

_GOOGLE_ARGS = {"args", "arguments", "parameters", "params", "keyword args", "keyword arguments"}
_GOOGLE_OTHER = {
    "returns",
    "return",
    "yields",
    "raises",
    "examples",
    "example",
    "notes",
    "note",
    "attributes",
    "see also",
    "references",
    "warnings",
    "warning",
    "todo",
}
_GOOGLE_HEADER = re.compile(r"^([A-Za-z][A-Za-z ]*):\s*$")
_GOOGLE_ITEM = re.compile(r"^\*{0,2}(\w+)\s*(?:\([^)]*\))?\s*:\s*(.*)$")
_NUMPY_UNDERLINE = re.compile(r"^\s*-{3,}\s*$")
_NUMPY_ITEM = re.compile(r"^\*{0,2}(\w+)(?:\s*,\s*\w+)*\s*(?::.*)?$")
_SPHINX_FIELD = re.compile(r"^:([A-Za-z]+)((?:\s+[^:\s][^:]*)?):(?:\s+(.*))?$")
_SPHINX_PARAMS = {"param", "parameter", "arg", "argument", "key", "keyword"}
_SPHINX_KNOWN = _SPHINX_PARAMS | {
    *("type", "returns", "return", "rtype", "raises", "raise", "except", "exception"),
    *("yields", "yield", "ytype", "var", "ivar", "cvar", "vartype", "meta"),
}


@dataclass(slots=True)
class Docstring:
    """A parsed docstring: ``summary`` (text before any section) and ``params`` by name."""

    summary: str = ""
    params: dict[str, str] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)
    """Parameter types a Sphinx docstring names (``:type x: int``); the schema takes
    its types from the annotations."""
    returns: str = ""
    """What a Sphinx docstring says the function returns (``:returns:``)."""


def parse_docstring(doc: str | None) -> Docstring:
    """Split ``doc`` into its summary and the per-argument descriptions it documents."""
    if not doc:
        return Docstring()
    lines = inspect.cleandoc(doc).splitlines()
    start = _first_section(lines)
    summary = "\n".join(lines[:start]).strip()
    if start < len(lines) and _sphinx_field(lines[start]) is not None:
        return _sphinx(summary, lines[start:])
    params: dict[str, str] = {}
    for name, numpy, body in _sections(lines[start:]):
        if name in _GOOGLE_ARGS or name == "other parameters":
            params.update(_section_params(body, numpy=numpy))
    return Docstring(summary=summary, params=params)


def _is_numpy_header(lines: list[str], i: int) -> bool:
    return (
        i + 1 < len(lines) and bool(lines[i].strip()) and bool(_NUMPY_UNDERLINE.match(lines[i + 1]))
    )


def _is_google_header(line: str) -> bool:
    match = _GOOGLE_HEADER.match(line)
    if match is None:
        return False
    name = match.group(1).strip().lower()
    return name in _GOOGLE_ARGS or name in _GOOGLE_OTHER


def _first_section(lines: list[str]) -> int:
    for i, line in enumerate(lines):
        if _is_google_header(line) or _is_numpy_header(lines, i) or _sphinx_field(line):
            return i
    return len(lines)


def _sphinx_field(line: str) -> tuple[str, list[str], str] | None:
    """``(field, its words, text)`` of a Sphinx field line (``:param int x: text``)."""
    match = _SPHINX_FIELD.match(line)
    if match is None or match.group(1).lower() not in _SPHINX_KNOWN:
        return None
    return match.group(1).lower(), match.group(2).split(), match.group(3) or ""


def _sphinx(summary: str, lines: list[str]) -> Docstring:
    """The fields of a Sphinx field list (a line that is not a field continues the last)."""
    doc = Docstring(summary=summary)
    texts: list[tuple[str, list[str], list[str]]] = []
    for line in lines:
        found = _sphinx_field(line)
        if found is not None:
            texts.append((found[0], found[1], [found[2]]))
        elif texts and line.strip():
            texts[-1][2].append(line.strip())
    for name, words, parts in texts:
        text = " ".join(part for part in parts if part).strip()
        if name in _SPHINX_PARAMS and words:
            doc.params[words[-1]] = text
            if len(words) > 1:  # :param int x: names the type too
                doc.types[words[-1]] = " ".join(words[:-1])
        elif name == "type" and len(words) == 1:
            doc.types[words[0]] = text
        elif name in ("returns", "return") and not words:
            doc.returns = text
    return doc


def _sections(lines: list[str]) -> list[tuple[str, bool, list[str]]]:
    """Cut ``lines`` into (lower-case section name, is NumPy style, body lines)."""
    sections: list[tuple[str, bool, list[str]]] = []
    i = 0
    while i < len(lines):
        if _is_numpy_header(lines, i):
            sections.append((lines[i].strip().lower(), True, []))
            i += 2
            continue
        if _is_google_header(lines[i]):
            sections.append((lines[i].strip().rstrip(":").strip().lower(), False, []))
        elif sections:
            sections[-1][2].append(lines[i])
        i += 1
    return sections


def _section_params(body: list[str], *, numpy: bool) -> dict[str, str]:
    """Parameters of one section; items sit at the section's smallest indentation."""
    indents = [len(line) - len(line.lstrip()) for line in body if line.strip()]
    if not indents:
        return {}
    base = min(indents)
    params: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in body:
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        if indent == base:
            current = _start_item(line.strip(), params, numpy=numpy)
        elif current is not None:
            current.append(line.strip())
    return {name: " ".join(part for part in text if part).strip() for name, text in params.items()}


def _start_item(text: str, params: dict[str, list[str]], *, numpy: bool) -> list[str] | None:
    """Record a new item line; return the list its continuation lines go to."""
    match = (_NUMPY_ITEM if numpy else _GOOGLE_ITEM).match(text)
    if match is None:
        return None
    params[match.group(1)] = [] if numpy else [match.group(2)]
    return params[match.group(1)]
