"""Stores against real servers: a fresh PostgreSQL database per test."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import psycopg
import pytest

from locus.stores import PostgresThreadStore
from tests.integration.stores.services import service_dsn, stop_started_services


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The test PostgreSQL server's DSN (``scripts/test-services.sh``)."""
    yield service_dsn("LOCUS_TEST_POSTGRES_DSN")
    stop_started_services()


@pytest.fixture
def postgres_dsn(postgres_server: str) -> Iterator[str]:
    """A DSN to a new, empty database, dropped after the test."""
    name = f"locus_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield _with_dbname(postgres_server, name)
    with psycopg.connect(postgres_server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
async def store(postgres_dsn: str) -> AsyncIterator[Any]:
    """The contract suite's ``store``, on PostgreSQL."""
    made = PostgresThreadStore(postgres_dsn)
    yield made
    await made.aclose()


def _with_dbname(dsn: str, name: str) -> str:
    base, _, query = dsn.partition("?")
    base = base.rsplit("/", 1)[0] if base.count("/") > 2 else base
    return f"{base}/{name}" + (f"?{query}" if query else "")
