"""The resident's profile on this device: personal data, notification settings and saved
addresses, local first with every edit queued in the outbox.

The profile as the server last sent it is kept in `resident_cache["profile"]` (the new-appeal
flow reads the name and addresses from there too); edits still waiting in the outbox
(`profile_patch`) are laid over it when read, so the resident sees them at once and a pull from
the server never hides them. Addresses live in `profile_address`, each with its own sync state;
adding, editing and deleting one are outbox actions of that address (kept in order).

Changing the phone is online only: it needs a code sent to the new number.

Blocking methods (no `async`) touch SQLite: call them via `asyncio.to_thread`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, select

from app.data.repositories.outbox import REJECTED as ENTRY_REJECTED
from app.data.repositories.outbox import WAITING, Outbox, OutboxEntry, payload_of
from app.data.services.profile_api import ProfileApi
from app.data.store.database import Database
from app.data.store.models import OutboxEntry as OutboxRow
from app.data.store.models import ProfileAddress, ResidentCache
from app.domain.iin import clean_iin, is_valid_iin
from app.domain.profile import (
    ADDRESS_LABEL_MAX,
    ADDRESS_TEXT_MAX,
    FULL_NAME_MAX,
    Address,
    NotificationSettings,
    Profile,
)
from app.errors import ApiError
from app.observable import Observable

log = logging.getLogger(__name__)

PROFILE_KEY = "profile"
PROFILE_TARGET = "profile"

PROFILE_PATCH = "profile_patch"
ADDRESS_ADD = "address_add"
ADDRESS_EDIT = "address_edit"
ADDRESS_DELETE = "address_delete"
KINDS = (PROFILE_PATCH, ADDRESS_ADD, ADDRESS_EDIT, ADDRESS_DELETE)

PENDING, SYNCED, REJECTED = "pending", "synced", "rejected"


class ProfileError(ValueError):
    """Input the profile cannot take; `code` names why (the view model words it)."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def utcnow() -> datetime:
    return datetime.now(UTC)


def _address(row: ProfileAddress) -> Address:
    return Address(
        key=row.key,
        server_id=row.server_id,
        label=row.label,
        text=row.text,
        lat=row.lat,
        lon=row.lon,
        district=row.district,
        sync_state=row.sync_state,  # type: ignore[arg-type]
        sync_error=row.sync_error,
    )


