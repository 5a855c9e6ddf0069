"""Sync-feed rows one by one, for the push channel's catch-up after a reconnect."""

from __future__ import annotations

from sqlalchemy import or_
from sqlmodel import Session, col, select

from backend_stub.models import FeedEvent


def rows_after(
    db: Session, *, user_id: int, cursor: int, limit: int
) -> tuple[list[FeedEvent], bool]:
    """This resident's and public feed rows after `cursor`, oldest first; and whether more."""
    rows = list(
        db.exec(
            select(FeedEvent)
            .where(
                or_(col(FeedEvent.user_id) == user_id, col(FeedEvent.user_id).is_(None)),
                col(FeedEvent.id) > cursor,
            )
            .order_by(col(FeedEvent.id))
            .limit(limit + 1)
        ).all()
    )
    return rows[:limit], len(rows) > limit
