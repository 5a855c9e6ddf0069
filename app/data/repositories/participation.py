"""Polls, initiatives and proposals: local first, the resident's actions through the outbox.

Reads come from the local store (so the tab works offline); `refresh_*` pull the server's lists
into it, and the sync feed's `poll` / `initiative` / `proposal` rows land here through
`apply_feed`. A vote, a support and a new proposal are written locally **and** queued in the
outbox in one transaction; the sync engine sends them once (the vote's and the proposal's
client id are their idempotency keys) and calls back the `send_*` handlers below.

Blocking methods (names without `async`) touch SQLite: call them via `asyncio.to_thread`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, func, select

from app.data.repositories.outbox import Outbox, OutboxEntry, payload_of
from app.data.services.participation_api import ParticipationApi, PollScope
from app.data.store.database import Database
from app.data.store.models import LocalInitiative, LocalMedia, LocalPoll, LocalProposal
from app.domain.participation import (
    PROPOSAL_CATEGORIES,
    PROPOSAL_MAX_CHARS,
    Initiative,
    NewProposal,
    Poll,
    Proposal,
    ProposalCategory,
)
from app.errors import ApiError
from app.observable import Observable

log = logging.getLogger(__name__)

# Outbox kinds of this repository.
POLL_VOTE = "poll_vote"
INITIATIVE_SUPPORT = "initiative_support"
PROPOSAL_CREATE = "proposal_create"
PROPOSAL_SUPPORT = "proposal_support"
KINDS = (POLL_VOTE, INITIATIVE_SUPPORT, PROPOSAL_CREATE, PROPOSAL_SUPPORT)

PENDING, SYNCED, REJECTED = "pending", "synced", "rejected"
PAGE_SIZE = 30
MEDIA_OWNER = "proposal"  # owner_kind of a proposal's photo in `local_media`

Upload = Callable[[str, str], Awaitable[list[str]]]  # (owner kind, owner client id) → media ids
RETRYABLE_STATUSES = frozenset({401, 408, 425, 429})


def _permanent(exc: ApiError) -> bool:
    """A refusal the sync engine will not retry (it then marks the outbox entry rejected)."""
    retry = exc.status in RETRYABLE_STATUSES or exc.status >= 500
    return not retry and exc.code != "idempotency_in_progress"


class VoteError(ValueError):
    """The vote cannot be cast (already voted, closed, bad choice); `code` names why."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def _utc(dt: datetime) -> datetime:
    """The store takes aware datetimes (naive ones are taken as UTC)."""
    return dt.astimezone(UTC) if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


