"""Notices (advance notification): publish, edit, withdraw, and list by scope, district, topic.

A notice touches the districts an operator chose plus those its area (a circle) covers; those
are kept in `NoticeDistrict` rows so the list filters in SQL. A notice with neither districts
nor an area is city-wide and matches every district. Every publish, edit and withdrawal goes to
the public sync feed (entity "notice"); the app filters by its own preferences.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, delete, or_
from sqlmodel import Session, col, select

from backend_stub.crud import feed
from backend_stub.errors import ApiError
from backend_stub.geo import ASTANA_DISTRICTS, EARTH_RADIUS_M, district_for
from backend_stub.models import Address, Notice, NoticeDistrict, User, utcnow
from backend_stub.notice_topics import TOPICS, is_topic
from backend_stub.schemas.notices import BODY_MAX, TITLE_MAX, AreaIn, NoticeIn, NoticeOut
from backend_stub.text import clean_text

FEED_ENTITY = "notice"
ASTANA = ZoneInfo("Asia/Almaty")  # the city's wall clock, for the demo's "today at 07:30"


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


@dataclass(frozen=True)
class CleanNotice:
    kind: str
    topic: str
    title_kk: str
    title_ru: str
    body_kk: str
    body_ru: str
    districts: list[str]
    area: AreaIn | None
    starts_at: datetime
    ends_at: datetime | None


def clean(data: NoticeIn, default_start: datetime) -> CleanNotice:
    """Everything checked before anything is written: 422 with the reason otherwise."""
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
    return CleanNotice(
        kind=data.kind,
        topic=data.topic,
        title_kk=clean_text(data.title_kk, max_len=TITLE_MAX, field="title_kk"),
        title_ru=clean_text(data.title_ru, max_len=TITLE_MAX, field="title_ru"),
        body_kk=clean_text(data.body_kk, max_len=BODY_MAX, field="body_kk"),
        body_ru=clean_text(data.body_ru, max_len=BODY_MAX, field="body_ru"),
        districts=districts,
        area=data.area,
        starts_at=starts,
        ends_at=ends,
    )


# ---------------------------------------------------------------- writes


def _apply(db: Session, notice: Notice, data: CleanNotice) -> None:
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
    feed.record(db, None, FEED_ENTITY, notice.id)


def publish(
    db: Session, author: User | None, data: NoticeIn, *, external_ref: str | None = None
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
    _apply(db, notice, checked)
    return notice


def edit(db: Session, notice: Notice, data: NoticeIn) -> Notice:
    """Replace a published notice's content; a withdrawn one stays as it was (409)."""
    if notice.state == "withdrawn":
        raise ApiError(409, "notice_withdrawn")
    _apply(db, notice, clean(data, notice.starts_at))
    return notice


def withdraw(db: Session, notice: Notice) -> Notice:
    """Withdraw (it moves to the archive). Withdrawing again changes nothing."""
    if notice.state == "withdrawn":
        return notice
    notice.state = "withdrawn"
    notice.withdrawn_at = notice.updated_at = utcnow()
    db.add(notice)
    assert notice.id is not None
    feed.record(db, None, FEED_ENTITY, notice.id)
    return notice


# ---------------------------------------------------------------- reads


def get(db: Session, notice_id: int) -> Notice:
    notice = db.get(Notice, notice_id)
    if notice is None:
        raise ApiError(404, "not_found")
    return notice


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
    if before_id:
        query = query.where(col(Notice.id) < before_id)
    return list(db.exec(query.order_by(col(Notice.id).desc()).limit(limit)).all())


def resident_districts(db: Session, user: User) -> set[str]:
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


def notice_out(notice: Notice, now: datetime | None = None) -> NoticeOut:
    assert notice.id is not None
    area = None
    if notice.area_lat is not None and notice.area_lon is not None and notice.area_radius_m:
        area = AreaIn(lat=notice.area_lat, lon=notice.area_lon, radius_m=notice.area_radius_m)
    return NoticeOut(
        id=notice.id,
        kind=notice.kind,
        topic=notice.topic,
        title_kk=notice.title_kk,
        title_ru=notice.title_ru,
        body_kk=notice.body_kk,
        body_ru=notice.body_ru,
        districts=list(notice.districts),
        area=area,
        city_wide=notice.city_wide,
        starts_at=notice.starts_at,
        ends_at=notice.ends_at,
        state=notice.state,
        active=is_active(notice, now or utcnow()),
        created_at=notice.created_at,
        updated_at=notice.updated_at,
        withdrawn_at=notice.withdrawn_at,
    )


