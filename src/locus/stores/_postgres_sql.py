"""The PostgreSQL store's SQL: schema (versioned, created on first use) and statements.

Each ``append`` is one row of ``locus_messages`` holding the batch as ``dump_messages``
bytes, numbered per thread by ``locus_threads.next_seq`` in the same transaction (the
row lock on the thread serialises appenders). ``changed`` comes from one sequence and
orders ``list_threads``. Metadata is JSON text (``jsonb`` would refuse ``\\u0000``).
"""

from __future__ import annotations

from locus.stores._paging import PageQuery

__all__ = [
    "APPEND_BATCH",
    "BUMP_THREAD",
    "COLUMNS",
    "DELETE_MESSAGES",
    "DELETE_THREAD",
    "GET_METADATA",
    "LOAD",
    "LOCK",
    "MAX_CHANGED",
    "SCHEMA",
    "SCHEMA_LOCK",
    "SCHEMA_VERSION",
    "SET_LOCK_TIMEOUT",
    "SET_METADATA",
    "TABLES",
    "UNLOCK",
    "page",
]

SCHEMA_VERSION = 1
SCHEMA_LOCK = "SELECT pg_advisory_xact_lock(hashtextextended('locus.stores.schema', 0))"
SCHEMA = """
CREATE TABLE IF NOT EXISTS locus_schema (version integer NOT NULL);
CREATE SEQUENCE IF NOT EXISTS locus_change_seq;
CREATE TABLE IF NOT EXISTS locus_threads (
    thread_id  text PRIMARY KEY,
    metadata   text NOT NULL DEFAULT '{}',
    next_seq   bigint NOT NULL DEFAULT 0,
    changed    bigint NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS locus_threads_changed ON locus_threads (changed);
CREATE TABLE IF NOT EXISTS locus_messages (
    thread_id text NOT NULL,
    seq       bigint NOT NULL,
    body      bytea NOT NULL,
    PRIMARY KEY (thread_id, seq)
)
"""

TABLES = {
    "locus_threads": {"thread_id", "metadata", "next_seq", "changed", "updated_at"},
    "locus_messages": {"thread_id", "seq", "body"},
}
COLUMNS = (
    "SELECT column_name FROM information_schema.columns "
    "WHERE table_schema = current_schema() AND table_name = %s"
)
LOAD = "SELECT body FROM locus_messages WHERE thread_id = %s ORDER BY seq"
BUMP_THREAD = (
    "INSERT INTO locus_threads (thread_id, metadata, next_seq, changed) "
    "VALUES (%(t)s, coalesce(%(m)s, '{}'), %(step)s, nextval('locus_change_seq')) "
    "ON CONFLICT (thread_id) DO UPDATE SET "
    "next_seq = locus_threads.next_seq + excluded.next_seq, "
    "metadata = coalesce(%(m)s, locus_threads.metadata), "
    "changed = excluded.changed, updated_at = now() "
    "RETURNING next_seq"
)
APPEND_BATCH = "INSERT INTO locus_messages (thread_id, seq, body) VALUES (%s, %s, %s)"
SET_METADATA = BUMP_THREAD
GET_METADATA = "SELECT metadata FROM locus_threads WHERE thread_id = %s"
DELETE_MESSAGES = "DELETE FROM locus_messages WHERE thread_id = %s"
DELETE_THREAD = "DELETE FROM locus_threads WHERE thread_id = %s"
MAX_CHANGED = "SELECT coalesce(max(changed), 0) FROM locus_threads"


def page(query: PageQuery, until: int | None) -> tuple[str, list[object]]:
    """The statement (and its arguments) reading one page of ``page_threads``."""
    where: list[str] = []
    args: list[object] = []
    if query.prefix:
        where.append("starts_with(thread_id, %s)")
        args.append(query.prefix)
    if until is not None:
        where.append("changed <= %s")
        args.append(until)
    if query.after is not None:
        where.append(f"(changed, thread_id) {'>' if query.oldest_first else '<'} (%s, %s)")
        args += list(query.after)
    order = "ASC" if query.oldest_first else "DESC"
    statement = (
        "SELECT changed, thread_id FROM locus_threads"
        + (f" WHERE {' AND '.join(where)}" if where else "")
        + f" ORDER BY changed {order}, thread_id {order} LIMIT %s"
    )
    return statement, [*args, query.limit + 1]


SET_LOCK_TIMEOUT = "SELECT set_config('lock_timeout', %s, false)"
LOCK = "SELECT pg_advisory_lock(hashtextextended(%s, 0))"
UNLOCK = "SELECT pg_advisory_unlock(hashtextextended(%s, 0))"
