"""``open_thread_store``: a store from a URL, or the store given."""

from __future__ import annotations

from locus.core.errors import ConfigurationError
from locus.stores._dsn import mask
from locus.stores._memory import InMemoryThreadStore
from locus.stores._protocol import ThreadStore

__all__ = ["open_thread_store"]

_ACCEPTED = (
    "'memory://', 'sqlite:///relative/path.db', 'sqlite:////absolute/path.db', "
    "'postgresql://user@host:port/dbname' (or 'postgres://...'), "
    "or an object with async load() and append()"
)


def open_thread_store(spec: str | ThreadStore) -> ThreadStore:
    """The store a URL names; a store object is returned as is.

    ``memory://`` is an ``InMemoryThreadStore``, ``sqlite:///path.db`` a
    ``SQLiteThreadStore`` (three slashes and a relative path, four for an absolute one),
    ``postgresql://...`` a ``PostgresThreadStore`` (the URL is its libpq DSN).
    """
    if not isinstance(spec, str):
        if isinstance(spec, ThreadStore):
            return spec
        raise ConfigurationError(
            f"thread_store must be a URL or a store, got {type(spec).__name__}; "
            f"accepted: {_ACCEPTED}"
        )
    scheme, sep, rest = spec.partition("://")
    scheme = scheme.lower()
    if sep and scheme == "memory" and rest in ("", "/"):
        return InMemoryThreadStore()
    if sep and scheme == "sqlite":
        return _sqlite(spec, rest)
    if sep and scheme in ("postgresql", "postgres"):
        from locus.stores._postgres import PostgresThreadStore

        return PostgresThreadStore(spec)
    raise ConfigurationError(f"unknown thread store URL {mask(spec)!r}; accepted: {_ACCEPTED}")


def _sqlite(spec: str, rest: str) -> ThreadStore:
    from locus.stores._sqlite import SQLiteThreadStore

    if not rest.startswith("/") or rest == "/":
        raise ConfigurationError(
            f"a SQLite URL needs a path after three slashes, got {spec!r}: "
            "'sqlite:///threads.db' (relative) or 'sqlite:////var/lib/app/threads.db' (absolute)"
        )
    return SQLiteThreadStore(rest[1:])
