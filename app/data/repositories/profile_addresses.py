"""The resident's saved addresses on this device (`profile_address`), each with its own sync
state: adding, editing and deleting one are outbox actions of that address, kept in order, and
the server's list (in the profile it sends) is merged in without hiding an edit still waiting.

Blocking methods (no `async`) touch SQLite: call them via `asyncio.to_thread`.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from app.data.repositories.outbox import WAITING, Outbox, OutboxEntry, payload_of
from app.data.services.profile_api import ProfileApi
from app.data.store.database import Database
from app.data.store.models import OutboxEntry as OutboxRow
from app.data.store.models import ProfileAddress
from app.domain.profile import ADDRESS_LABEL_MAX, ADDRESS_TEXT_MAX, Address
from app.domain.timestamps import utcnow
from app.errors import ApiError

ADDRESS_ADD = "address_add"
ADDRESS_EDIT = "address_edit"
ADDRESS_DELETE = "address_delete"
ADDRESS_KINDS = (ADDRESS_ADD, ADDRESS_EDIT, ADDRESS_DELETE)

PENDING, SYNCED, REJECTED = "pending", "synced", "rejected"


class ProfileError(ValueError):
    """Input the profile cannot take; `code` names why (the view model words it)."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


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


class SavedAddresses:
    """The address book of `ProfileRepository` (it reaches the server with the profile's API)."""

    def __init__(self, db: Database, api: ProfileApi, outbox: Outbox) -> None:
        self._db = db
        self._api = api
        self._outbox = outbox

    def listed(self, s: Session) -> tuple[Address, ...]:
        """The addresses not deleted on this device, oldest first."""
        rows = s.exec(
            select(ProfileAddress)
            .where(col(ProfileAddress.deleted).is_(False))
            .order_by(col(ProfileAddress.created_at), col(ProfileAddress.key))
        ).all()
        return tuple(_address(r) for r in rows)

    def merge(self, s: Session, server: list[dict[str, Any]], now: datetime) -> None:
        """Lay the server's addresses over this device's, inside the caller's transaction: an
        address with an edit waiting in the outbox keeps it; one removed elsewhere goes."""
        local = list(s.exec(select(ProfileAddress)).all())
        by_server_id = {r.server_id: r for r in local if r.server_id is not None}
        unlinked = [r for r in local if r.server_id is None]
        busy = self.busy_targets(s)
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

    @staticmethod
    def busy_targets(s: Session) -> set[str]:
        return set(
            s.exec(
                select(OutboxRow.target_client_id).where(
                    col(OutboxRow.kind).in_(ADDRESS_KINDS),
                    col(OutboxRow.state).in_(WAITING),
                )
            ).all()
        )

    @staticmethod
    def _checked(label: str, text: str) -> tuple[str, str]:
        label = " ".join((label or "").split())[:ADDRESS_LABEL_MAX] or "other"
        text = " ".join((text or "").split())
        if not text:
            raise ProfileError("address_empty")
        if len(text) > ADDRESS_TEXT_MAX:
            raise ProfileError("address_too_long", max=ADDRESS_TEXT_MAX)
        return label, text

    def add(
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
            self._queue(s, row, ADDRESS_ADD)
        return key

    def edit(
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
            self._queue(s, row, ADDRESS_EDIT)

    def delete(self, key: str) -> None:
        with self._db.session() as s:
            row = s.get(ProfileAddress, key)
            if row is None or row.deleted:
                return
            row.deleted = True
            row.sync_state, row.sync_error = PENDING, None
            self._queue(s, row, ADDRESS_DELETE)

    def _queue(self, s: Session, row: ProfileAddress, kind: str) -> None:
        """Store the address with its outbox entry (the address's next action) and commit."""
        s.add(row)
        self._outbox.add(
            s,
            kind=kind,
            target=f"address:{row.key}",
            payload={"key": row.key},
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
                busy = f"address:{key}" in self.busy_targets(s) and self._later_edits(s, key)
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

    async def send(self, entry: OutboxEntry) -> None:
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
