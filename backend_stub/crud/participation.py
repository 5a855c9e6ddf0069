"""What polls, initiatives and proposals share: a resident's districts, once-only rows, and
support (one row per resident and target, a `support_count` on the target, a sync-feed row)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, col, delete, select

from backend_stub.crud import feed
from backend_stub.errors import ApiError
from backend_stub.geo import DISTRICT_NAMES, district_for
from backend_stub.models import Address, User


def user_districts(db: Session, *, user: User) -> set[str]:
    """The resident's districts: those of the saved addresses plus the notification choice."""
    found = {d for d in user.notify_districts if d in DISTRICT_NAMES}
    for address in db.exec(select(Address).where(Address.user_id == user.id)).all():
        district = address.district
        if district is None and address.lat is not None and address.lon is not None:
            district = district_for(address.lat, address.lon)
        if district in DISTRICT_NAMES:
            found.add(district)
    return found


def add_once(db: Session, *, row: SQLModel) -> bool:
    """Insert a row guarded by a unique constraint; False (and a rolled-back session) when an
    equal row is already there, e.g. a concurrent twin of the same request won the race.

    Call it before anything else of the transaction is pending: a lost race rolls back all.
    """
    db.add(row)
    try:
        db.flush()
    except IntegrityError:
        db.rollback()
        return False
    return True


@dataclass(frozen=True)
class Support:
    """How residents' support of one kind of target is stored: the target table (with its
    `support_count`), the support table and its column naming the target, the sync entity."""

    target: type[Any]
    rows: type[Any]
    key: str
    feed_entity: str

    def supported_ids(self, db: Session, *, user_id: int, ids: list[int]) -> set[int]:
        """Which of these targets the resident supports."""
        if not ids:
            return set()
        key = col(getattr(self.rows, self.key))
        query = select(key).where(col(self.rows.user_id) == user_id, key.in_(ids))
        return set(db.exec(query).all())

    def add(self, db: Session, *, user_id: int, target_id: int) -> bool:
        """Add the resident's support once; False (and a rolled-back session) when it was
        already there. Nothing is committed."""
        if not add_once(db, row=self.rows(**{self.key: target_id, "user_id": user_id})):
            return False
        self._bump(db, target_id=target_id, delta=+1)
        feed.record(db, user_id=user_id, entity=self.feed_entity, entity_id=target_id)
        return True

    def remove(self, db: Session, *, user_id: int, target_id: int) -> bool:
        """Take the resident's support back; False when there was none. Nothing is committed."""
        gone = db.exec(
            delete(self.rows).where(
                col(getattr(self.rows, self.key)) == target_id,
                col(self.rows.user_id) == user_id,
            )
        )
        if not gone.rowcount:
            return False
        self._bump(db, target_id=target_id, delta=-1)
        feed.record(db, user_id=user_id, entity=self.feed_entity, entity_id=target_id)
        return True

    def give(self, db: Session, *, user_id: int, target: Any, refusal: str | None) -> Any:
        """Support `target` once (supporting again changes nothing) and read it back, its
        `support_count` as stored. `refusal`: the 409's code when the target takes no new
        support (None when it does). Nothing is committed."""
        if not self.supported_ids(db, user_id=user_id, ids=[target.id]):
            if refusal is not None:
                raise ApiError(409, refusal)
            self.add(db, user_id=user_id, target_id=target.id)
        db.refresh(target)
        return target

    def take_back(self, db: Session, *, user_id: int, target: Any) -> Any:
        """Take the resident's support back (twice changes nothing) and read the target back.
        Nothing is committed."""
        self.remove(db, user_id=user_id, target_id=target.id)
        db.refresh(target)
        return target

    def _bump(self, db: Session, *, target_id: int, delta: int) -> None:
        db.exec(
            update(self.target)
            .where(col(self.target.id) == target_id)
            .values(support_count=col(self.target.support_count) + delta)
        )
