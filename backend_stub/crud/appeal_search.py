"""Appeals as the operator's console finds them: filtered and paged, and counted by status."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from backend_stub.crud.records import counts_by, newest_first
from backend_stub.models import Appeal
from backend_stub.statuses import Importance, Status

OPEN = "open"  # the status filter for every appeal not closed


def search(
    db: Session,
    *,
    now: datetime,
    status: str,
    importance: str,
    district: str,
    number: str,
    overdue: bool,
    before_id: int | None,
    limit: int,
) -> list[Appeal]:
    """A page of appeals, newest first. An empty filter (or an unknown status or importance)
    filters nothing; `status` may be `OPEN`; `number` is a part of the number; `overdue` are
    those past their deadline, open or closed late."""
    query = select(Appeal)
    if status == OPEN:
        query = query.where(col(Appeal.status) != Status.CLOSED.value)
    elif status in {s.value for s in Status}:
        query = query.where(Appeal.status == status)
    if importance in {i.value for i in Importance}:
        query = query.where(Appeal.importance == importance)
    if district:
        query = query.where(Appeal.district == district)
    if number:
        query = query.where(col(Appeal.number).contains(number, autoescape=True))
    if overdue:
        query = query.where(
            or_(
                and_(col(Appeal.status) != Status.CLOSED.value, col(Appeal.due_at) < now),
                and_(
                    col(Appeal.status) == Status.CLOSED.value,
                    col(Appeal.closed_at) > col(Appeal.due_at),
                ),
            )
        )
    return newest_first(db, query=query, key=col(Appeal.id), before_id=before_id, limit=limit)


def count_by_status(db: Session) -> dict[str, int]:
    """How many appeals are in each status."""
    return counts_by(db, column=col(Appeal.status))