def sync_rows(db: Session, user: User, ids: list[str], *, lang: str) -> list[dict[str, Any]]:
    """Sync loader: the current state of changed notices, withdrawn ones included (so the app
    can drop them). Every resident gets every notice; the app applies its own preferences."""
    wanted = [int(i) for i in ids if i.isdigit()]
    rows = db.exec(select(Notice).where(col(Notice.id).in_(wanted))).all()
    now = utcnow()
    return [notice_out(n, now).model_dump(mode="json") for n in rows]


def topic_list() -> list[tuple[str, str, str]]:
    return [(code, names["kk"], names["ru"]) for code, names in TOPICS.items()]


# ---------------------------------------------------------------- demo


@dataclass(frozen=True)
class DemoNotice:
    ref: str
    data: NoticeIn
    withdrawn: bool = False


def _at(day: datetime, days: int, hour: int, minute: int = 0) -> datetime:
    """`days` after `day` (Astana calendar) at hour:minute Astana time."""
    local = day.astimezone(ASTANA).date() + timedelta(days=days)
    return datetime.combine(local, time(hour, minute), tzinfo=ASTANA)


def demo_notices(now: datetime) -> list[DemoNotice]:
    return [
        DemoNotice(
            "demo-notice-water-yesil",
            NoticeIn(
                kind="emergency",
                topic="water",
                title_kk="Есіл ауданында апатқа байланысты суық су берілмейді",
                title_ru="Аварийное отключение холодной воды в районе Есиль",
                body_kk="Қабанбай батыр даңғылы мен Сығанақ көшесінің қиылысында су құбыры "
                "жарылды. Қабанбай батыр даңғылы, 11–21 және Сығанақ көшесі, 14–18 үйлерінде "
                "суық су уақытша берілмейді. «Астана Су Арнасы» апаттық бригадасы орында жұмыс "
                "істеп жатыр. Ауыз су Қабанбай батыр даңғылы, 15 үйдің ауласына жеткізіледі. "
                "Су беру ертең сағат 18:00-ге дейін қалпына келтіріледі.",
                body_ru="На пересечении пр. Кабанбай батыра и ул. Сыганак произошёл порыв "
                "водовода. В домах по пр. Кабанбай батыра, 11–21 и ул. Сыганак, 14–18 временно "
                "нет холодной воды. Аварийная бригада «Астана Су Арнасы» работает на месте. "
                "Питьевую воду подвозят во двор дома по пр. Кабанбай батыра, 15. Подачу воды "
                "восстановят до 18:00 завтрашнего дня.",
                districts=["yesil"],
                area=AreaIn(lat=51.0950, lon=71.4180, radius_m=600),
                starts_at=min(_at(now, 0, 7, 30), now),
                ends_at=_at(now, 1, 18),
            ),
        ),
        DemoNotice(
            "demo-notice-heating-tests",
            NoticeIn(
                kind="planned",
                topic="heating",
                title_kk="Жылу желілерін жоспарлы сынау: ыстық су болмайды",
                title_ru="Плановые испытания тепловых сетей: отключение горячей воды",
                body_kk="«Астана-Теплотранзит» АҚ жылу магистралін гидравликалық сынақтан "
                "өткізеді. Жұмыс кезінде Сарыарқа және Байқоңыр аудандарындағы үйлерде "
                "(Бейбітшілік, Кенесары, Жұбанов көшелері, Бөгенбай батыр даңғылы) ыстық су "
                "берілмейді. Алдын ала су жинап алуды және ыстық су крандарын ашық "
                "қалдырмауды сұраймыз.",
                body_ru="АО «Астана-Теплотранзит» проводит гидравлические испытания "
                "тепломагистрали. На время работ в домах районов Сарыарка и Байконур (улицы "
                "Бейбитшилик, Кенесары, Жубанова, пр. Богенбай батыра) не будет горячей воды. "
                "Просим заранее запастись водой и не оставлять открытыми краны горячей воды.",
                districts=["saryarka", "baikonur"],
                starts_at=_at(now, 3, 9),
                ends_at=_at(now, 5, 18),
            ),
        ),
        DemoNotice(
            "demo-notice-city-day",
            NoticeIn(
                kind="event",
                topic="events",
                title_kk="Елорда күні: «Қазақ Елі» алаңында мерекелік концерт",
                title_ru="День столицы: праздничный концерт на площади «Қазақ Елі»",
                body_kk="Елорда тұрғындары мен қонақтарын Елорда күніне арналған мерекелік "
                "концертке шақырамыз. Басталуы — 19:00, 22:30-да мерекелік салют. 16:00-ден "
                "24:00-ге дейін алаң маңындағы Тәуелсіздік даңғылында көлік қозғалысы "
                "шектеледі, кейбір автобус бағыттары уақытша өзгереді.",
                body_ru="Приглашаем жителей и гостей столицы на праздничный концерт ко Дню "
                "столицы. Начало в 19:00, в 22:30 — праздничный салют. С 16:00 до 24:00 у "
                "площади будет ограничено движение по пр. Тауелсиздик, часть автобусных "
                "маршрутов временно изменит схему движения.",
                starts_at=_at(now, 6, 16),
                ends_at=_at(now, 7, 0),
            ),
        ),
        DemoNotice(
            "demo-notice-power-almaty",
            NoticeIn(
                kind="planned",
                topic="power",
                title_kk="Алматы ауданында электр қуатын жоспарлы өшіру",
                title_ru="Плановое отключение электроэнергии в районе Алматы",
                body_kk="«Астана-РЭК» АҚ трансформаторлық қосалқы станцияны жөндейді. "
                "10:00-ден 17:00-ге дейін Абылай хан даңғылы, 2–12 және Жұмабаев көшесі, 1–9 "
                "үйлерінде электр қуаты болмайды.",
                body_ru="АО «Астана-РЭК» ремонтирует трансформаторную подстанцию. С 10:00 до "
                "17:00 в домах по пр. Абылай хана, 2–12 и ул. Жумабаева, 1–9 не будет "
                "электроэнергии.",
                districts=["almaty"],
                starts_at=_at(now, -8, 10),
                ends_at=_at(now, -8, 17),
            ),
        ),
        DemoNotice(
            "demo-notice-road-nura",
            NoticeIn(
                kind="planned",
                topic="roads",
                title_kk="Ұлы Дала даңғылын жөндеу: қозғалыс шектеледі",
                title_ru="Ремонт пр. Улы Дала: ограничение движения",
                body_kk="Үш түн бойы 22:00-ден 06:00-ге дейін Ұлы Дала даңғылының Түркістан "
                "көшесіне қарай бағыттағы оң жақ жолағы жабылады. Жүргізушілерден айналма "
                "жолды алдын ала таңдауды сұраймыз.",
                body_ru="Три ночи подряд с 22:00 до 06:00 будет закрыта правая полоса пр. Улы "
                "Дала в сторону ул. Туркестан. Просим водителей заранее выбирать пути "
                "объезда.",
                districts=["nura"],
                starts_at=_at(now, 2, 22),
                ends_at=_at(now, 5, 6),
            ),
            withdrawn=True,
        ),
    ]


def seed_notices(db: Session) -> int:
    """Publish the demo notices that are missing (found by external_ref); returns how many."""
    now = utcnow()
    added = 0
    for spec in demo_notices(now):
        if db.exec(select(Notice.id).where(Notice.external_ref == spec.ref)).first() is not None:
            continue
        notice = publish(db, None, spec.data, external_ref=spec.ref)
        notice.created_at = notice.updated_at = min(notice.starts_at - timedelta(days=1), now)
        if spec.withdrawn:
            withdraw(db, notice)
        db.add(notice)
        db.commit()
        added += 1
    return added