class ProfileRepository(Observable):
    """Listeners hear when the sync engine sent an edit (or the server refused one)."""

    def __init__(self, db: Database, api: ProfileApi, outbox: Outbox, *, phone: Any = None) -> None:
        super().__init__()
        self._db = db
        self._api = api
        self._outbox = outbox
        self._phone = phone  # () -> the signed-in phone, when nothing is cached yet

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
            rows = s.exec(
                select(ProfileAddress)
                .where(col(ProfileAddress.deleted).is_(False))
                .order_by(col(ProfileAddress.created_at), col(ProfileAddress.key))
            ).all()
            addresses = tuple(_address(r) for r in rows)
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
                self._merge_addresses(s, list(data.get("addresses") or ()), now)
            s.commit()

    def _merge_addresses(self, s: Session, server: list[dict[str, Any]], now: datetime) -> None:
        local = list(s.exec(select(ProfileAddress)).all())
        by_server_id = {r.server_id: r for r in local if r.server_id is not None}
        unlinked = [r for r in local if r.server_id is None]
        busy = self._busy_targets(s)
        seen: set[int] = set()
        for item in server:
            address = Address.from_json(item)
            assert address.server_id is not None
            seen.add(address.server_id)
            row = by_server_id.get(address.server_id)
            if row is None:
                # An add whose answer was lost: the same content, still without a server id.
                row = next(
                    (r for r in unlinked if (r.label, r.text) == (address.label, address.text)),
                    None,
                )
                if row is not None:
                    unlinked.remove(row)
                    row.server_id = address.server_id
                else:
                    row = ProfileAddress(
                        key=address.key,
                        label="",
                        text="",
                        created_at=now,
                        server_id=address.server_id,
                    )
            if f"address:{row.key}" in busy:
                s.add(row)  # an edit of this device waits to be sent: it wins
                continue
            row.label, row.text = address.label, address.text
            row.lat, row.lon, row.district = address.lat, address.lon, address.district
            row.sync_state, row.sync_error = SYNCED, None
            s.add(row)
        for row in local:
            gone = row.server_id is not None and row.server_id not in seen
            if gone and f"address:{row.key}" not in busy:
                s.delete(row)  # removed on another device

    def _busy_targets(self, s: Session) -> set[str]:
        return set(
            s.exec(
                select(OutboxRow.target_client_id).where(
                    col(OutboxRow.kind).in_((ADDRESS_ADD, ADDRESS_EDIT, ADDRESS_DELETE)),
                    col(OutboxRow.state).in_(WAITING),
                )
            ).all()
        )

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

    # ================================================================ addresses (queued)

    @staticmethod
    def _checked(label: str, text: str) -> tuple[str, str]:
        label = " ".join((label or "").split())[:ADDRESS_LABEL_MAX] or "other"
        text = " ".join((text or "").split())
        if not text:
            raise ProfileError("address_empty")
        if len(text) > ADDRESS_TEXT_MAX:
            raise ProfileError("address_too_long", max=ADDRESS_TEXT_MAX)
        return label, text

    def add_address(
        self,
        label: str,
        text: str,
        lat: float | None = None,
        lon: float | None = None,
        district: str | None = None,
    ) -> str:
        """Save a new address here and queue it; returns its key."""
        label, text = self._checked(label, text)
        key = str(uuid.uuid4())
        with self._db.session() as s:
            row = ProfileAddress(
                key=key,
                label=label,
                text=text,
                lat=lat,
                lon=lon,
                district=district,
                sync_state=PENDING,
                created_at=utcnow(),
            )
            s.add(row)
            self._outbox.add(
                s,
                kind=ADDRESS_ADD,
                target=f"address:{key}",
                payload={"key": key},
                key=str(uuid.uuid4()),
            )
            s.commit()
        return key

    def edit_address(
        self,
        key: str,
        label: str,
        text: str,
        lat: float | None = None,
        lon: float | None = None,
        district: str | None = None,
    ) -> None:
        label, text = self._checked(label, text)
        with self._db.session() as s:
            row = s.get(ProfileAddress, key)
            if row is None or row.deleted:
                raise ProfileError("address_unknown")
            row.label, row.text, row.lat, row.lon, row.district = label, text, lat, lon, district
            row.sync_state, row.sync_error = PENDING, None
            s.add(row)
            self._outbox.add(
                s,
                kind=ADDRESS_EDIT,
                target=f"address:{key}",
                payload={"key": key},
                key=str(uuid.uuid4()),
            )
            s.commit()

    def delete_address(self, key: str) -> None:
        with self._db.session() as s:
            row = s.get(ProfileAddress, key)
            if row is None or row.deleted:
                return
            row.deleted = True
            row.sync_state, row.sync_error = PENDING, None
            s.add(row)
            self._outbox.add(
                s,
                kind=ADDRESS_DELETE,
                target=f"address:{key}",
                payload={"key": key},
                key=str(uuid.uuid4()),
            )
            s.commit()

    def _row(self, key: str) -> ProfileAddress | None:
        with self._db.read() as s:
            return s.get(ProfileAddress, key)

    def _address_done(self, key: str, data: dict[str, Any] | None, *, deleted: bool) -> None:
        with self._db.session() as s:
            row = s.get(ProfileAddress, key)
            if row is None:
                return
            if deleted:
                s.delete(row)
            elif data is not None:
                row.server_id = int(data["id"])
                row.district = data.get("district") or row.district
                busy = f"address:{key}" in self._busy_targets(s) and self._later_edits(s, key)
                row.sync_state = PENDING if busy else SYNCED
                row.sync_error = None
                s.add(row)
            s.commit()

    def _later_edits(self, s: Session, key: str) -> bool:
        """More than the entry being sent waits for this address."""
        rows = s.exec(
            select(OutboxRow.id).where(
                OutboxRow.target_client_id == f"address:{key}",
                col(OutboxRow.state).in_(WAITING),
            )
        ).all()
        return len(rows) > 1

    def _address_refused(self, key: str, message: str) -> None:
        with self._db.session() as s:
            row = s.get(ProfileAddress, key)
            if row is not None:
                row.sync_state, row.sync_error = REJECTED, message
                row.deleted = False
                s.add(row)
                s.commit()

    async def _adopt_lost_add(self, row: ProfileAddress) -> dict[str, Any] | None:
        """A retried add may have reached the server before (its answer was lost): find it."""
        profile = await self._api.get()
        taken = await asyncio.to_thread(self._linked_server_ids)
        for item in profile.get("addresses") or ():
            if int(item["id"]) in taken:
                continue
            if (item.get("label"), item.get("text")) == (row.label, row.text):
                return dict(item)
        return None

    def _linked_server_ids(self) -> set[int]:
        with self._db.read() as s:
            ids = s.exec(
                select(ProfileAddress.server_id).where(col(ProfileAddress.server_id).is_not(None))
            ).all()
            return {int(i) for i in ids if i is not None}

    async def send_address(self, entry: OutboxEntry) -> None:
        """Outbox handler of `address_add`, `address_edit` and `address_delete`: sends the
        address's current state (the server has no idempotency key for addresses, so a retried
        add first looks for itself on the server)."""
        key = str(payload_of(entry)["key"])
        row = await asyncio.to_thread(self._row, key)
        if row is None:
            return  # deleted locally before it ever reached the server
        try:
            if entry.kind == ADDRESS_DELETE or row.deleted:
                if row.server_id is not None:
                    try:
                        await self._api.delete_address(row.server_id)
                    except ApiError as exc:
                        if exc.status != 404:
                            raise
                await asyncio.to_thread(self._address_done, key, None, deleted=True)
                return
            body = Address(key, row.server_id, row.label, row.text, row.lat, row.lon, row.district)
            if row.server_id is None:
                found = await self._adopt_lost_add(row) if entry.attempts > 0 else None
                data = found or await self._api.add_address(body.to_json())
            else:
                try:
                    data = await self._api.edit_address(row.server_id, body.to_json())
                except ApiError as exc:
                    if exc.status != 404:
                        raise
                    data = await self._api.add_address(body.to_json())  # gone elsewhere: re-add
        except ApiError as exc:
            if 400 <= exc.status < 500 and exc.status not in (408, 409, 429):
                await asyncio.to_thread(self._address_refused, key, exc.message or exc.code)
            raise
        await asyncio.to_thread(self._address_done, key, data, deleted=False)

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
                await self.send_address(entry)
        finally:
            self.notify()
