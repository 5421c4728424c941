"""PostgreSQL: the store's tables next to other tables in one database."""

from __future__ import annotations

import psycopg
import pytest

from locus.core.errors import SerializationError
from locus.core.messages import Message
from locus.stores import PostgresThreadStore


async def test_a_foreign_table_of_the_same_name_is_refused_untouched(postgres_dsn: str) -> None:
    """Before: the store added its locus_schema table (version 1) to the database, then
    every append failed with 'column "thread_id" of relation "locus_messages" does not
    exist ... see its log'."""
    with psycopg.connect(postgres_dsn, autocommit=True) as admin:
        admin.execute("CREATE TABLE locus_messages (id serial PRIMARY KEY, text text)")
        admin.execute("INSERT INTO locus_messages (text) VALUES ('mine')")
    store = PostgresThreadStore(postgres_dsn)
    with pytest.raises(SerializationError, match=r"table 'locus_messages' that is not a Locus"):
        await store.append("t", [Message.user("x")])
    await store.aclose()
    with psycopg.connect(postgres_dsn, autocommit=True) as admin:
        assert admin.execute("SELECT text FROM locus_messages").fetchall() == [("mine",)]
        tables = admin.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        ).fetchall()
        assert tables == [("locus_messages",)]


async def test_two_stores_in_two_schemas_of_one_database_are_apart(postgres_dsn: str) -> None:
    """The documented way to keep two stores in one database: a schema each."""
    with psycopg.connect(postgres_dsn, autocommit=True) as admin:
        admin.execute("CREATE SCHEMA app_a")
        admin.execute("CREATE SCHEMA app_b")
    a = PostgresThreadStore(f"{postgres_dsn}?options=-csearch_path%3Dapp_a")
    b = PostgresThreadStore(f"{postgres_dsn}?options=-csearch_path%3Dapp_b")
    try:
        await a.append("t", [Message.user("for a")])
        await b.append("t", [Message.user("for b")])
        await b.set_metadata("only-b", {"x": 1})
        assert await a.load("t") == [Message.user("for a")]
        assert await b.load("t") == [Message.user("for b")]
        assert await a.list_threads() == ["t"]
        assert sorted(await b.list_threads()) == ["only-b", "t"]
    finally:
        await a.aclose()
        await b.aclose()