def _aware(dt: datetime) -> datetime:
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class ParticipationRepository(Observable):
    """Listeners hear when the sync engine changed rows (an answer, the feed)."""

    def __init__(
        self, db: Database, api: ParticipationApi, outbox: Outbox, *, upload: Upload | None = None
    ) -> None:
        super().__init__()
        self._db = db
        self._api = api
        self._outbox = outbox
        self._upload = upload  # the sync engine's resumable upload of `local_media` rows
        self._categories: list[ProposalCategory] | None = None

    # ================================================================ polls

    def _poll(self, row: LocalPoll) -> Poll:
        poll = Poll.from_json(json.loads(row.data_json))
        local = tuple(json.loads(row.vote_json)) if row.vote_json else None
        return Poll(
            **{
                **poll.__dict__,
                "local_vote": local,
                "vote_state": row.vote_state,
                "vote_error": row.vote_error,
            }
        )

    def polls(self, *, archive: bool = False, now: datetime | None = None) -> list[Poll]:
        """Open (and upcoming) polls soonest-closing first; or the archive of closed ones,
        newest first (blocking)."""
        now_utc = _utc(now or datetime.now(UTC))
        with self._db.read() as s:
            query = select(LocalPoll)
            if archive:
                query = query.where(
                    or_(col(LocalPoll.status) == "closed", col(LocalPoll.closes_at) <= now_utc)
                ).order_by(col(LocalPoll.closes_at).desc(), col(LocalPoll.id).desc())
            else:
                query = query.where(
                    LocalPoll.status != "closed", col(LocalPoll.closes_at) > now_utc
                ).order_by(col(LocalPoll.closes_at), col(LocalPoll.id))
            return [self._poll(r) for r in s.exec(query).all()]

    def poll(self, poll_id: int) -> Poll | None:
        with self._db.read() as s:
            row = s.get(LocalPoll, poll_id)
            return self._poll(row) if row else None

    def _store_poll(self, s: Session, data: dict[str, Any]) -> LocalPoll:
        poll = Poll.from_json(data)
        row = s.get(LocalPoll, poll.id)
        if row is None:
            row = LocalPoll(
                id=poll.id,
                data_json="{}",
                status=poll.status,
                closes_at=_utc(poll.closes_at),
                updated_at=utcnow(),
            )
        row.data_json = json.dumps(data, ensure_ascii=False)
        row.status = poll.status
        row.closes_at = _utc(poll.closes_at)
        row.updated_at = utcnow()
        if poll.my_vote is not None and row.vote_state == PENDING and row.vote_json:
            # The server has the vote already (another device, or a lost answer): it wins.
            row.vote_state = SYNCED if set(json.loads(row.vote_json)) == set(poll.my_vote) else None
        s.add(row)
        return row

    def store_polls(self, rows: list[dict[str, Any]]) -> None:
        with self._db.session() as s:
            for data in rows:
                self._store_poll(s, data)
            s.commit()

    async def refresh_polls(self) -> None:
        """Pull open, upcoming and closed polls (raises NetworkError/ApiError)."""
        found: list[dict[str, Any]] = []
        scopes: tuple[PollScope, ...] = ("open", "upcoming", "closed")
        for scope in scopes:
            found.extend(await self._api.polls(scope))
        await asyncio.to_thread(self.store_polls, found)

    def vote(self, poll_id: int, option_ids: list[int], now: datetime | None = None) -> str:
        """Cast the vote on this device and queue it (one transaction); returns its client id.

        Raises `VoteError` when it cannot be cast: voted already (here or as the server knows),
        the poll is not open, or the choice does not fit the poll."""
        now = now or datetime.now(UTC)
        wanted = list(dict.fromkeys(option_ids))
        with self._db.session() as s:
            row = s.get(LocalPoll, poll_id)
            if row is None:
                raise VoteError("poll_unknown")
            poll = self._poll(row)
            if poll.voted is not None or row.vote_state == PENDING:
                raise VoteError("already_voted")
            if poll.status != "open" or poll.closes_at <= _aware(now):
                raise VoteError("poll_closed")
            if not poll.can_vote and poll.my_vote is None:
                raise VoteError("poll_not_for_you")
            known = {o.id for o in poll.options}
            if not wanted or any(i not in known for i in wanted):
                raise VoteError("choose_an_option")
            if len(wanted) > poll.max_choices:
                raise VoteError("too_many_choices", max_choices=poll.max_choices)
            client_id = str(uuid.uuid4())
            row.vote_json = json.dumps(wanted)
            row.vote_client_id = client_id
            row.vote_state = PENDING
            row.vote_error = None
            s.add(row)
            self._outbox.add(
                s,
                kind=POLL_VOTE,
                target=f"poll:{poll_id}",
                payload={"poll_id": poll_id, "option_ids": wanted, "client_id": client_id},
                key=client_id,
            )
            s.commit()
        return client_id

    def _vote_answer(
        self, poll_id: int, data: dict[str, Any] | None, error: str | None = None
    ) -> None:
        with self._db.session() as s:
            if data is not None:
                row = self._store_poll(s, data)
            else:
                row = s.get(LocalPoll, poll_id)  # type: ignore[assignment]
                if row is None:
                    return
            if error is None:
                row.vote_state = SYNCED
                row.vote_error = None
            else:
                row.vote_state = REJECTED
                row.vote_error = error
            s.add(row)
            s.commit()

    async def send_vote(self, entry: OutboxEntry) -> None:
        """Outbox handler of `poll_vote`. A permanent refusal is kept on the poll (the engine
        marks the entry rejected); `already_voted` brings the server's own record of the vote."""
        p = payload_of(entry)
        poll_id = int(p["poll_id"])
        try:
            data = await self._api.vote(poll_id, list(p["option_ids"]), str(p["client_id"]))
        except ApiError as exc:
            if _permanent(exc):
                fresh: dict[str, Any] | None = None
                try:
                    fresh = await self._api.poll(poll_id)
                except Exception:  # the rejection stands even if the poll cannot be read
                    fresh = None
                await asyncio.to_thread(self._vote_answer, poll_id, fresh, exc.message or exc.code)
                self.notify()
            raise
        await asyncio.to_thread(self._vote_answer, poll_id, data)
        self.notify()

    # ================================================================ initiatives

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
            if _permanent(exc):
                await asyncio.to_thread(
                    self._support_answer, initiative_id, None, exc.message or exc.code
                )
            raise
        await asyncio.to_thread(self._support_answer, initiative_id, data, None)
        self.notify()

    # ================================================================ proposals

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
            created_at=_aware(row.created_at),
            photo_ids=tuple(json.loads(row.photo_ids_json or "[]")),
            lat=row.lat,
            lon=row.lon,
            sync_state=row.sync_state,  # type: ignore[arg-type]
            sync_error=row.sync_error,
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
                key=p.key, text=p.text, category=p.category, created_at=_utc(p.created_at)
            )
        row.server_id = p.server_id
        row.mine = p.mine
        row.text = p.text
        row.category = p.category
        row.lat, row.lon, row.address, row.district = p.lat, p.lon, p.address, p.district
        row.state = p.state
        row.moderator_note = p.moderator_note
        row.photo_ids_json = json.dumps(list(p.photo_ids))
        row.created_at = _utc(p.created_at)
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
            created = _utc(now or datetime.now(UTC))
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
            if _permanent(exc):
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
            if _permanent(exc):
                await asyncio.to_thread(
                    self._proposal_support_answer, key, support, None, exc.message or exc.code
                )
            raise
        await asyncio.to_thread(self._proposal_support_answer, key, support, data, None)
        self.notify()

    # ================================================================ the sync feed

    def entity_handlers(self) -> dict[str, Callable[[list[dict[str, Any]]], Awaitable[None]]]:
        """Mergers of the sync feed's `poll`, `initiative` and `proposal` rows."""

        def merging(store: Callable[[list[dict[str, Any]]], None]) -> Any:
            async def merge(rows: list[dict[str, Any]]) -> None:
                try:
                    await asyncio.to_thread(store, rows)
                except Exception:  # a bad row must not stop the pull; the tab refreshes anyway
                    log.exception("participation rows from the feed not merged")
                self.notify()

            return merge

        return {
            "poll": merging(self.store_polls),
            "initiative": merging(self.store_initiatives),
            "proposal": merging(self.store_proposals),
        }

    def action_handlers(self) -> dict[str, Callable[[OutboxEntry], Awaitable[None]]]:
        return {
            POLL_VOTE: self.send_vote,
            INITIATIVE_SUPPORT: self.send_initiative_support,
            PROPOSAL_CREATE: self.send_proposal,
            PROPOSAL_SUPPORT: self.send_proposal_support,
        }
