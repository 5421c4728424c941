"""psycopg's exceptions as ``StoreError``s that say what to check (the one translation).

A connection that cannot be made or that broke mid-call is ``StoreUnavailableError``
(retrying later may work: the pool reconnects); a refused login, a missing database, a
full disk, a missing privilege and the rest are ``StoreError``. Texts carry the URL with
its password masked, and never the password itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from locus.core.errors import StoreError, StoreUnavailableError
from locus.stores._dsn import mask, scrub

if TYPE_CHECKING:
    import psycopg

__all__ = ["translate"]

_DROPPED = (
    "connection is closed",
    "server closed the connection",
    "consuming input failed",
    "connection is lost",
    "terminating connection",
)
_HINTS = {
    "53100": "the database server's disk is full: free space on it",
    "42501": "the user lacks a privilege on the store's tables (locus_threads, locus_messages, "
    "locus_schema): GRANT it, or connect as their owner",
    "25006": "the server is read-only (a standby replica?): point the URL at the primary",
}


def translate(exc: psycopg.Error, dsn: str, action: str) -> StoreError:
    """The ``StoreError`` for ``exc``, raised by ``action`` on the store at ``dsn``."""
    where = mask(dsn)
    said = scrub(" ".join(str(exc).split()), dsn)
    unavailable = _unavailable_hint(exc, said, where)
    if unavailable is not None:
        return StoreUnavailableError(
            f"PostgreSQL thread store {where}: {action} failed: {said}; {unavailable}", url=where
        )
    return StoreError(
        f"PostgreSQL thread store {where}: {action} failed: {said}; {_hint(exc, said)}",
        url=where,
    )


def _unavailable_hint(exc: psycopg.Error, said: str, where: str) -> str | None:
    from psycopg import OperationalError
    from psycopg_pool import PoolTimeout

    if isinstance(exc, PoolTimeout):
        return (
            "no connection came free in time: check that the server is up, or give the "
            "store more max_connections"
        )
    state = exc.sqlstate or ""
    if (
        state.startswith("08")
        or state.startswith("57P")
        or state == "53300"
        or any(d in said for d in _DROPPED)
    ):
        return (
            "the connection broke (server stopped or restarted, session terminated, "
            "network dropped); a write that got this error wrote nothing: retry when the "
            "server is back"
        )
    connect = isinstance(exc, OperationalError) and not state
    if connect and said.startswith("connection failed") and _login_problem(said) is None:
        return (
            f"check that the server is running and accepts TCP connections at the "
            f"host and port of {where}"
        )
    return None


def _hint(exc: psycopg.Error, said: str) -> str:
    login = _login_problem(said)
    if login is not None:
        return login
    state = exc.sqlstate or ""
    return _HINTS.get(state, f"the server answered SQLSTATE {state or 'none'}; see its log")


def _login_problem(said: str) -> str | None:
    if "authentication failed" in said or "no pg_hba.conf entry" in said:
        return (
            "the server refused the login: check the user and password in the URL "
            "(or PGPASSWORD, ~/.pgpass) and the server's pg_hba.conf"
        )
    if "database" in said and "does not exist" in said:
        return (
            "the database does not exist: create it (createdb, or CREATE DATABASE) or fix "
            "the database name at the end of the URL"
        )
    if "role" in said and "does not exist" in said:
        return "the user does not exist on the server: create it or fix the user in the URL"
    return None
