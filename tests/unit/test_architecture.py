"""The shape DESIGN.md draws, checked on the source: no import cycle, layers that point one
way, rooms that keep to themselves, and modules small enough to read."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
MAX_LINES = 400


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted((SRC / "locus").rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _runtime_imports(path: Path, name: str) -> Iterator[str]:
    """Modules of ``locus`` imported when ``name`` runs (not under ``TYPE_CHECKING``)."""
    tree = ast.parse(path.read_text("utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in _outside_type_checking(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, package)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def _outside_type_checking(tree: ast.Module) -> Iterator[ast.AST]:
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            stack.extend(node.orelse)
            continue
        yield node
        stack.extend(ast.iter_child_nodes(node))


def _absolute(node: ast.ImportFrom, package: str) -> str:
    if not node.level:
        return node.module or ""
    base = package.split(".")
    base = base[: len(base) - node.level + 1]
    return ".".join([*base, node.module] if node.module else base)


def _graph(*, top_level_only: bool) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        if top_level_only:
            targets = {t for t in _top_level_imports(path, name) if t in MODULES and t != name}
        else:
            targets = {t for t in _runtime_imports(path, name) if t in MODULES and t != name}
        graph[name] = targets
    return graph


def _top_level_imports(path: Path, name: str) -> set[str]:
    """Imports at module level, ``TYPE_CHECKING`` ones included: a cycle that only type
    checking closes is still two modules that each need the other."""
    tree = ast.parse(path.read_text("utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    body = [*tree.body]
    body += [inner for node in tree.body if isinstance(node, ast.If) for inner in node.body]
    for node in body:
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, package)
            found |= {base, *(f"{base}.{alias.name}" for alias in node.names)}
    return found


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, ())):
            # a package's __init__ importing its own submodules is not a cycle
            if node.startswith(target + "."):
                continue
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_no_import_cycle_between_modules() -> None:
    assert _cycle(_graph(top_level_only=True)) is None


LAYERS = {
    # room: rooms of locus it must not import (DESIGN.md, "Layers and their rooms")
    "locus.core": ["locus.agent", "locus.tools", "locus.models", "locus.emulator", "locus.testing"],
    "locus.toolcalls": ["locus.agent", "locus.models", "locus.emulator", "locus.testing"],
    "locus.tools": ["locus.agent", "locus.models", "locus.emulator", "locus.testing"],
    "locus.models": ["locus.agent", "locus.tools", "locus.emulator", "locus.testing"],
    "locus.agent": ["locus.emulator", "locus.testing", "locus.models.providers"],
    "locus.emulator": ["locus.models", "locus.agent", "locus.tools", "locus.toolcalls"],
    "locus.retrieval": ["locus.agent", "locus.emulator", "locus.testing", "locus.models"],
    "locus.mcp": ["locus.agent", "locus.emulator", "locus.testing", "locus.models"],
    "locus.guardrails": ["locus.emulator", "locus.testing"],
    "locus.telemetry": ["locus.emulator", "locus.testing", "locus.models"],
    "locus.serve": ["locus.emulator", "locus.testing", "locus.models.providers", "locus.chat"],
    "locus.chat": ["locus.emulator", "locus.testing", "locus.models.providers"],
    "locus.durable": ["locus.emulator", "locus.testing", "locus.models.providers", "locus.serve"],
    "locus.a2a": ["locus.emulator", "locus.testing", "locus.serve", "locus.models.providers"],
    "locus.evals": ["locus.emulator", "locus.testing", "locus.serve", "locus.models.providers"],
    "locus.stores": [
        "locus.agent",
        "locus.tools",
        "locus.toolcalls",
        "locus.models",
        "locus.emulator",
        "locus.testing",
    ],
}


@pytest.mark.parametrize("room", sorted(LAYERS))
def test_rooms_import_only_downward(room: str) -> None:
    graph = _graph(top_level_only=False)
    wrong = sorted(
        f"{name} -> {target}"
        for name, targets in graph.items()
        if name == room or name.startswith(room + ".")
        for target in targets
        for banned in LAYERS[room]
        if target == banned or target.startswith(banned + ".")
    )
    assert wrong == []


def test_no_module_over_the_line_limit() -> None:
    long = {
        name: n
        for name, path in MODULES.items()
        if (n := len(path.read_text("utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}
