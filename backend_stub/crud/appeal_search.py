"""Appeals as the operator's console finds them: filtered, sorted (by deadline, importance or
newest) and paged by keyset, counted by status, and the floor's live figures (`floor`).

The deadline order is the operator's: open appeals first, the overdue ones at the top (their
deadline is the earliest), then by time left (Appendix 5: 24 h, 72 h, 10 days); closed appeals
after them. The importance order: open first, high, medium, standard, each by deadline. A page
of either continues after the last row's sort values (`Cursor`), so rows neither repeat nor go
missing while appeals change; newest first pages by id (`records.newest_first`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from backend_stub.crud.records import counts_by, newest_first
from backend_stub.models import Appeal, Message
from backend_stub.statuses import Importance, Status

OPEN = "open"  # the status filter for every appeal not closed
SORTS = ("deadline", "importance", "newest")
RANKS = {Importance.HIGH.value: 0, Importance.MEDIUM.value: 1, Importance.STANDARD.value: 2}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Cursor:
    """Where a page of the deadline or importance order ends: the last row's sort values."""

    closed: int
    rank: int
    due_at: datetime
    id: int

    @classmethod
    def after(cls, appeal: Appeal) -> Cursor:
        assert appeal.id is not None
        closed = int(appeal.status == Status.CLOSED.value)
        return cls(closed, RANKS.get(appeal.importance, len(RANKS)), appeal.due_at, appeal.id)

    def token(self) -> str:
        micros = (self.due_at - _EPOCH) // timedelta(microseconds=1)
        return f"{self.closed}.{self.rank}.{micros}.{self.id}"

    @classmethod
    def parse(cls, token: str) -> Cursor:
        """The cursor a `token()` wrote; ValueError for anything else."""
        closed, rank, micros, row_id = (int(part) for part in token.split("."))
        if closed not in (0, 1) or not 0 <= rank <= len(RANKS) or row_id < 1:
            raise ValueError(token)
        return cls(closed, rank, _EPOCH + timedelta(microseconds=micros), row_id)


def _closed_key() -> Any:
    return case((col(Appeal.status) == Status.CLOSED.value, 1), else_=0)


def _rank_key() -> Any:
    return case(
        *((col(Appeal.importance) == code, rank) for code, rank in RANKS.items()),
        else_=len(RANKS),
    )


def _sorted_page(
    db: Session, query: SelectOfScalar[Appeal], sort: str, after: Cursor | None, limit: int
) -> list[Appeal]:
    """One page in the deadline or importance order, after `after` when given."""
    keys = [_closed_key(), _rank_key(), col(Appeal.due_at), col(Appeal.id)]
    values: list[Any] = [] if after is None else [after.closed, after.rank, after.due_at, after.id]
    if sort == "deadline":  # importance plays no part
        keys.pop(1)
        values = values[:1] + values[2:]
    if values:  # (k1, k2, …) > (v1, v2, …), spelt out so each value is bound with its type
        query = query.where(
            or_(
                *(
                    and_(
                        *(k == v for k, v in zip(keys[:i], values[:i], strict=True)),
                        keys[i] > values[i],
                    )
                    for i in range(len(keys))
                )
            )
        )
    return list(db.exec(query.order_by(*keys).limit(limit)).all())


def search(
    db: Session,
    *,
    now: datetime,
    status: str,
    importance: str,
    district: str,
    number: str,
    overdue: bool,
    sort: str = "newest",
    before_id: int | None = None,
    after: Cursor | None = None,
    limit: int,
    body: str | None = None,
) -> list[Appeal]:
    """A page of appeals in the `sort` order (`SORTS`; newest first pages by `before_id`, the
    others by `after`). An empty filter (or an unknown status or importance) filters nothing;
    `status` may be `OPEN`; `number` is a part of the number; `overdue` are those past their
    deadline, open or closed late; `body`: only the appeals routed to that responsible body
    (an executor's list)."""
    query = select(Appeal).where(*_of_body(body))
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
    if sort in {"deadline", "importance"}:
        return _sorted_page(db, query, sort, after, limit)
    return newest_first(db, query=query, key=col(Appeal.id), before_id=before_id, limit=limit)


def _of_body(body: str | None) -> list[ColumnElement[bool]]:
    """The condition "routed to `body`" (none when `body` is None: every appeal)."""
    return [] if body is None else [col(Appeal.service_code) == body]


def count_by_status(db: Session, *, body: str | None = None) -> dict[str, int]:
    """How many appeals are in each status (of one responsible body's, if `body`)."""
    if body is None:
        return counts_by(db, column=col(Appeal.status))
    rows = db.exec(
        select(Appeal.status, func.count()).where(*_of_body(body)).group_by(col(Appeal.status))
    ).all()
    return {str(status): int(n) for status, n in rows}


@dataclass(frozen=True)
class Floor:
    """The floor's live figures: appeals waiting to be taken (`created`), open appeals past
    their deadline, and a stamp that changes whenever an appeal or a chat message does."""

    new: int
    overdue: int
    stamp: str


def floor(db: Session, *, now: datetime, body: str | None = None) -> Floor:
    """The figures of every appeal, or of one responsible body's (an executor's floor)."""
    is_open = col(Appeal.status) != Status.CLOSED.value
    new, overdue, total, changed = db.exec(
        select(
            func.count().filter(col(Appeal.status) == Status.CREATED.value),
            func.count().filter(and_(is_open, col(Appeal.due_at) < now)),
            func.count(),
            func.max(col(Appeal.updated_at)),
        ).where(*_of_body(body))
    ).one()
    last_message = db.exec(select(func.max(col(Message.id)))).one()
    return Floor(int(new), int(overdue), f"{total}:{changed}:{last_message or 0}")
