"""Read a function's docstring: the summary and per-argument text (Google and NumPy styles).

Google style (``Args:`` / ``Arguments:`` / ``Parameters:`` followed by indented
``name (type): text`` lines) and NumPy style (``Parameters`` underlined with dashes,
then ``name : type`` lines with indented text) are both understood.
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


@dataclass(slots=True)
class Docstring:
    """A parsed docstring: ``summary`` (text before any section) and ``params`` by name."""

    summary: str = ""
    params: dict[str, str] = field(default_factory=dict)


def parse_docstring(doc: str | None) -> Docstring:
    """Split ``doc`` into its summary and the per-argument descriptions it documents."""
    if not doc:
        return Docstring()
    lines = inspect.cleandoc(doc).splitlines()
    start = _first_section(lines)
    summary = "\n".join(lines[:start]).strip()
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
        if _is_google_header(line) or _is_numpy_header(lines, i):
            return i
    return len(lines)


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
