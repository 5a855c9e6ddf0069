"""The sync feed: every change appends a row; a client asks for rows after its cursor."""

from __future__ import annotations

from sqlalchemy import ColumnElement, ScalarSelect, event, func, or_, text
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Session, col, select

from backend_stub.db import forget_rolled_back
from backend_stub.models import FeedEvent

FEED_WRITE_LOCK = 109_001  # PostgreSQL advisory lock key that orders feed writes
_PENDING = "city109.feed.pending"


def record(db: Session, *, user_id: int | None, entity: str, entity_id: int | str) -> None:
    """Note a change for one resident (or for everyone when user_id is None).

    The row is written when the transaction commits, after everything else (see `_write_last`).
    """
    db.connection()  # inside a transaction, so that a rollback forgets the row
    pending: list[tuple[SessionTransaction | None, FeedEvent]] = db.info.setdefault(_PENDING, [])
    row = FeedEvent(user_id=user_id, entity=entity, entity_id=str(entity_id))
    pending.append((db.get_nested_transaction(), row))


@event.listens_for(OrmSession, "before_commit")
def _write_last(session: OrmSession) -> None:
    """Make feed ids become visible in id order, so a cursor never skips a row.

    PostgreSQL hands out ids on insert but transactions commit in any order: a reader could see
    row 8 before row 7 commits, move its cursor to 8 and never get 7. So the feed rows are
    inserted last, under a transaction-scoped lock held to the commit: feed writers queue up
    only for their final insert, and as every other row is written before that lock is taken,
    no two writers can wait on each other. (SQLite has one writer at a time anyway.)
    """
    if session.in_nested_transaction():
        return
    pending: list[tuple[SessionTransaction | None, FeedEvent]] | None = session.info.pop(
        _PENDING, None
    )
    if not pending:
        return
    session.flush()
    if session.get_bind().dialect.name == "postgresql":
        lock = text("SELECT pg_advisory_xact_lock(:key)")
        session.connection().execute(lock, {"key": FEED_WRITE_LOCK})
    session.add_all(row for _, row in pending)


@event.listens_for(OrmSession, "after_soft_rollback")
def _drop_rolled_back(session: OrmSession, previous: SessionTransaction) -> None:
    forget_rolled_back(session, _PENDING, previous)  # forget what was noted inside it


@event.listens_for(OrmSession, "after_transaction_end")
def _forget(session: OrmSession, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # rolled back or closed without a commit
        session.info.pop(_PENDING, None)


def _visible(user_id: int) -> ColumnElement[bool]:
    return or_(col(FeedEvent.user_id) == user_id, col(FeedEvent.user_id).is_(None))


def heads(db: Session, *, user_id: int) -> tuple[int, int]:
    """The newest row of this resident's own and the newest row for everyone (0 for none): the
    resident's feed head is the higher. Two indexed maxima in one statement."""

    def newest(of: ColumnElement[bool]) -> ScalarSelect[int]:
        return select(func.coalesce(func.max(FeedEvent.id), 0)).where(of).scalar_subquery()

    own, public = db.exec(
        select(newest(col(FeedEvent.user_id) == user_id), newest(col(FeedEvent.user_id).is_(None)))
    ).one()
    return int(own), int(public)


def head(db: Session, *, user_id: int) -> int:
    """The newest cursor this resident can see."""
    return max(heads(db, user_id=user_id))


def changes_since(
    db: Session, *, user_id: int, cursor: int, limit: int
) -> tuple[dict[str, list[str]], int, bool]:
    """Changed entity ids by kind after `cursor`, the new cursor, and whether more remain."""
    rows = db.exec(
        select(FeedEvent)
        .where(_visible(user_id), col(FeedEvent.id) > cursor)
        .order_by(col(FeedEvent.id))
        .limit(limit + 1)
    ).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    by_entity: dict[str, list[str]] = {}
    for row in rows:
        ids = by_entity.setdefault(row.entity, [])
        if row.entity_id not in ids:
            ids.append(row.entity_id)
    new_cursor = rows[-1].id if rows else cursor
    assert new_cursor is not None
    return by_entity, new_cursor, has_more
