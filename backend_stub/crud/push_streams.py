"""Leases of open push streams: the per-resident cap, counted across server processes.

PostgreSQL only (one SQLite file is served by one process, whose broker counts its streams).
`take` counts and inserts under the resident's advisory lock, so of a burst of opens on any
number of processes exactly `limit` get a lease. A lease counts while it is unexpired and its
sign-in stands; its holder renews it (`renew`) and gives it back (`give_back`); a lease whose
holder died expires by itself. The caller commits each step (the lock is released then).
"""

from __future__ import annotations

import secrets
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from backend_stub.crud.otp import hold_gates
from backend_stub.models import AuthSession, PushStreamLease


def take(
    db: Session,
    *,
    user_id: int,
    session_id: int,
    holder: str,
    limit: int,
    now: datetime,
    until: datetime,
) -> str | None:
    """A new lease for one stream of the resident (its id), or None when `limit` are live."""
    hold_gates(db, keys=[f"streams:{user_id}"])
    live = db.exec(
        select(func.count())
        .select_from(PushStreamLease)
        .join(AuthSession, col(AuthSession.id) == col(PushStreamLease.session_id))
        .where(
            col(PushStreamLease.user_id) == user_id,
            col(PushStreamLease.expires_at) > now,
            col(AuthSession.revoked).is_(False),
        )
    ).one()
    if live >= limit:
        return None
    db.exec(
        delete(PushStreamLease).where(
            col(PushStreamLease.user_id) == user_id, col(PushStreamLease.expires_at) <= now
        )
    )
    lease = PushStreamLease(
        id=secrets.token_hex(16),
        user_id=user_id,
        session_id=session_id,
        holder=holder,
        expires_at=until,
    )
    db.add(lease)
    db.flush()
    return lease.id


def renew(db: Session, *, ids: Collection[str], until: datetime) -> None:
    """Keep these leases (the holder's live streams) counting until `until`."""
    if ids:
        db.exec(
            update(PushStreamLease)
            .where(col(PushStreamLease.id).in_(list(ids)))
            .values(expires_at=until)
            .execution_options(synchronize_session=False)
        )


def give_back(db: Session, *, lease_id: str) -> None:
    """The stream ended: its lease stops counting."""
    db.exec(delete(PushStreamLease).where(col(PushStreamLease.id) == lease_id))


def give_back_all(db: Session, *, holder: str) -> None:
    """Every lease `holder` (a server process) still has: it is stopping."""
    db.exec(delete(PushStreamLease).where(col(PushStreamLease.holder) == holder))
