"""The last position fixed on this device, kept in the local store (`resident_cache`: resident
data, cleared on sign-out); `LocationService` remembers and falls back to it."""

from __future__ import annotations

import json
from datetime import datetime

from app.data.store.database import Database
from app.data.store.models import ResidentCache
from app.data.store.upsert import sql_now, upsert
from app.domain.appeals import Position

LAST_POSITION_KEY = "last_position"


class LastPositionStore:
    """The last position fixed on this device (resident data: cleared on sign-out)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def load(self) -> tuple[Position, datetime] | None:
        with self._db.read() as s:
            row = s.get(ResidentCache, LAST_POSITION_KEY)
        if row is None:
            return None
        try:
            data = json.loads(row.value_json)
            position = Position(
                float(data["lat"]), float(data["lon"]), data.get("accuracy_m"), "last_known"
            )
        except (ValueError, KeyError, TypeError):
            return None
        return position, row.updated_at

    def save(self, position: Position) -> None:
        value = json.dumps(
            {"lat": position.lat, "lon": position.lon, "accuracy_m": position.accuracy_m}
        )
        upsert(
            self._db,
            "resident_cache",
            "key",
            {"key": LAST_POSITION_KEY, "value_json": value, "updated_at": sql_now()},
        )
