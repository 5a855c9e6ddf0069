"""Where this device stands in the server's sync feed (`sync_meta`, one row): the cursor and
ETag of the last merged page, and when the server was last heard from.

`importing` is True while a pull that started from the feed's beginning runs: the first import
of an account, whose old news the mergers do not announce. Blocking methods (SQLite): call them
from `asyncio.to_thread`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from app.data.store.database import Database
from app.data.store.models import SyncMeta
from app.domain.timestamps import utcnow


class FeedCursor:
    def __init__(self, db: Database, *, now: Callable[[], datetime] = utcnow) -> None:
        self._db = db
        self._now = now
        self.importing = False

    def position(self) -> SyncMeta:
        with self._db.read() as s:
            return s.get(SyncMeta, 1) or SyncMeta(id=1)

    def advance(self, cursor: int, etag: str | None) -> None:
        """A page was merged: the next pull starts after it."""
        self._save(cursor=cursor, etag=etag)

    def touch(self) -> None:
        """A pull found nothing new (304): remember when we last heard from the server."""
        self._save()

    def _save(self, **values: object) -> None:
        with self._db.session() as s:
            meta = s.get(SyncMeta, 1) or SyncMeta(id=1)
            for name, value in values.items():
                setattr(meta, name, value)
            meta.last_synced_at, meta.last_error = self._now(), None
            s.add(meta)
            s.commit()
