"""Who gets an alert: where a resident is known to be (saved addresses, the last known
position, the districts chosen for notifications) and why a message concerns them.

A resident gets an alert when a saved address or the last known position lies in one of its
polygons or circles, or one of the resident's districts is listed. An alert listing every
district of the city reaches everyone, even residents who told us nothing about where they are.
Targeting is applied when a resident reads (`current_for_user`, the sync loader), so the feed
stays cheap.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from backend_stub.crud import feed
from backend_stub.crud.alerts import PUBLIC_STATUSES, current
from backend_stub.geo import (
    ASTANA_DISTRICTS,
    Circle,
    district_for,
    point_in_circle,
    point_in_polygon,
)
from backend_stub.models import Address, Alert, LastPosition, User, utcnow


@dataclass
class Whereabouts:
    """Where a resident is known to be: points (reason, lat, lon) and districts."""

    points: list[tuple[str, float, float]] = field(default_factory=list)
    districts: list[str] = field(default_factory=list)

    def add_district(self, code: str | None) -> None:
        if code and code in ASTANA_DISTRICTS and code not in self.districts:
            self.districts.append(code)


def whereabouts(db: Session, *, user: User) -> Whereabouts:
    addresses = db.exec(
        select(Address).where(Address.user_id == user.id).order_by(col(Address.id))
    ).all()
    position = db.get(LastPosition, user.id) if user.id is not None else None
    return _whereabouts_of(user, addresses, position)


def _whereabouts_of(
    user: User, addresses: Sequence[Address], position: LastPosition | None
) -> Whereabouts:
    where = Whereabouts()
    for a in addresses:
        if a.lat is not None and a.lon is not None:
            where.points.append((f"address:{a.id}", a.lat, a.lon))
            where.add_district(a.district or district_for(a.lat, a.lon))
        else:
            where.add_district(a.district)
    if position is not None:
        where.points.append(("position", position.lat, position.lon))
        where.add_district(district_for(position.lat, position.lon))
    for code in user.notify_districts or []:
        where.add_district(code)
    return where


def reasons(alert: Alert, where: Whereabouts) -> list[str]:
    """Why this resident gets the alert; empty when it is not for them."""
    return _reasons_in(alert.areas, where)


def _reasons_in(areas: list[dict[str, Any]], where: Whereabouts) -> list[str]:
    out: list[str] = []
    listed: set[str] = set()
    for area in areas:
        rings = [[(p[0], p[1]) for p in ring] for ring in area["polygons"]]
        circles = [Circle(c[0], c[1], c[2]) for c in area["circles"]]
        for reason, lat, lon in where.points:
            if reason in out:
                continue
            if any(point_in_polygon(lat, lon, r) for r in rings) or any(
                point_in_circle(lat, lon, c) for c in circles
            ):
                out.append(reason)
        listed.update(area["districts"])
    out += [f"district:{code}" for code in where.districts if code in listed]
    if listed >= set(ASTANA_DISTRICTS):
        out.append("city")
    return out


def reach(db: Session, *, areas: list[dict[str, Any]]) -> int:
    """How many residents an alert over `areas` reaches, by what is known now of where they
    are (what the console tells an operator before an alert is sent)."""
    addresses: dict[int, list[Address]] = defaultdict(list)
    for a in db.exec(select(Address).order_by(col(Address.id))).all():
        addresses[a.user_id].append(a)
    positions = {p.user_id: p for p in db.exec(select(LastPosition)).all()}
    residents = db.exec(select(User).where(User.role == "resident")).all()
    return sum(
        1
        for u in residents
        if u.id is not None
        and _reasons_in(areas, _whereabouts_of(u, addresses[u.id], positions.get(u.id)))
    )


def current_for_user(
    db: Session, *, user: User, now: datetime | None = None
) -> list[tuple[Alert, list[str]]]:
    where = whereabouts(db, user=user)
    matched = [(a, reasons(a, where)) for a in current(db, now=now)]
    return [(a, why) for a, why in matched if why]


def for_user_by_identifiers(
    db: Session, *, user: User, identifiers: Sequence[str]
) -> list[tuple[Alert, list[str]]]:
    """The given messages that concern this resident, in any state (for the sync feed)."""
    if not identifiers:
        return []
    rows = db.exec(
        select(Alert)
        .where(col(Alert.identifier).in_(list(identifiers)))
        .where(col(Alert.status).in_(PUBLIC_STATUSES))
        .order_by(col(Alert.id))
    ).all()
    where = whereabouts(db, user=user)
    matched = [(a, reasons(a, where)) for a in rows]
    return [(a, why) for a, why in matched if why]


def set_position(
    db: Session, *, user: User, lat: float, lon: float, accuracy_m: float | None
) -> tuple[LastPosition, list[str]]:
    """Remember where the resident is; alerts this puts them into reach them through the feed.

    Returns the position and the identifiers of current alerts that now concern them.
    """
    assert user.id is not None
    now = utcnow()
    before = {a.identifier for a, _ in current_for_user(db, user=user, now=now)}
    position = db.get(LastPosition, user.id) or LastPosition(user_id=user.id, lat=0, lon=0)
    position.lat, position.lon, position.accuracy_m = lat, lon, accuracy_m
    position.at = now
    db.add(position)
    db.flush()
    after = [a.identifier for a, _ in current_for_user(db, user=user, now=now)]
    for identifier in after:
        if identifier not in before:
            feed.record(db, user_id=user.id, entity="alert", entity_id=identifier)
    return position, after


def forget_position(db: Session, *, user: User) -> None:
    position = db.get(LastPosition, user.id) if user.id is not None else None
    if position is not None:
        db.delete(position)
