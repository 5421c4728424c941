"""Store URLs never show a password: reprs, error texts, and the missing-driver error."""

from __future__ import annotations

import sys

import pytest

from locus.core.errors import ConfigurationError
from locus.stores import PostgresThreadStore, open_thread_store
from locus.stores._dsn import mask, scrub

SECRET = "hunter2-Secret"


@pytest.mark.parametrize(
    ("dsn", "masked"),
    [
        (f"postgresql://app:{SECRET}@db:5432/threads", "postgresql://app:***@db:5432/threads"),
        (
            f"postgres://app:{SECRET}@h1,h2/db?sslmode=require",
            "postgres://app:***@h1,h2/db?sslmode=require",
        ),
        (
            f"postgresql://app@db/threads?password={SECRET}&sslmode=require",
            "postgresql://app@db/threads?password=***&sslmode=require",
        ),
        (f"host=db user=app password={SECRET} dbname=t", "host=db user=app password=*** dbname=t"),
        (f"host=db password = '{SECRET} with space' dbname=t", "host=db password = *** dbname=t"),
        ("postgresql://app:p%40ss@db/t", "postgresql://app:***@db/t"),
        ("postgresql://app@db/threads", "postgresql://app@db/threads"),
        ("postgresql:///threads", "postgresql:///threads"),
    ],
)
def test_mask(dsn: str, masked: str) -> None:
    assert mask(dsn) == masked


def test_a_password_holding_at_signs_is_masked_whole() -> None:
    assert mask("postgresql://app:a@b@c@db/t") == "postgresql://app:***@db/t"


def test_scrub_removes_the_password_as_written_and_decoded() -> None:
    dsn = "postgresql://app:p%40ss-word@db/t"
    text = "failed for p%40ss-word and p@ss-word"
    assert scrub(text, dsn) == "failed for *** and ***"


def test_postgres_store_repr_masks_the_password() -> None:
    store = PostgresThreadStore(f"postgresql://app:{SECRET}@db:5432/threads")
    assert repr(store) == "PostgresThreadStore('postgresql://app:***@db:5432/threads')"
    assert SECRET not in repr(open_thread_store(f"postgres://app:{SECRET}@db/t"))


def test_unknown_url_error_masks_the_password() -> None:
    with pytest.raises(ConfigurationError) as caught:
        open_thread_store(f"mysql://app:{SECRET}@db/t")
    assert SECRET not in str(caught.value)
    assert "mysql://app:***@db/t" in str(caught.value)


@pytest.mark.parametrize("missing", ["psycopg", "psycopg_pool"])
def test_without_the_postgres_extra_opening_names_it(
    missing: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, missing, None)  # import now raises ImportError
    with pytest.raises(ConfigurationError) as caught:
        open_thread_store(f"postgresql://app:{SECRET}@db/threads")
    text = str(caught.value)
    assert "pip install 'locus-oci[postgres]'" in text
    assert missing in text
    assert "postgresql://app:***@db/threads" in text and SECRET not in text
    assert isinstance(caught.value.__cause__, ImportError)
