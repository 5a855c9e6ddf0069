"""The resident's profile on this device: personal data, notification settings and saved
addresses (kept by `profile_addresses.SavedAddresses`), local first with every edit queued in
the outbox.

The profile as the server last sent it is kept in `resident_cache["profile"]` (the new-appeal
flow reads the name and addresses from there too); edits still waiting in the outbox
(`profile_patch`) are laid over it when read, so the resident sees them at once and a pull from
the server never hides them.

Changing the phone is online only: it needs a code sent to the new number.

Blocking methods (no `async`) touch SQLite: call them via `asyncio.to_thread`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from typing import Any

from sqlmodel import Session, col, select

from app.data.repositories.outbox import REJECTED as ENTRY_REJECTED
from app.data.repositories.outbox import WAITING, Outbox, OutboxEntry, payload_of
from app.data.repositories.profile_addresses import ADDRESS_KINDS, ProfileError, SavedAddresses
from app.data.services.profile_api import ProfileApi
from app.data.store.database import Database
from app.data.store.models import OutboxEntry as OutboxRow
from app.data.store.models import ResidentCache
from app.domain.iin import clean_iin, is_valid_iin
from app.domain.profile import FULL_NAME_MAX, NotificationSettings, Profile
from app.domain.timestamps import utcnow
from app.observable import Observable

log = logging.getLogger(__name__)

PROFILE_KEY = "profile"
PROFILE_TARGET = "profile"

PROFILE_PATCH = "profile_patch"
KINDS = (PROFILE_PATCH, *ADDRESS_KINDS)

__all__ = ["KINDS", "ProfileError", "ProfileRepository"]


class ProfileRepository(Observable):
    """Listeners hear when the sync engine sent an edit (or the server refused one)."""

    def __init__(self, db: Database, api: ProfileApi, outbox: Outbox, *, phone: Any = None) -> None:
        super().__init__()
        self._db = db
        self._api = api
        self._outbox = outbox
        self._phone = phone  # () -> the signed-in phone, when nothing is cached yet
        self.addresses = SavedAddresses(db, api, outbox)

    # ================================================================ reading

    def _cached(self, s: Session) -> dict[str, Any]:
        row = s.get(ResidentCache, PROFILE_KEY)
        if row is None:
            return {}
        try:
            data = json.loads(row.value_json)
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    def _pending_patches(self, s: Session) -> list[dict[str, Any]]:
        rows = s.exec(
            select(OutboxRow)
            .where(
                OutboxRow.kind == PROFILE_PATCH,
                OutboxRow.target_client_id == PROFILE_TARGET,
                col(OutboxRow.state).in_(WAITING),
            )
            .order_by(col(OutboxRow.id))
        ).all()
        return [payload_of(r) for r in rows]

    def profile(self) -> Profile:
        """The profile as the resident sees it: the server's, their unsent edits on top, and
        the saved addresses of this device."""
        with self._db.read() as s:
            data = self._cached(s)
            for patch in self._pending_patches(s):
                data.update(patch)
            addresses = self.addresses.listed(s)
        if not data.get("phone") and self._phone is not None:
            data["phone"] = self._phone() or ""
        profile = Profile.from_json({**data, "addresses": []})
        return Profile(**{**profile.__dict__, "addresses": addresses})

    def rejected_patch(self) -> tuple[int, str] | None:
        """The last profile edit the server refused: (outbox id, its message)."""
        with self._db.read() as s:
            row = s.exec(
                select(OutboxRow)
                .where(OutboxRow.kind == PROFILE_PATCH, OutboxRow.state == ENTRY_REJECTED)
                .order_by(col(OutboxRow.id).desc())
            ).first()
            return (row.id or 0, row.last_error or row.last_error_code or "") if row else None

    def dismiss_rejected(self) -> None:
        """The resident read why an edit was refused: drop the refused edits."""
        with self._db.session() as s:
            for row in s.exec(
                select(OutboxRow).where(
                    OutboxRow.kind == PROFILE_PATCH, OutboxRow.state == ENTRY_REJECTED
                )
            ).all():
                s.delete(row)
            s.commit()

    # ================================================================ the server's copy

    def store_profile(self, data: dict[str, Any]) -> None:
        """Keep the server's profile and merge its addresses into this device's (blocking)."""
        now = utcnow()
        with self._db.session() as s:
            body = {k: v for k, v in data.items()}
            row = s.get(ResidentCache, PROFILE_KEY) or ResidentCache(
                key=PROFILE_KEY, value_json="{}", updated_at=now
            )
            row.value_json = json.dumps(body, ensure_ascii=False)
            row.updated_at = now
            s.add(row)
            if "addresses" in data:
                self.addresses.merge(s, list(data.get("addresses") or ()), now)
            s.commit()

    async def refresh(self) -> Profile:
        """Pull the profile from the server (raises NetworkError/ApiError)."""
        data = await self._api.get()
        await asyncio.to_thread(self.store_profile, data)
        return await asyncio.to_thread(self.profile)

    # ================================================================ edits (queued)

    def _queue_patch(self, fields: dict[str, Any]) -> None:
        with self._db.session() as s:
            self._outbox.add(
                s, kind=PROFILE_PATCH, target=PROFILE_TARGET, payload=fields, key=str(uuid.uuid4())
            )
            s.commit()

    def update_personal(self, full_name: str | None, iin: str | None) -> dict[str, Any]:
        """Check and queue the name and IIN; returns what was queued (nothing if unchanged).
        Raises ProfileError `name_too_long` / `invalid_iin`."""
        name = " ".join((full_name or "").split())
        if len(name) > FULL_NAME_MAX:
            raise ProfileError("name_too_long", max=FULL_NAME_MAX)
        iin_clean = clean_iin(iin or "")
        if iin_clean and not is_valid_iin(iin_clean):
            raise ProfileError("invalid_iin")
        current = self.profile()
        fields: dict[str, Any] = {}
        if (name or None) != (current.full_name or None):
            fields["full_name"] = name
        if (iin_clean or None) != (current.iin or None):
            fields["iin"] = iin_clean
        if fields:
            self._queue_patch(fields)
        return fields

    def update_alert_settings(self, status_updates: bool, alert_levels: list[str]) -> bool:
        """Queue the choice of status-update notifications and alert levels; whether anything
        changed."""
        current = self.profile().notifications
        wanted = NotificationSettings(
            current.districts, current.topics, status_updates, tuple(alert_levels)
        )
        if (wanted.status_updates, set(wanted.alert_levels)) == (
            current.status_updates,
            set(current.alert_levels),
        ):
            return False
        self._queue_patch(wanted.alerts_patch())
        return True

    def update_language(self, language: str) -> None:
        if language != self.profile().language:
            self._queue_patch({"language": language})

    async def send_patch(self, entry: OutboxEntry) -> None:
        """Outbox handler of `profile_patch`."""
        data = await self._api.patch(payload_of(entry))
        await asyncio.to_thread(self.store_profile, data)

    # ================================================================ phone change (online)

    async def request_phone_change(self, phone: str) -> Any:
        return await self._api.request_phone_change(phone)

    async def verify_phone_change(self, phone: str, code: str) -> Profile:
        data = await self._api.verify_phone_change(phone, code)
        await asyncio.to_thread(self.store_profile, data)
        return await asyncio.to_thread(self.profile)

    # ================================================================ outbox dispatch

    async def send(self, entry: OutboxEntry) -> None:
        """Outbox handler of every kind of this repository; listeners hear of the outcome."""
        try:
            if entry.kind == PROFILE_PATCH:
                await self.send_patch(entry)
            else:
                await self.addresses.send(entry)
        finally:
            self.notify()
