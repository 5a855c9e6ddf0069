"""The new appeal being composed, kept on the device as the resident types (so leaving the
screen or killing the app loses nothing). One draft per resident; cleared once filed and on
sign-out. Blocking: call from `asyncio.to_thread`."""

from __future__ import annotations

import json
import logging
from typing import Any

from sqlalchemy import text

from app.data.store.database import Database
from app.data.store.models import AppealDraft
from app.data.store.upsert import sql_now, upsert

log = logging.getLogger(__name__)


class DraftRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    def load(self) -> dict[str, Any] | None:
        with self._db.read() as s:
            row = s.get(AppealDraft, 1)
        if row is None:
            return None
        try:
            data = json.loads(row.data_json)
        except ValueError:
            log.warning("unreadable draft dropped")
            return None
        return data if isinstance(data, dict) else None

    def save(self, data: dict[str, Any]) -> None:
        value = json.dumps(data, ensure_ascii=False)
        upsert(
            self._db, "appeal_draft", "id", {"id": 1, "data_json": value, "updated_at": sql_now()}
        )

    def clear(self) -> None:
        with self._db.begin() as conn:
            conn.execute(text("DELETE FROM appeal_draft WHERE id = 1"))
