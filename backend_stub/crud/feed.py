"""The sync feed: every change appends a row; a client asks for rows after its cursor."""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, or_
from sqlmodel import Session, col, select

from backend_stub.models import FeedEvent


def record(db: Session, user_id: int | None, entity: str, entity_id: int | str) -> None:
    """Note a change for one resident (or for everyone when user_id is None)."""
    db.add(FeedEvent(user_id=user_id, entity=entity, entity_id=str(entity_id)))


def _visible(user_id: int) -> ColumnElement[bool]:
    return or_(col(FeedEvent.user_id) == user_id, col(FeedEvent.user_id).is_(None))


def head(db: Session, user_id: int) -> int:
    """The newest cursor this resident can see (cheap: one indexed max)."""
    newest = select(func.coalesce(func.max(FeedEvent.id), 0)).where(_visible(user_id))
    return int(db.exec(newest).one() or 0)


def changes_since(
    db: Session, user_id: int, cursor: int, limit: int
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
