"""The stores under the shared contract: each test of ``test_contract.py`` runs on each."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from locus.stores import InMemoryThreadStore, SQLiteThreadStore

StoreFactory = Callable[[], Awaitable[Any]]

KINDS = ["memory", "sqlite"]


@pytest.fixture(params=KINDS)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Any]:
    """A fresh, empty store of each kind; closed after the test."""
    made = _make(request.param, tmp_path)
    yield made
    await made.aclose()


def _make(kind: str, tmp_path: Path) -> Any:
    if kind == "memory":
        return InMemoryThreadStore()
    if kind == "sqlite":
        return SQLiteThreadStore(tmp_path / "threads.db")
    raise AssertionError(kind)
