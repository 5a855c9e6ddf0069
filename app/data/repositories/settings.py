"""Device settings kept in the local store (survive sign-out)."""

from __future__ import annotations

import asyncio

from app.data.store.database import Database
from app.data.store.models import Setting
from app.i18n import normalize_language

LANGUAGE_KEY = "language"
API_URL_KEY = "api_url"  # the server a tester chose on the developer screen
SHARE_POSITION_KEY = "share_position"  # "off": the position is never sent for alerts
NOTIFICATIONS_ASKED_KEY = "notifications_asked"  # the OS was asked for permission to notify


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

    def delete(self, key: str) -> None:
        with self._db.session() as s:
            row = s.get(Setting, key)
            if row is not None:
                s.delete(row)
                s.commit()

    def language(self) -> str | None:
        """The saved language, or None if the resident never chose (blocking)."""
        value = self.get(LANGUAGE_KEY)
        return normalize_language(value) if value else None

    async def save_language(self, language: str) -> None:
        await asyncio.to_thread(self.put, LANGUAGE_KEY, normalize_language(language))

    def notifications_asked(self) -> bool:
        """Whether this device ever asked the OS for permission to notify (blocking)."""
        return self.get(NOTIFICATIONS_ASKED_KEY) is not None

    def remember_notifications_asked(self) -> None:
        self.put(NOTIFICATIONS_ASKED_KEY, "yes")

    # -- device settings: position sharing, a tester's server ----------------------------

    def shares_position(self) -> bool:
        """Whether the app may send the resident's coarse position for alerts (on unless
        turned off in the cabinet; blocking)."""
        return self.get(SHARE_POSITION_KEY) != "off"

    def set_shares_position(self, on: bool) -> None:
        self.put(SHARE_POSITION_KEY, "on" if on else "off")

    def api_url(self) -> str | None:
        """The server URL a tester saved for the next start, or None (blocking)."""
        return self.get(API_URL_KEY)

    async def save_api_url(self, url: str) -> None:
        await asyncio.to_thread(self.put, API_URL_KEY, url)

    async def forget_api_url(self) -> None:
        """Back to the built-in server from the next start."""
        await asyncio.to_thread(self.delete, API_URL_KEY)
