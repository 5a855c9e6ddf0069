"""Device settings kept in the local store (survive sign-out)."""

from __future__ import annotations

import asyncio

from app.data.store.database import Database
from app.data.store.models import Setting
from app.i18n import normalize_language

LANGUAGE_KEY = "language"


class SettingsRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, key: str) -> str | None:
        with self._db.read() as s:
            row = s.get(Setting, key)
            return row.value if row else None

    def put(self, key: str, value: str) -> None:
        with self._db.session() as s:
            row = s.get(Setting, key) or Setting(key=key, value=value)
            row.value = value
            s.add(row)
            s.commit()

    def language(self) -> str | None:
        """The saved language, or None if the resident never chose (blocking)."""
        value = self.get(LANGUAGE_KEY)
        return normalize_language(value) if value else None

    async def save_language(self, language: str) -> None:
        await asyncio.to_thread(self.put, LANGUAGE_KEY, normalize_language(language))
