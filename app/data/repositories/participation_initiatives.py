"""Initiatives: the city's list kept locally, and the resident's support (or withdrawal), kept
on this device and queued in the outbox in one transaction.

Blocking methods (names without `async`) touch SQLite: call them via `asyncio.to_thread`.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

from sqlmodel import Session, select

from app.data.repositories.outbox import OutboxEntry, payload_of
from app.data.repositories.participation_base import (
    PENDING,
    REJECTED,
    SYNCED,
    ParticipationSection,
    VoteError,
    permanent,
)
from app.data.store.models import LocalInitiative
from app.domain.participation import Initiative
from app.domain.timestamps import utcnow
from app.errors import ApiError

INITIATIVE_SUPPORT = "initiative_support"  # the outbox kind of a support or a withdrawal


class InitiativesRepository(ParticipationSection):
    """The initiatives section of `ParticipationRepository`."""

    def _initiative(self, row: LocalInitiative) -> Initiative:
        it = Initiative.from_json(json.loads(row.data_json))
        values = dict(it.__dict__)
        if row.support_wanted is not None and row.support_state == PENDING:
            if row.support_wanted != it.supported:
                values["support_count"] = max(
                    0, it.support_count + (1 if row.support_wanted else -1)
                )
            values["supported"] = row.support_wanted
        values["support_state"] = row.support_state
        values["support_error"] = row.support_error
        return Initiative(**values)

    def initiatives(self) -> list[Initiative]:
        """Open ones (proposed, in progress) first, then done and rejected; newest first."""
        with self._db.read() as s:
            rows = s.exec(select(LocalInitiative)).all()
            items = [self._initiative(r) for r in rows]
        return sorted(items, key=lambda i: (not i.open, -i.created_at.timestamp(), -i.id))

    def _store_initiative(self, s: Session, data: dict[str, Any]) -> LocalInitiative:
        it = Initiative.from_json(data)
        row = s.get(LocalInitiative, it.id) or LocalInitiative(
            id=it.id, data_json="{}", state=it.state, updated_at=utcnow()
        )
        row.data_json = json.dumps(data, ensure_ascii=False)
        row.state = it.state
        row.updated_at = utcnow()
        s.add(row)
        return row

    def store_initiatives(self, rows: list[dict[str, Any]]) -> None:
        with self._db.session() as s:
            for data in rows:
                self._store_initiative(s, data)
            s.commit()

    async def refresh_initiatives(self) -> None:
        await asyncio.to_thread(self.store_initiatives, await self._api.initiatives())

    def support_initiative(self, initiative_id: int, support: bool = True) -> None:
        """Support (or withdraw) on this device and queue it; supporting twice changes
        nothing."""
        with self._db.session() as s:
            row = s.get(LocalInitiative, initiative_id)
            if row is None:
                raise VoteError("initiative_unknown")
            current = self._initiative(row)
            if current.supported == support:
                return
            if not current.open:
                raise VoteError("initiative_closed")
            row.support_wanted = support
            row.support_state = PENDING
            row.support_error = None
            s.add(row)
            self._outbox.add(
                s,
                kind=INITIATIVE_SUPPORT,
                target=f"initiative:{initiative_id}",
                payload={"initiative_id": initiative_id, "support": support},
                key=str(uuid.uuid4()),
            )
            s.commit()

    def _support_answer(
        self, initiative_id: int, data: dict[str, Any] | None, error: str | None
    ) -> None:
        with self._db.session() as s:
            row = (
                self._store_initiative(s, data)
                if data is not None
                else s.get(LocalInitiative, initiative_id)
            )
            if row is None:
                return
            row.support_state = SYNCED if error is None else REJECTED
            row.support_error = error
            if error is not None:
                row.support_wanted = None
            s.add(row)
            s.commit()

    async def send_initiative_support(self, entry: OutboxEntry) -> None:
        p = payload_of(entry)
        initiative_id = int(p["initiative_id"])
        try:
            data = await self._api.set_initiative_support(initiative_id, bool(p["support"]))
        except ApiError as exc:
            if permanent(exc):
                await asyncio.to_thread(
                    self._support_answer, initiative_id, None, exc.message or exc.code
                )
            raise
        await asyncio.to_thread(self._support_answer, initiative_id, data, None)
        self.notify()
