"""PostgreSQL store failures, for real, on a throwaway server this module owns.

The server has password auth (so a wrong password is refused) and may be stopped and
terminated under the store. Every case checks the error's type, its advice, the URL with
the password masked, the driver's error as ``__cause__``, and that the password is in no
message, repr or log record.
"""

from __future__ import annotations

import logging
import socket
import uuid
from collections.abc import AsyncIterator, Iterator

import psycopg
import pytest

from locus.core.errors import StoreError, StoreUnavailableError
from locus.core.messages import Message
from locus.stores import PostgresThreadStore
from tests.integration.stores._private_pg import (
    PASSWORD,
    PrivatePostgres,
    remove_private_postgres,
    start_private_postgres,
)

HELLO = [Message.user("hello"), Message.assistant("hi")]


@pytest.fixture(scope="module")
def server(postgres_server: str) -> Iterator[PrivatePostgres]:
    # postgres_server first: on a fresh machine, scripts/test-services.sh installs the binaries
    made = start_private_postgres()
    yield made
    remove_private_postgres(made)


@pytest.fixture
def dbname(server: PrivatePostgres) -> Iterator[str]:
    """A fresh database on the private server (the server is started again if a test stopped it)."""
    name = f"locus_err_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server.dsn(), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield name
    if not (server.root / "data" / "postmaster.pid").exists():
        server.start()
    with psycopg.connect(server.dsn(), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
async def store(server: PrivatePostgres, dbname: str) -> AsyncIterator[PostgresThreadStore]:
    made = PostgresThreadStore(server.dsn(dbname), connect_timeout=5)
    yield made
    await made.aclose()


@pytest.fixture(autouse=True)
def no_password_logged(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Every log record of every test here is checked for the password."""
    caplog.set_level(logging.DEBUG)
    yield
    for record in caplog.records:
        assert PASSWORD not in record.getMessage(), record
        assert PASSWORD not in str(record.exc_info or "")


def _check(error: StoreError, masked: str) -> None:
    assert isinstance(error.__cause__, psycopg.Error)
    assert error.url == masked
    assert masked in str(error)
    assert PASSWORD not in str(error) and PASSWORD not in repr(error)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port  # closed when the socket is: nothing listens there


async def test_a_closed_port_is_unavailable() -> None:
    port = _closed_port()
    store = PostgresThreadStore(f"postgresql://app:{PASSWORD}@127.0.0.1:{port}/threads")
    masked = f"postgresql://app:***@127.0.0.1:{port}/threads"
    try:
        for call in (store.load("t"), store.append("t", HELLO), store.list_threads()):
            with pytest.raises(StoreUnavailableError) as caught:
                await call
            _check(caught.value, masked)
            assert "check that the server is running" in str(caught.value)
        with pytest.raises(StoreUnavailableError):
            async with store.lock("t"):
                pass
    finally:
        await store.aclose()
    assert PASSWORD not in repr(store)


async def test_a_wrong_password_is_refused(server: PrivatePostgres, dbname: str) -> None:
    wrong = "not-the-" + PASSWORD
    store = PostgresThreadStore(server.dsn(dbname, password=wrong))
    try:
        with pytest.raises(StoreError) as caught:
            await store.append("t", HELLO)
    finally:
        await store.aclose()
    error = caught.value
    assert not isinstance(error, StoreUnavailableError)  # retrying will not help
    _check(error, f"postgresql://postgres:***@127.0.0.1:{server.port}/{dbname}")
    assert wrong not in str(error)
    assert "check the user and password in the URL" in str(error)


async def test_a_wrong_database_name(server: PrivatePostgres) -> None:
    store = PostgresThreadStore(server.dsn("no_such_db"))
    try:
        with pytest.raises(StoreError) as caught:
            await store.load("t")
    finally:
        await store.aclose()
    assert not isinstance(caught.value, StoreUnavailableError)
    _check(caught.value, f"postgresql://postgres:***@127.0.0.1:{server.port}/no_such_db")
    assert "create it (createdb, or CREATE DATABASE)" in str(caught.value)


async def test_a_server_stopped_mid_use(
    server: PrivatePostgres, dbname: str, store: PostgresThreadStore
) -> None:
    await store.append("t", HELLO)
    server.stop()
    with pytest.raises(StoreUnavailableError) as caught:
        await store.append("t", [Message.user("while the server was down")])
    _check(caught.value, f"postgresql://postgres:***@127.0.0.1:{server.port}/{dbname}")
    assert "the connection broke" in str(caught.value)
    server.start()
    assert await store.load("t") == HELLO  # the store reconnected; the failed append left nothing
    await store.append("t", [Message.user("back")])
    assert [m.content for m in await store.load("t")] == ["hello", "hi", "back"]


async def test_a_terminated_session(
    server: PrivatePostgres, dbname: str, store: PostgresThreadStore
) -> None:
    await store.append("t", HELLO)
    with psycopg.connect(server.dsn(dbname), autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (dbname,),
        )
    with pytest.raises(StoreUnavailableError) as caught:
        await store.load("t")
    _check(caught.value, f"postgresql://postgres:***@127.0.0.1:{server.port}/{dbname}")
    assert await store.load("t") == HELLO  # a retry gets a new connection


def _install_trigger(server: PrivatePostgres, dbname: str, body: str) -> None:
    """A trigger on the store's message table: a fault raised by the server itself."""
    with psycopg.connect(server.dsn(dbname), autocommit=True) as admin:
        admin.execute(
            "CREATE FUNCTION locus_test_fault() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN {body} RETURN NEW; END $$"
        )
        admin.execute(
            "CREATE TRIGGER locus_test_fault BEFORE INSERT ON locus_messages "
            "FOR EACH ROW EXECUTE FUNCTION locus_test_fault()"
        )


def _remove_trigger(server: PrivatePostgres, dbname: str) -> None:
    with psycopg.connect(server.dsn(dbname), autocommit=True) as admin:
        admin.execute("DROP TRIGGER locus_test_fault ON locus_messages")


async def test_connection_dropped_inside_an_append_writes_nothing(
    server: PrivatePostgres, dbname: str, store: PostgresThreadStore
) -> None:
    await store.append("t", HELLO)  # creates the schema
    _install_trigger(server, dbname, "PERFORM pg_terminate_backend(pg_backend_pid());")
    with pytest.raises(StoreUnavailableError) as caught:
        await store.append("t", [Message.user("half")])
    assert "wrote nothing" in str(caught.value)
    _remove_trigger(server, dbname)
    assert await store.load("t") == HELLO
    await store.append("t", [Message.user("whole")])
    assert [m.content for m in await store.load("t")] == ["hello", "hi", "whole"]


async def test_a_full_disk_inside_an_append_writes_nothing(
    server: PrivatePostgres, dbname: str, store: PostgresThreadStore
) -> None:
    await store.append("t", HELLO)
    _install_trigger(
        server, dbname, "RAISE EXCEPTION 'could not extend file' USING ERRCODE = 'disk_full';"
    )
    with pytest.raises(StoreError) as caught:
        await store.append("t", [Message.user("lost?")])
    error = caught.value
    assert not isinstance(error, StoreUnavailableError)
    assert isinstance(error.__cause__, psycopg.errors.DiskFull)
    assert "disk is full: free space" in str(error)
    _remove_trigger(server, dbname)
    assert await store.load("t") == HELLO
    assert await store.list_threads() == ["t"]
