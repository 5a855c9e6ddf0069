"""Proposals: others' published ones and the resident's own kept locally; a new proposal (with
its photo, uploaded resumably by the sync engine) and a support are stored and queued in the
outbox in one transaction (a new proposal's client id is its idempotency key).

Blocking methods (names without `async`) touch SQLite: call them via `asyncio.to_thread`.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, func, select

from app.data.repositories.outbox import OutboxEntry, payload_of
from app.data.repositories.participation_base import (
    PENDING,
    REJECTED,
    SYNCED,
    ParticipationSection,
    VoteError,
    permanent,
)
from app.data.store.models import LocalMedia, LocalProposal
from app.domain.participation import (
    PROPOSAL_CATEGORIES,
    PROPOSAL_MAX_CHARS,
    NewProposal,
    Proposal,
    ProposalCategory,
)
from app.domain.timestamps import as_utc
from app.errors import ApiError

PROPOSAL_CREATE = "proposal_create"  # outbox kinds of a new proposal and of a support
PROPOSAL_SUPPORT = "proposal_support"
PAGE_SIZE = 30
MEDIA_OWNER = "proposal"  # owner_kind of a proposal's photo in `local_media`


class ProposalsRepository(ParticipationSection):
    """The proposals section of `ParticipationRepository`."""

    _categories: list[ProposalCategory] | None = None  # from the server, once

    async def categories(self) -> list[ProposalCategory]:
        """Categories with their names (from the server once; built in when offline)."""
        if self._categories is None:
            try:
                self._categories = await self._api.categories()
            except Exception:  # offline: codes only, the screen names them
                return [ProposalCategory(c, "", "") for c in PROPOSAL_CATEGORIES]
        return self._categories

    @staticmethod
    def _proposal(row: LocalProposal) -> Proposal:
        return Proposal(
            key=row.key,
            server_id=row.server_id,
            mine=row.mine,
            text=row.text,
            category=row.category,
            address=row.address,
            district=row.district,
            state=row.state,  # type: ignore[arg-type]
            moderator_note=row.moderator_note,
            support_count=row.support_count,
            supported=row.supported,
            created_at=as_utc(row.created_at),
            photo_ids=tuple(json.loads(row.photo_ids_json or "[]")),
            lat=row.lat,
            lon=row.lon,
            sync_state=row.sync_state,  # type: ignore[arg-type]
            sync_error=row.sync_error,
            photo_path=row.photo_path,
        )

    def proposals(self, *, mine: bool, offset: int = 0, limit: int = PAGE_SIZE) -> list[Proposal]:
        """A page of the resident's own proposals, or of others' published ones; newest first."""
        with self._db.read() as s:
            query = select(LocalProposal).where(LocalProposal.mine == mine)
            if not mine:
                query = query.where(LocalProposal.state == "published")
            query = query.order_by(
                col(LocalProposal.created_at).desc(), col(LocalProposal.key).desc()
            )
            rows = s.exec(query.offset(offset).limit(limit)).all()
            return [self._proposal(r) for r in rows]

    def proposal_count(self, *, mine: bool) -> int:
        with self._db.read() as s:
            query = (
                select(func.count()).select_from(LocalProposal).where(LocalProposal.mine == mine)
            )
            if not mine:
                query = query.where(LocalProposal.state == "published")
            return int(s.exec(query).one())

    def _store_proposal(self, s: Session, data: dict[str, Any]) -> None:
        if data.get("removed"):
            for gone in s.exec(
                select(LocalProposal).where(LocalProposal.server_id == int(data["id"]))
            ).all():
                if not gone.mine:
                    s.delete(gone)
            return
        p = Proposal.from_json(data)
        row: LocalProposal | None = s.get(LocalProposal, p.key)
        if row is None:
            row = s.exec(
                select(LocalProposal).where(LocalProposal.server_id == p.server_id)
            ).first()
        if row is None:
            row = LocalProposal(
                key=p.key, text=p.text, category=p.category, created_at=as_utc(p.created_at)
            )
        row.server_id = p.server_id
        row.mine = p.mine
        row.text = p.text
        row.category = p.category
        row.lat, row.lon, row.address, row.district = p.lat, p.lon, p.address, p.district
        row.state = p.state
        row.moderator_note = p.moderator_note
        row.photo_ids_json = json.dumps(list(p.photo_ids))
        row.created_at = as_utc(p.created_at)
        if row.support_state != PENDING:
            row.support_count = p.support_count
            row.supported = p.supported
        if row.sync_state != REJECTED:
            row.sync_state = SYNCED
            row.sync_error = None
        s.add(row)

    def store_proposals(self, rows: list[dict[str, Any]]) -> None:
        with self._db.session() as s:
            for data in rows:
                self._store_proposal(s, data)
            s.commit()

    async def refresh_proposals(self) -> None:
        """Pull the newest page of published proposals and the resident's own."""
        for mine in (False, True):
            items, _next = await self._api.proposals(mine=mine)
            await asyncio.to_thread(self.store_proposals, items)

    def submit_proposal(self, new: NewProposal, now: datetime | None = None) -> str:
        """Store the proposal with its outbox entry in one transaction; returns its client id.
        Raises ValueError (`empty_text`, `text_too_long`, `unknown_category`, `half_position`)."""
        text = " ".join((new.text or "").split())
        if not text:
            raise VoteError("empty_text")
        if len(text) > PROPOSAL_MAX_CHARS:
            raise VoteError("text_too_long", max=PROPOSAL_MAX_CHARS)
        if new.category not in PROPOSAL_CATEGORIES:
            raise VoteError("unknown_category")
        if (new.lat is None) != (new.lon is None):
            raise VoteError("half_position")
        client_id = str(uuid.uuid4())
        address = (new.address or "").strip()[:300] or None
        payload: dict[str, Any] = {
            "client_id": client_id,
            "text": text,
            "category": new.category,
            "lat": new.lat,
            "lon": new.lon,
            "address": address,
        }
        with self._db.session() as s:
            created = as_utc(now or datetime.now(UTC))
            s.add(
                LocalProposal(
                    key=client_id,
                    mine=True,
                    text=text,
                    category=new.category,
                    lat=new.lat,
                    lon=new.lon,
                    address=address,
                    photo_path=new.photo.path if new.photo else None,
                    created_at=created,
                    sync_state=PENDING,
                )
            )
            if new.photo is not None:  # uploaded (resumably) by the sync engine before sending
                s.add(
                    LocalMedia(
                        owner_kind=MEDIA_OWNER,
                        owner_client_id=client_id,
                        path=new.photo.path,
                        kind=new.photo.kind,
                        content_type=new.photo.content_type,
                        size=new.photo.size,
                        created_at=created,
                    )
                )
            self._outbox.add(
                s,
                kind=PROPOSAL_CREATE,
                target=f"proposal:{client_id}",
                payload=payload,
                key=client_id,
            )
            s.commit()
        return client_id

    def _proposal_answer(self, key: str, data: dict[str, Any] | None, error: str | None) -> None:
        with self._db.session() as s:
            if data is not None:
                self._store_proposal(s, data)
                row = s.get(LocalProposal, key)
                if row is not None:
                    row.photo_path = None
                    s.add(row)
            elif error is not None:
                row = s.get(LocalProposal, key)
                if row is not None:
                    row.sync_state = REJECTED
                    row.sync_error = error
                    s.add(row)
            s.commit()

    async def send_proposal(self, entry: OutboxEntry) -> None:
        """Outbox handler of `proposal_create`: upload the photo (if any), then submit."""
        p = payload_of(entry)
        key = str(p["client_id"])
        try:
            ids = await self._upload(MEDIA_OWNER, key) if self._upload is not None else []
            data = await self._api.create_proposal({**p, "photo_ids": ids[:5]})
        except ApiError as exc:
            if permanent(exc):
                await asyncio.to_thread(self._proposal_answer, key, None, exc.message or exc.code)
            raise
        await asyncio.to_thread(self._proposal_answer, key, data, None)
        self.notify()

    def support_proposal(self, key: str, support: bool = True) -> None:
        with self._db.session() as s:
            row = s.get(LocalProposal, key)
            if row is None or row.server_id is None:
                raise VoteError("proposal_unknown")
            if row.state != "published":
                raise VoteError("proposal_not_published")
            if row.supported == support:
                return
            row.supported = support
            row.support_count = max(0, row.support_count + (1 if support else -1))
            row.support_state = PENDING
            row.support_error = None
            s.add(row)
            self._outbox.add(
                s,
                kind=PROPOSAL_SUPPORT,
                target=f"proposal:{key}",
                payload={"proposal_id": row.server_id, "key": key, "support": support},
                key=str(uuid.uuid4()),
            )
            s.commit()

    def _proposal_support_answer(
        self, key: str, support: bool, data: dict[str, Any] | None, error: str | None
    ) -> None:
        with self._db.session() as s:
            row = s.get(LocalProposal, key)
            if row is None:
                return
            if data is not None:
                row.support_count = int(data.get("support_count") or 0)
                row.supported = bool(data.get("supported"))
                row.support_state, row.support_error = SYNCED, None
            else:
                row.supported = not support
                row.support_count = max(0, row.support_count + (-1 if support else 1))
                row.support_state, row.support_error = REJECTED, error
            s.add(row)
            s.commit()

    async def send_proposal_support(self, entry: OutboxEntry) -> None:
        p = payload_of(entry)
        key, support = str(p["key"]), bool(p["support"])
        try:
            data = await self._api.set_proposal_support(int(p["proposal_id"]), support)
        except ApiError as exc:
            if permanent(exc):
                await asyncio.to_thread(
                    self._proposal_support_answer, key, support, None, exc.message or exc.code
                )
            raise
        await asyncio.to_thread(self._proposal_support_answer, key, support, data, None)
        self.notify()
