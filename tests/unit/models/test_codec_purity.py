"""The codec modules stay pure: no I/O imports."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[3] / "src" / "locus" / "models"
CODEC_FILES = [
    *sorted((SRC / "_wire").glob("*.py")),
    *sorted((SRC / "_openai").glob("*.py")),
    *sorted((SRC / "providers" / "oci" / "_formats").glob("*.py")),
]
IMPURE = {"httpx", "asyncio", "socket", "requests", "oci", "anyio", "logging"}


def _imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_codecs_do_no_io() -> None:
    assert len(CODEC_FILES) > 10
    for path in CODEC_FILES:
        assert not (_imported_roots(path) & IMPURE), path.name
