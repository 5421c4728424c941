"""A store's tables in a database that may already hold tables of the same names."""

from __future__ import annotations

from locus.core.errors import SerializationError

__all__ = ["check_foreign_table"]


def check_foreign_table(table: str, found: set[str], wanted: set[str], where: str) -> None:
    """``SerializationError`` when a table of ours exists with other columns (``found``
    empty: no such table yet, which is fine)."""
    if found and not wanted <= found:
        raise SerializationError(
            f"the {where} already has a table {table!r} that is not a Locus thread table "
            f"(columns {', '.join(sorted(found))}; a thread store needs "
            f"{', '.join(sorted(wanted))}); nothing was changed: point the store at another "
            "database, or rename that table"
        )
