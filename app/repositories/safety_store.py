"""Writing to the local store without "database is locked" surprises.

The store begins transactions with a plain (deferred) `BEGIN`: a session that reads first and
then writes must upgrade its read snapshot to a write lock, and SQLite refuses that at once
(no busy wait) when another connection wrote in between — likely here, where alerts, notices
and the places bundle are refreshed concurrently with the sync engine's own writes. Taking the
write lock with the first statement makes a writer wait its turn (`busy_timeout`) instead.

Also what the alerts, places and notices repositories share: `LocalCache` (the store, the
server, a clock, loaded once from the phone) and small writers of JSON values and seen marks.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session

from app.observable import Observable
from app.services.safety_api import SafetyApi
from app.store.database import Database
from app.store.models import AlertCache, NoticeCache, ReferenceCache, SafetyPref

_TAKE_WRITE_LOCK = "UPDATE reference_cache SET key = key WHERE 0"


@contextmanager
def writing(db: Database) -> Iterator[Session]:
    """A session whose transaction holds the write lock from its start (commit it)."""
    with db.session() as s:
        s.connection().exec_driver_sql(_TAKE_WRITE_LOCK)
        yield s


def put_pref(db: Database, key: str, value: Any, at: datetime) -> None:
    """Keep a JSON value of the resident's (`safety_pref`: cleared on sign-out)."""
    with writing(db) as s:
        row = s.get(SafetyPref, key) or SafetyPref(key=key, value_json="null", updated_at=at)
        row.value_json, row.updated_at = json.dumps(value, ensure_ascii=False), at
        s.add(row)
        s.commit()


def put_reference(db: Database, key: str, value: Any, at: datetime) -> None:
    """Keep a public JSON value (`reference_cache`: kept across sign-outs)."""
    with writing(db) as s:
        row = s.get(ReferenceCache, key) or ReferenceCache(
            key=key, value_json="null", fetched_at=at
        )
        row.value_json, row.fetched_at = json.dumps(value, ensure_ascii=False), at
        s.add(row)
        s.commit()


def mark_rows_seen(
    db: Database, table: type[AlertCache] | type[NoticeCache], keys: Iterable[str | int]
) -> None:
    """The resident saw these cached alerts / notices."""
    with writing(db) as s:
        for key in keys:
            row = s.get(table, key)
            if row is not None:
                row.seen = True
                s.add(row)
        s.commit()


class LocalCache(Observable):
    """Safety data kept on the phone: read from the local store once (`load()`, blocking, in a
    worker thread through `ensure_loaded()`), refreshed from the server one change at a time
    (`_lock`); listeners are notified after every change."""

    def __init__(
        self,
        db: Database,
        api: SafetyApi,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__()
        self._db = db
        self._api = api
        self._clock = clock
        self._lock = asyncio.Lock()
        self.loaded = False
        self._start_empty()

    def _start_empty(self) -> None:
        """The in-memory state of a cache that has read nothing yet (also after sign-out)."""

    def now(self) -> datetime:
        return self._clock()

    def load(self) -> None:
        raise NotImplementedError

    async def ensure_loaded(self) -> None:
        if not self.loaded:
            await asyncio.to_thread(self.load)
