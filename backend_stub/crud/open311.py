"""Appeals as Open311 requests: a list by the GeoReport filters, one by its number, and the
history line that keeps a filed request's `media_url`."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlmodel import Session, col, select

from backend_stub import disclosure
from backend_stub.models import Appeal, AppealEvent
from backend_stub.statuses import Status

MEDIA_EVENT = "media_url"  # history line that keeps a request's media_url


def find_requests(
    db: Session,
    *,
    full: bool,
    numbers: list[str],
    start: datetime,
    end: datetime | None,
    codes: list[str],
    status: Literal["open", "closed"] | None,
    limit: int,
) -> list[Appeal]:
    """Newest first, at most `limit`; only publishable ones unless `full`. With `numbers` only
    those (the other filters are off), else those filed from `start` (to `end`), of these
    service `codes` and this `status` when given."""
    query = select(Appeal) if full else select(Appeal).where(*disclosure.publishable_where())
    if numbers:
        query = query.where(col(Appeal.number).in_(numbers))
    else:
        query = query.where(col(Appeal.created_at) >= start)
        if end is not None:
            query = query.where(col(Appeal.created_at) <= end)
        if codes:
            query = query.where(col(Appeal.subclass_code).in_(codes))
        if status == "closed":
            query = query.where(Appeal.status == Status.CLOSED.value)
        elif status == "open":
            query = query.where(Appeal.status != Status.CLOSED.value)
    query = query.order_by(col(Appeal.created_at).desc(), col(Appeal.id).desc()).limit(limit)
    return list(db.exec(query).all())


def by_number(db: Session, *, number: str) -> Appeal | None:
    return db.exec(select(Appeal).where(Appeal.number == number)).first()


def keep_media_url(db: Session, *, appeal_id: int, url: str) -> None:
    """Note the request's `media_url` in the appeal's history; the caller commits."""
    db.add(AppealEvent(appeal_id=appeal_id, actor_role="system", kind=MEDIA_EVENT, note=url))
