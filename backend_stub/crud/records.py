"""What every kind of record shares: one row by its primary key (or None, or the API's 404), and
one page of a list, newest first (keyset pagination by id); how many rows have each value of a
column."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import func
from sqlalchemy.orm import Mapped
from sqlmodel import Session, SQLModel, select
from sqlmodel.sql.expression import SelectOfScalar

from backend_stub.errors import ApiError

Row = TypeVar("Row", bound=SQLModel)


def by_key(db: Session, *, model: type[Row], key: int | str) -> Row | None:
    """The row of `model` with this primary key, or None."""
    return db.get(model, key)


def get_or_404(db: Session, *, model: type[Row], key: int | str) -> Row:
    """The row of `model` with this primary key; ApiError 404 `not_found` when there is none."""
    row = by_key(db, model=model, key=key)
    if row is None:
        raise ApiError(404, "not_found")
    return row


def newest_first(
    db: Session,
    *,
    query: SelectOfScalar[Row],
    key: Mapped[int | None],
    before_id: int | None,
    limit: int,
) -> list[Row]:
    """One page of `query`, newest (highest `key`) first, below `before_id` when given."""
    if before_id:
        query = query.where(key < before_id)
    return list(db.exec(query.order_by(key.desc()).limit(limit)).all())


def counts_by(db: Session, *, column: Mapped[str]) -> dict[str, int]:
    """How many rows have each value of `column` (a value no row has is left out)."""
    return dict(db.exec(select(column, func.count()).group_by(column)).all())
