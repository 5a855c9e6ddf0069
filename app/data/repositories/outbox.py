"""The outbox: the resident's actions waiting to reach the server, in order.

An entry is written in the same transaction as the local row it stands for (see
`AppealsRepository`), so what the resident sees and what will be sent never disagree, and a
crash at any moment loses nothing. The sync engine takes entries one at a time
(`next_ready`), marks them `in_flight` while sending, then `done`, back to `pending` with a
later `next_attempt_at` (retryable failure), or `rejected` with the server's message (shown
on the item; never dropped silently). On start, `recover()` puts `in_flight` entries back.

Order: by priority (emergencies first), then by id. Per appeal, an entry waits until every
earlier entry of the same appeal has left the queue, and everything waits for the appeal's
own creation (`create_appeal`) to be done: a message is never sent before its appeal exists
on the server.

All methods are blocking (SQLite): call them from `asyncio.to_thread`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from app.data.store.database import Database
from app.data.store.models import OutboxEntry
from app.domain.timestamps import utcnow

CREATE_APPEAL = "create_appeal"
SEND_MESSAGE = "send_message"
RATE = "rate"
REOPEN = "reopen"
COMPLAIN = "complain"
FORWARD = "forward"
MARK_READ = "mark_read"

PENDING = "pending"
IN_FLIGHT = "in_flight"
DONE = "done"
REJECTED = "rejected"
WAITING = (PENDING, IN_FLIGHT)

PRIORITY_EMERGENCY = 10
PRIORITY_NORMAL = 0
PRIORITY_LOW = -10  # read marks


@dataclass(frozen=True)
class QueueCounts:
    pending: int  # pending + in flight
    rejected: int


class Outbox:
    def __init__(self, db: Database, *, now: Callable[[], datetime] = utcnow) -> None:
        self._db = db
        self._now = now

    @property
    def database(self) -> Database:
        """The store this outbox lives in (one outbox per database file)."""
        return self._db

    # -- writing (inside the caller's transaction) ---------------------------------------------

    def add(
        self,
        session: Session,
        *,
        kind: str,
        target: str,
        payload: dict[str, Any],
        key: str,
        priority: int = PRIORITY_NORMAL,
        entity: str | None = None,
    ) -> OutboxEntry:
        """Queue an action in the caller's session (the caller commits, with its local row).
        Its feature's `Syncable` declares the kind's sender to the sync engine."""
        now = self._now()
        entry = OutboxEntry(
            kind=kind,
            target_client_id=target,
            entity_client_id=entity,
            payload_json=json.dumps(payload, ensure_ascii=False, sort_keys=True),
            idempotency_key=key,
            priority=priority,
            created_at=now,
            updated_at=now,
        )
        session.add(entry)
        return entry

    # -- reading -------------------------------------------------------------------------------

    def get(self, entry_id: int) -> OutboxEntry | None:
        with self._db.read() as s:
            return s.get(OutboxEntry, entry_id)

    def entries(
        self, target: str | None = None, *, include_done: bool = False
    ) -> list[OutboxEntry]:
        with self._db.read() as s:
            query = select(OutboxEntry)
            if target is not None:
                query = query.where(OutboxEntry.target_client_id == target)
            if not include_done:
                query = query.where(OutboxEntry.state != DONE)
            return list(s.exec(query.order_by(col(OutboxEntry.id))).all())

    def next_ready(self, now: datetime | None = None) -> OutboxEntry | None:
        """The next entry to send now, or None (empty, waiting on backoff or on another)."""
        now = now or self._now()
        with self._db.read() as s:
            waiting = list(
                s.exec(
                    select(OutboxEntry)
                    .where(col(OutboxEntry.state).in_(WAITING))
                    .order_by(col(OutboxEntry.id))
                ).all()
            )
            if not waiting:
                return None
            unfinished_creates = set(
                s.exec(
                    select(OutboxEntry.target_client_id).where(
                        OutboxEntry.kind == CREATE_APPEAL, OutboxEntry.state != DONE
                    )
                ).all()
            )
        head_of: dict[str, int] = {}
        for entry in waiting:  # ascending ids: the first seen is the head of its appeal
            head_of.setdefault(entry.target_client_id, entry.id or 0)
        for entry in sorted(waiting, key=lambda e: (-e.priority, e.id or 0)):
            if entry.state != PENDING or head_of[entry.target_client_id] != entry.id:
                continue
            if entry.kind != CREATE_APPEAL and entry.target_client_id in unfinished_creates:
                continue
            if entry.next_attempt_at is not None and entry.next_attempt_at > now:
                continue
            return entry
        return None

    def next_wakeup(self) -> datetime | None:
        """When the earliest entry waiting on backoff becomes due."""
        with self._db.read() as s:
            value = s.exec(
                select(func.min(OutboxEntry.next_attempt_at)).where(
                    OutboxEntry.state == PENDING, col(OutboxEntry.next_attempt_at).is_not(None)
                )
            ).one()
        return value

    def counts(self) -> QueueCounts:
        with self._db.read() as s:
            rows = s.exec(
                select(OutboxEntry.state, func.count())
                .where(col(OutboxEntry.state).in_((PENDING, IN_FLIGHT, REJECTED)))
                .group_by(col(OutboxEntry.state))
            ).all()
        by_state = {state: int(n) for state, n in rows}
        return QueueCounts(
            pending=by_state.get(PENDING, 0) + by_state.get(IN_FLIGHT, 0),
            rejected=by_state.get(REJECTED, 0),
        )

    # -- state moves ---------------------------------------------------------------------------

    def recover(self) -> int:
        """After a restart: what was being sent goes back to the queue (its key is kept, so
        the server answers a resend with the first result)."""
        with self._db.begin() as conn:
            result = conn.execute(
                update(OutboxEntry)
                .where(col(OutboxEntry.state) == IN_FLIGHT)
                .values(state=PENDING, next_attempt_at=None, updated_at=self._now())
            )
        return int(result.rowcount or 0)

    def _set(self, entry_id: int, **values: Any) -> None:
        with self._db.begin() as conn:
            conn.execute(
                update(OutboxEntry)
                .where(col(OutboxEntry.id) == entry_id)
                .values(updated_at=self._now(), **values)
            )

    def mark_in_flight(self, entry_id: int) -> None:
        with self._db.begin() as conn:
            conn.execute(
                update(OutboxEntry)
                .where(col(OutboxEntry.id) == entry_id)
                .values(
                    state=IN_FLIGHT,
                    attempts=col(OutboxEntry.attempts) + 1,
                    updated_at=self._now(),
                )
            )

    def mark_done(self, entry_id: int, session: Session | None = None) -> None:
        """Done (in the caller's session when the server's answer is merged in the same
        transaction); an entry already done is left as it is."""
        statement = (
            update(OutboxEntry)
            .where(col(OutboxEntry.id) == entry_id, col(OutboxEntry.state) != DONE)
            .values(state=DONE, last_error=None, last_error_code=None, updated_at=self._now())
        )
        if session is not None:
            session.exec(statement)
            return
        with self._db.begin() as conn:
            conn.execute(statement)

    def mark_retry(self, entry_id: int, *, at: datetime, error: str, code: str | None) -> None:
        self._set(
            entry_id, state=PENDING, next_attempt_at=at, last_error=error, last_error_code=code
        )

    def mark_rejected(self, entry_id: int, *, error: str, code: str | None) -> None:
        self._set(
            entry_id, state=REJECTED, next_attempt_at=None, last_error=error, last_error_code=code
        )

    def requeue(self, entry_id: int, payload: dict[str, Any] | None = None) -> None:
        """A rejected entry goes back to the queue (the resident edited or retried it).

        The key stays: the server stores an answer only for a request that succeeded, so a
        rejected key is free for the corrected payload.
        """
        values: dict[str, Any] = {
            "state": PENDING,
            "attempts": 0,
            "next_attempt_at": None,
            "last_error": None,
            "last_error_code": None,
        }
        if payload is not None:
            values["payload_json"] = json.dumps(payload, ensure_ascii=False, sort_keys=True)
        self._set(entry_id, **values)

    def delete_for(self, session: Session, target: str) -> None:
        for entry in session.exec(
            select(OutboxEntry).where(OutboxEntry.target_client_id == target)
        ).all():
            session.delete(entry)


def payload_of(entry: OutboxEntry) -> dict[str, Any]:
    data = json.loads(entry.payload_json or "{}")
    return data if isinstance(data, dict) else {}
