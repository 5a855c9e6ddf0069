"""Writing to the local store without "database is locked" surprises.

The store begins transactions with a plain (deferred) `BEGIN`: a session that reads first and
then writes must upgrade its read snapshot to a write lock, and SQLite refuses that at once
(no busy wait) when another connection wrote in between — likely here, where alerts, notices
and the places bundle are refreshed concurrently with the sync engine's own writes. Taking the
write lock with the first statement makes a writer wait its turn (`busy_timeout`) instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlmodel import Session

from app.store.database import Database

_TAKE_WRITE_LOCK = "UPDATE reference_cache SET key = key WHERE 0"


@contextmanager
def writing(db: Database) -> Iterator[Session]:
    """A session whose transaction holds the write lock from its start (commit it)."""
    with db.session() as s:
        s.connection().exec_driver_sql(_TAKE_WRITE_LOCK)
        yield s
