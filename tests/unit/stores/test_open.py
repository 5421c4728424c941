"""open_thread_store: URLs to stores, and clear errors for the rest."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from locus.core.errors import ConfigurationError
from locus.core.messages import Message
from locus.stores import InMemoryThreadStore, SQLiteThreadStore, open_thread_store


def test_memory_url() -> None:
    assert isinstance(open_thread_store("memory://"), InMemoryThreadStore)


def test_a_store_is_returned_as_is() -> None:
    store = InMemoryThreadStore()
    assert open_thread_store(store) is store


class TwoMethodStore:
    async def load(self, thread_id: str) -> list[Message]:
        return []

    async def append(self, thread_id: str, messages: Sequence[Message]) -> None:
        return None


def test_a_users_two_method_store_is_accepted() -> None:
    store = TwoMethodStore()
    assert open_thread_store(store) is store


async def test_sqlite_urls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    relative = open_thread_store("sqlite:///rel.db")
    absolute = open_thread_store(f"sqlite:///{tmp_path}/abs.db")
    assert isinstance(relative, SQLiteThreadStore) and relative.path == "rel.db"
    assert isinstance(absolute, SQLiteThreadStore) and absolute.path == f"{tmp_path}/abs.db"
    await relative.list_threads()
    assert (tmp_path / "rel.db").exists()
    await relative.aclose()
    await absolute.aclose()


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///", "sqlite://host/x.db"])
def test_sqlite_url_without_a_path(url: str) -> None:
    with pytest.raises(ConfigurationError, match="needs a path after three slashes"):
        open_thread_store(url)


@pytest.mark.parametrize("spec", ["redis://x", "threads.db", "", "memory://x"])
def test_unknown_urls_say_what_is_accepted(spec: str) -> None:
    with pytest.raises(ConfigurationError, match="accepted: 'memory://', 'sqlite:///"):
        open_thread_store(spec)


def test_a_password_is_not_repeated() -> None:
    with pytest.raises(ConfigurationError) as caught:
        open_thread_store("mysql://user:s3cret@db/x")
    assert "s3cret" not in str(caught.value)
    assert "user:***@db/x" in str(caught.value)


def test_other_objects() -> None:
    with pytest.raises(ConfigurationError, match="must be a URL or a store, got int"):
        open_thread_store(3)  # type: ignore[arg-type]
