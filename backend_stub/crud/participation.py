"""What polls, initiatives and proposals share: a resident's districts, once-only rows."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, select

from backend_stub.geo import DISTRICT_NAMES, district_for
from backend_stub.models import Address, User


def user_districts(db: Session, user: User) -> set[str]:
    """The resident's districts: those of the saved addresses plus the notification choice."""
    found = {d for d in user.notify_districts if d in DISTRICT_NAMES}
    for address in db.exec(select(Address).where(Address.user_id == user.id)).all():
        district = address.district
        if district is None and address.lat is not None and address.lon is not None:
            district = district_for(address.lat, address.lon)
        if district in DISTRICT_NAMES:
            found.add(district)
    return found


def add_once(db: Session, row: SQLModel) -> bool:
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
