"""What the alerts, places and notices repositories share: `LocalCache` (the store, the
server, a clock, loaded once from the phone) and small writers of JSON values and seen marks.

They write through `Database.session()`, the store's one write path (it takes the write lock
first, so concurrent refreshes and the sync engine's writes queue instead of failing with
"database is locked").
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from app.data.services.city_feeds_api import CityFeedsApi
from app.data.store.database import Database
from app.data.store.models import AlertCache, NoticeCache, ReferenceCache, SafetyPref
from app.observable import Observable


def put_pref(db: Database, key: str, value: Any, at: datetime) -> None:
    """Keep a JSON value of the resident's (`safety_pref`: cleared on sign-out)."""
    with db.session() as s:
        row = s.get(SafetyPref, key) or SafetyPref(key=key, value_json="null", updated_at=at)
        row.value_json, row.updated_at = json.dumps(value, ensure_ascii=False), at
        s.add(row)
        s.commit()


def put_reference(db: Database, key: str, value: Any, at: datetime) -> None:
    """Keep a public JSON value (`reference_cache`: kept across sign-outs)."""
    with db.session() as s:
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
    with db.session() as s:
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
        api: CityFeedsApi,
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
