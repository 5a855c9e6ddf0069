"""Insert-or-update of one row in a single statement.

A "read, then write" transaction on SQLite in WAL mode cannot wait for another writer: when it
tries to become a write transaction after someone else committed, it fails at once with
"database is locked" (the busy timeout does not apply). An upsert writes from its first
statement, so it simply waits its turn. Used by rows written from background tasks (the draft,
cached profile, last position, classifier cache).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text

from app.data.store.database import Database


def sql_now() -> str:
    """Now (UTC) in the form SQLAlchemy stores DATETIME columns in SQLite."""
    return datetime.now(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


def upsert(db: Database, table: str, key: str, values: dict[str, Any]) -> None:
    """INSERT the row, or UPDATE every other column when `key` is taken (blocking)."""
    columns = list(values)
    names = ", ".join(columns)
    params = ", ".join(f":{c}" for c in columns)
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c != key)
    statement = (
        f"INSERT INTO {table} ({names}) VALUES ({params})"
        f" ON CONFLICT ({key}) DO UPDATE SET {updates}"
    )
    with db.begin() as conn:
        conn.execute(text(statement), values)
