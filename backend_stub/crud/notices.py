"""Notices (advance notification): publish, edit, withdraw, and list by scope, district, topic.

A notice touches the districts an operator chose plus those its area (a circle) covers; those
are kept in `NoticeDistrict` rows so the list filters in SQL. A notice with neither districts
nor an area is city-wide and matches every district. Every publish, edit and withdrawal goes to
the public sync feed (entity "notice"); the app filters by its own preferences.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, and_, delete, or_
from sqlmodel import Session, col, select

from backend_stub.crud import feed
from backend_stub.crud.records import get_or_404, newest_first
from backend_stub.errors import ApiError
from backend_stub.geo import ASTANA_DISTRICTS, EARTH_RADIUS_M, district_for
from backend_stub.models import Address, Notice, NoticeDistrict, User, utcnow
from backend_stub.notice_topics import TOPICS, is_topic
from backend_stub.schemas.notices import BODY_MAX, TITLE_MAX, NoticeIn
from backend_stub.text import clean_text

FEED_ENTITY = "notice"


# ---------------------------------------------------------------- validation and geometry


def area_districts(lat: float, lon: float, radius_m: float) -> set[str]:
    """Districts a circle covers: those of its centre and of 16 points on two inner rings."""
    found = {district_for(lat, lon)}
    for fraction in (0.5, 1.0):
        dist = radius_m * fraction
        for step in range(8):
            bearing = math.radians(step * 45)
            dlat = math.degrees(dist * math.cos(bearing) / EARTH_RADIUS_M)
            dlon = math.degrees(
                dist * math.sin(bearing) / (EARTH_RADIUS_M * max(math.cos(math.radians(lat)), 1e-6))
            )
            found.add(district_for(lat + dlat, lon + dlon))
    return {d for d in found if d is not None}


def check_district(code: str) -> str:
    if code not in ASTANA_DISTRICTS:
        raise ApiError(422, "unknown_district", details={"district": code})
    return code


def check_topic(code: str) -> str:
    if not is_topic(code):
        raise ApiError(422, "unknown_topic", details={"topic": code})
    return code


def clean(data: NoticeIn, default_start: datetime) -> NoticeIn:
    """Everything checked before anything is written: 422 with the reason otherwise. The
    checked copy has its texts cleaned, districts once each, and its period (in UTC) set."""
    check_topic(data.topic)
    districts: list[str] = []
    for code in data.districts:
        if check_district(code) not in districts:
            districts.append(code)
    if data.area is not None and district_for(data.area.lat, data.area.lon) is None:
        raise ApiError(422, "outside_city", details={"field": "area"})
    starts = (data.starts_at or default_start).astimezone(UTC)
    ends = data.ends_at.astimezone(UTC) if data.ends_at is not None else None
    if ends is not None and ends <= starts:
        raise ApiError(422, "notice_bad_period")
    return data.model_copy(
        update={
            "title_kk": clean_text(data.title_kk, max_len=TITLE_MAX, field="title_kk"),
            "title_ru": clean_text(data.title_ru, max_len=TITLE_MAX, field="title_ru"),
            "body_kk": clean_text(data.body_kk, max_len=BODY_MAX, field="body_kk"),
            "body_ru": clean_text(data.body_ru, max_len=BODY_MAX, field="body_ru"),
            "districts": districts,
            "starts_at": starts,
            "ends_at": ends,
        }
    )


# ---------------------------------------------------------------- writes


def _apply(db: Session, *, notice: Notice, data: NoticeIn) -> None:
    """Write checked content (`clean`) onto the notice, its districts, and the feed."""
    assert data.starts_at is not None
    notice.kind = data.kind
    notice.topic = data.topic
    notice.title_kk, notice.title_ru = data.title_kk, data.title_ru
    notice.body_kk, notice.body_ru = data.body_kk, data.body_ru
    notice.districts = list(data.districts)
    area = data.area
    notice.area_lat = area.lat if area else None
    notice.area_lon = area.lon if area else None
    notice.area_radius_m = area.radius_m if area else None
    notice.city_wide = not data.districts and area is None
    notice.starts_at, notice.ends_at = data.starts_at, data.ends_at
    notice.updated_at = utcnow()
    db.add(notice)
    db.flush()
    assert notice.id is not None
    touched = set(data.districts)
    if area is not None:
        touched |= area_districts(area.lat, area.lon, area.radius_m)
    db.execute(delete(NoticeDistrict).where(col(NoticeDistrict.notice_id) == notice.id))
    for code in sorted(touched):
        db.add(NoticeDistrict(notice_id=notice.id, district=code))
    feed.record(db, user_id=None, entity=FEED_ENTITY, entity_id=notice.id)


def publish(
    db: Session, *, author: User | None, data: NoticeIn, external_ref: str | None = None
) -> Notice:
    checked = clean(data, utcnow())
    notice = Notice(
        external_ref=external_ref,
        author_id=author.id if author else None,
        kind=checked.kind,
        topic=checked.topic,
        title_kk="",
        title_ru="",
        body_kk="",
        body_ru="",
    )
    _apply(db, notice=notice, data=checked)
    return notice


def edit(db: Session, *, notice: Notice, data: NoticeIn) -> Notice:
    """Replace a published notice's content; a withdrawn one stays as it was (409)."""
    if notice.state == "withdrawn":
        raise ApiError(409, "notice_withdrawn")
    _apply(db, notice=notice, data=clean(data, notice.starts_at))
    return notice


