"""Polls: open, upcoming and closed ones kept locally, and the resident's vote, cast on this
device and queued in the outbox in one transaction (its client id is the idempotency key).

Blocking methods (names without `async`) touch SQLite: call them via `asyncio.to_thread`.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, select

from app.data.repositories.outbox import OutboxEntry, payload_of
from app.data.repositories.participation_base import (
    PENDING,
    REJECTED,
    SYNCED,
    ParticipationSection,
    VoteError,
    permanent,
)
from app.data.services.participation_api import PollScope
from app.data.store.models import LocalPoll
from app.domain.participation import Poll
from app.domain.timestamps import as_utc, utcnow
from app.errors import ApiError

POLL_VOTE = "poll_vote"  # the outbox kind of a vote


class PollsRepository(ParticipationSection):
    """The polls section of `ParticipationRepository`."""

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
        now_utc = as_utc(now or datetime.now(UTC))
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
                closes_at=as_utc(poll.closes_at),
                updated_at=utcnow(),
            )
        row.data_json = json.dumps(data, ensure_ascii=False)
        row.status = poll.status
        row.closes_at = as_utc(poll.closes_at)
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
            if poll.status != "open" or poll.closes_at <= as_utc(now):
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
            if permanent(exc):
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