def withdraw(db: Session, *, notice: Notice) -> Notice:
    """Withdraw (it moves to the archive). Withdrawing again changes nothing."""
    if notice.state == "withdrawn":
        return notice
    notice.state = "withdrawn"
    notice.withdrawn_at = notice.updated_at = utcnow()
    db.add(notice)
    assert notice.id is not None
    feed.record(db, user_id=None, entity=FEED_ENTITY, entity_id=notice.id)
    return notice


# ---------------------------------------------------------------- reads


def get(db: Session, *, notice_id: int) -> Notice:
    return get_or_404(db, model=Notice, key=notice_id)


def is_active(notice: Notice, now: datetime) -> bool:
    return notice.state == "published" and (notice.ends_at is None or notice.ends_at > now)


def _scope_clause(scope: str, now: datetime) -> ColumnElement[bool] | None:
    ends = col(Notice.ends_at)
    if scope == "active":
        return and_(col(Notice.state) == "published", or_(ends.is_(None), ends > now))
    if scope == "archive":
        return or_(col(Notice.state) == "withdrawn", and_(ends.is_not(None), ends <= now))
    return None


def _in_districts(codes: set[str]) -> ColumnElement[bool]:
    touching = select(NoticeDistrict.notice_id).where(col(NoticeDistrict.district).in_(codes))
    return or_(col(Notice.city_wide).is_(True), col(Notice.id).in_(touching))


def list_notices(
    db: Session,
    *,
    scope: str,
    district_sets: Sequence[set[str]] = (),
    topic_sets: Sequence[set[str]] = (),
    kind: str | None = None,
    before_id: int | None = None,
    limit: int = 30,
    now: datetime | None = None,
) -> list[Notice]:
    """Newest first. Each district set and each topic set narrows the list (an AND of ORs)."""
    query = select(Notice)
    clause = _scope_clause(scope, now or utcnow())
    if clause is not None:
        query = query.where(clause)
    for codes in district_sets:
        query = query.where(_in_districts(codes))
    for topics in topic_sets:
        query = query.where(col(Notice.topic).in_(topics))
    if kind:
        query = query.where(Notice.kind == kind)
    return newest_first(db, query=query, key=col(Notice.id), before_id=before_id, limit=limit)


def resident_districts(db: Session, *, user: User) -> set[str]:
    """The resident's territory: districts of saved addresses (by point if not named) and the
    districts chosen in the profile."""
    codes = {d for d in user.notify_districts if d in ASTANA_DISTRICTS}
    for address in db.exec(select(Address).where(Address.user_id == user.id)).all():
        if address.district in ASTANA_DISTRICTS:
            codes.add(address.district)
        elif address.lat is not None and address.lon is not None:
            found = district_for(address.lat, address.lon)
            if found:
                codes.add(found)
    return codes


def resident_topics(user: User) -> set[str]:
    """Chosen topics; empty means every topic."""
    return {t for t in user.notify_topics if is_topic(t)}


def notices_by_ids(db: Session, *, ids: list[int]) -> list[Notice]:
    return list(db.exec(select(Notice).where(col(Notice.id).in_(ids))).all())


def external_ref_taken(db: Session, *, ref: str) -> bool:
    """Whether a notice came in with this upstream id already."""
    return db.exec(select(Notice.id).where(Notice.external_ref == ref)).first() is not None


def topic_list() -> list[tuple[str, str, str]]:
    return [(code, names["kk"], names["ru"]) for code, names in TOPICS.items()]
