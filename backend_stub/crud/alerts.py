"""Emergency alerts: publish, update and cancel CAP messages, and decide who gets them.

Publishing checks everything before anything is stored (both languages, closed and simple
polygons, circles, districts, times), and the rendered CAP XML is validated against the
official schema inside the same transaction. Every new message goes to the sync feed as a
public `alert` row; targeting is applied when a resident reads (`current_for_user`, the sync
loader), so the feed stays cheap.

A resident gets an alert when a saved address or the last known position lies in one of its
polygons or circles, or one of the resident's districts (of those addresses and that position,
and the districts chosen for notifications) is listed. An alert listing every district of the
city reaches everyone, even residents who told us nothing about where they are.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from backend_stub.crud import feed
from backend_stub.errors import ApiError
from backend_stub.geo import (
    ASTANA_DISTRICTS,
    Circle,
    GeometryError,
    district_for,
    parse_circle,
    parse_polygon,
    point_in_circle,
    point_in_polygon,
)
from backend_stub.models import Address, Alert, LastPosition, User, utcnow
from backend_stub.schemas.alerts import (
    AlertAreaIn,
    AlertAreaOut,
    AlertIn,
    AlertOut,
    AlertStateLit,
    AlertTextOut,
    CircleOut,
    PositionIn,
)
from backend_stub.services import cap
from backend_stub.text import clean_text

SENDER = "109.astana.kz"
IDENTIFIER_PREFIX = "kz.astana.109"
LANGS = ("kk", "ru")
PUBLIC_STATUSES = ("Actual", "Exercise")  # Test, System and Draft never reach residents
SENDER_NAMES = {
    "kk": "Астана қаласының 109 байланыс орталығы",
    "ru": "Контакт-центр 109 города Астаны",
}
DEFAULT_CONTACT = {
    "kk": "109 — қалалық байланыс орталығы; 112 — бірыңғай құтқару қызметі",
    "ru": "109 — городской контакт-центр; 112 — единая служба спасения",
}
TEXT_LIMITS = {
    "event": 200,
    "headline": 200,
    "description": 4000,
    "instruction": 4000,
    "sender_name": 200,
    "contact": 300,
}


def _now() -> datetime:
    return utcnow().replace(microsecond=0)


def _field_error(field_name: str) -> ApiError:
    return ApiError(
        422,
        "validation_error",
        details={"fields": [{"loc": ["body", *field_name.split(".")], "type": "value_error"}]},
    )


def _by_language(values: dict[str, Any], where: str) -> dict[str, Any]:
    """{"kk": .., "ru": ..} from keys like kk / kk-KZ / ru-RU; both required, no others."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        lang = key.strip().lower().split("-")[0]
        if lang not in LANGS or lang in out:
            raise _field_error(f"{where}.{key}")
        out[lang] = value
    missing = [lang for lang in LANGS if lang not in out]
    if missing:
        raise ApiError(422, "alert_language_missing", details={"field": where, "missing": missing})
    return out


def _texts(body: AlertIn) -> dict[str, dict[str, Any]]:
    texts: dict[str, dict[str, Any]] = {}
    for lang, text in _by_language(dict(body.texts), "texts").items():
        raw = text.model_dump()
        raw["sender_name"] = raw["sender_name"] or SENDER_NAMES[lang]
        raw["contact"] = raw["contact"] or DEFAULT_CONTACT[lang]
        texts[lang] = {
            name: clean_text(raw[name], max_len=limit, field=f"texts.{lang}.{name}")
            for name, limit in TEXT_LIMITS.items()
        }
    return texts


def _area(area: AlertAreaIn, index: int) -> dict[str, Any]:
    where = f"areas[{index}]"
    desc = {
        lang: clean_text(text, max_len=300, field=f"{where}.desc.{lang}")
        for lang, text in _by_language(area.desc, f"{where}.desc").items()
    }
    polygons: list[list[list[float]]] = []
    circles: list[list[float]] = []
    for kind, items in (("polygons", area.polygons), ("circles", area.circles)):
        for j, item in enumerate(items):
            try:
                if kind == "polygons":
                    polygons.append([[lat, lon] for lat, lon in parse_polygon(item)])
                else:
                    c = parse_circle(item)
                    circles.append([c.lat, c.lon, c.radius_km])
            except GeometryError as exc:
                raise ApiError(
                    422, exc.code, details={"field": f"{where}.{kind}[{j}]", **exc.params}
                ) from None
    districts: list[str] = []
    for code in area.districts:
        code = code.strip().lower()
        if code not in ASTANA_DISTRICTS:
            raise ApiError(
                422,
                "unknown_district",
                details={"field": f"{where}.districts", "district": code},
            )
        if code not in districts:
            districts.append(code)
    if not (polygons or circles or districts):
        raise ApiError(422, "alert_area_empty", details={"field": where})
    return {"desc": desc, "polygons": polygons, "circles": circles, "districts": districts}


def prepare(body: AlertIn, sent: datetime) -> dict[str, Any]:
    """The checked, normalised content of an alert; 422 in kk/ru on the first problem."""
    texts = _texts(body)
    areas = [_area(area, i) for i, area in enumerate(body.areas)]
    effective = (body.effective or sent).replace(microsecond=0)
    onset = body.onset.replace(microsecond=0) if body.onset else None
    expires = body.expires.replace(microsecond=0)
    if expires <= max(sent, effective, onset or sent):
        raise ApiError(422, "alert_expires_before_sent", details={"field": "expires"})
    return {
        "status": body.status,
        "category": list(dict.fromkeys(body.category)),
        "response_type": list(dict.fromkeys(body.response_type)),
        "urgency": body.urgency,
        "severity": body.severity,
        "certainty": body.certainty,
        "effective": effective,
        "onset": onset,
        "expires": expires,
        "web": body.web,
        "texts": texts,
        "areas": areas,
    }


# ---------------------------------------------------------------- publishing


def _store(db: Session, alert: Alert, identifier: str | None) -> Alert:
    """Insert the message, give it its identifier, check its XML, and note it in the feed."""
    db.add(alert)
    db.flush()
    assert alert.id is not None
    if identifier is None:
        year = alert.sent.astimezone(cap.ASTANA_TZ).year
        alert.identifier = f"{IDENTIFIER_PREFIX}.{year}-{alert.id:06d}"
    if not alert.chain:
        alert.chain = alert.identifier
    cap.validate(cap.alert_xml(alert))  # a bug here must not publish a broken message
    db.add(alert)
    feed.record(db, None, "alert", alert.identifier)
    return alert


def _new(author: User | None, identifier: str | None, sent: datetime, **fields: Any) -> Alert:
    return Alert(
        identifier=identifier or f"pending-{uuid.uuid4().hex}"[:40],
        sender=SENDER,
        sent=sent,
        author_id=author.id if author else None,
        **fields,
    )


def publish(
    db: Session,
    author: User | None,
    body: AlertIn,
    *,
    sent: datetime | None = None,
    identifier: str | None = None,
) -> Alert:
    """A new alert (msgType Alert). `sent`/`identifier` are for demo data only."""
    sent = (sent or _now()).replace(microsecond=0)
    fields = prepare(body, sent)
    alert = _new(author, identifier, sent, msg_type="Alert", chain=identifier or "", **fields)
    return _store(db, alert, identifier)


def get(db: Session, identifier: str) -> Alert:
    alert = db.exec(select(Alert).where(Alert.identifier == identifier)).first()
    if alert is None:
        raise ApiError(404, "not_found")
    return alert


def _head(db: Session, identifier: str) -> Alert:
    """The message to update or cancel: it must be the latest of its alert, not withdrawn."""
    alert = get(db, identifier)
    if alert.superseded_by or alert.cancelled or alert.msg_type == "Cancel":
        raise ApiError(409, "alert_not_current", details={"superseded_by": alert.superseded_by})
    return alert


def chain_of(db: Session, chain: str) -> list[Alert]:
    return list(db.exec(select(Alert).where(Alert.chain == chain).order_by(col(Alert.id))).all())


def _references(db: Session, chain: str) -> str:
    return " ".join(cap.reference(a) for a in chain_of(db, chain))


def update(db: Session, author: User | None, identifier: str, body: AlertIn) -> Alert:
    """A new message (msgType Update) that replaces the current one and references them all."""
    previous = _head(db, identifier)
    sent = _now()
    fields = prepare(body, sent)
    alert = _new(
        author,
        None,
        sent,
        msg_type="Update",
        chain=previous.chain,
        refs=_references(db, previous.chain),
        **fields,
    )
    _store(db, alert, None)
    previous.superseded_by = alert.identifier
    db.add(previous)
    feed.record(db, None, "alert", previous.identifier)
    return alert


def cancel(db: Session, author: User | None, identifier: str, note: str | None) -> Alert:
    """A Cancel message with the content of the current one; the whole alert is withdrawn."""
    previous = _head(db, identifier)
    alert = _new(
        author,
        None,
        _now(),
        msg_type="Cancel",
        chain=previous.chain,
        refs=_references(db, previous.chain),
        note=clean_text(note, max_len=1000, field="note") if note and note.strip() else None,
        cancelled=True,
        **{
            name: getattr(previous, name)
            for name in (
                "status",
                "category",
                "response_type",
                "urgency",
                "severity",
                "certainty",
                "effective",
                "onset",
                "expires",
                "web",
                "texts",
                "areas",
            )
        },
    )
    _store(db, alert, None)
    for earlier in chain_of(db, previous.chain):
        if earlier.id != alert.id:
            earlier.cancelled = True
            db.add(earlier)
    previous.superseded_by = alert.identifier
    feed.record(db, None, "alert", previous.identifier)
    return alert


def list_all(db: Session, before_id: int | None, limit: int) -> list[Alert]:
    """Every message, newest first (for operators)."""
    query = select(Alert)
    if before_id:
        query = query.where(col(Alert.id) < before_id)
    return list(db.exec(query.order_by(col(Alert.id).desc()).limit(limit)).all())


def current(db: Session, now: datetime | None = None) -> list[Alert]:
    """Public alerts in force: not expired, not replaced, not cancelled; newest first."""
    now = now or utcnow()
    return list(
        db.exec(
            select(Alert)
            .where(
                col(Alert.status).in_(PUBLIC_STATUSES),
                col(Alert.msg_type) != "Cancel",
                col(Alert.superseded_by).is_(None),
                col(Alert.cancelled).is_(False),
                col(Alert.expires) > now,
            )
            .order_by(col(Alert.sent).desc(), col(Alert.id).desc())
        ).all()
    )


def state(alert: Alert, now: datetime) -> AlertStateLit:
    if alert.cancelled:
        return "cancelled"
    if alert.superseded_by:
        return "superseded"
    return "expired" if alert.expires <= now else "active"


# ---------------------------------------------------------------- targeting


@dataclass
class Whereabouts:
    """Where a resident is known to be: points (reason, lat, lon) and districts."""

    points: list[tuple[str, float, float]] = field(default_factory=list)
    districts: list[str] = field(default_factory=list)

    def add_district(self, code: str | None) -> None:
        if code and code in ASTANA_DISTRICTS and code not in self.districts:
            self.districts.append(code)


def whereabouts(db: Session, user: User) -> Whereabouts:
    where = Whereabouts()
    addresses = db.exec(
        select(Address).where(Address.user_id == user.id).order_by(col(Address.id))
    ).all()
    for a in addresses:
        if a.lat is not None and a.lon is not None:
            where.points.append((f"address:{a.id}", a.lat, a.lon))
            where.add_district(a.district or district_for(a.lat, a.lon))
        else:
            where.add_district(a.district)
    position = db.get(LastPosition, user.id) if user.id is not None else None
    if position is not None:
        where.points.append(("position", position.lat, position.lon))
        where.add_district(district_for(position.lat, position.lon))
    for code in user.notify_districts or []:
        where.add_district(code)
    return where


def reasons(alert: Alert, where: Whereabouts) -> list[str]:
    """Why this resident gets the alert; empty when it is not for them."""
    out: list[str] = []
    listed: set[str] = set()
    for area in alert.areas:
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


def current_for_user(
    db: Session, user: User, now: datetime | None = None
) -> list[tuple[Alert, list[str]]]:
    where = whereabouts(db, user)
    matched = [(a, reasons(a, where)) for a in current(db, now)]
    return [(a, why) for a, why in matched if why]


def for_user_by_identifiers(
    db: Session, user: User, identifiers: Sequence[str]
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
    where = whereabouts(db, user)
    matched = [(a, reasons(a, where)) for a in rows]
    return [(a, why) for a, why in matched if why]


def get_public(db: Session, identifier: str) -> Alert:
    alert = get(db, identifier)
    if alert.status not in PUBLIC_STATUSES:
        raise ApiError(404, "not_found")
    return alert


def set_position(db: Session, user: User, data: PositionIn) -> tuple[LastPosition, list[str]]:
    """Remember where the resident is; alerts this puts them into reach them through the feed.

    Returns the position and the identifiers of current alerts that now concern them.
    """
    assert user.id is not None
    now = utcnow()
    before = {a.identifier for a, _ in current_for_user(db, user, now)}
    position = db.get(LastPosition, user.id) or LastPosition(user_id=user.id, lat=0, lon=0)
    position.lat, position.lon, position.accuracy_m = data.lat, data.lon, data.accuracy_m
    position.at = now
    db.add(position)
    db.flush()
    after = [a.identifier for a, _ in current_for_user(db, user, now)]
    for identifier in after:
        if identifier not in before:
            feed.record(db, user.id, "alert", identifier)
    return position, after


def forget_position(db: Session, user: User) -> None:
    position = db.get(LastPosition, user.id) if user.id is not None else None
    if position is not None:
        db.delete(position)


# ---------------------------------------------------------------- output


def alert_out(alert: Alert, now: datetime | None = None, why: Sequence[str] = ()) -> AlertOut:
    now = now or utcnow()
    return AlertOut(
        identifier=alert.identifier,
        sender=alert.sender,
        sent=alert.sent,
        status=alert.status,
        msg_type=alert.msg_type,
        scope=alert.scope,
        references=alert.refs.split() if alert.refs else [],
        note=alert.note,
        exercise=alert.status == "Exercise",
        state=state(alert, now),
        superseded_by=alert.superseded_by,
        category=list(alert.category),
        response_type=list(alert.response_type),
        urgency=alert.urgency,
        severity=alert.severity,
        certainty=alert.certainty,
        effective=alert.effective,
        onset=alert.onset,
        expires=alert.expires,
        web=alert.web,
        texts={lang: AlertTextOut(**text) for lang, text in alert.texts.items()},
        areas=[
            AlertAreaOut(
                desc=area["desc"],
                polygons=[[(p[0], p[1]) for p in ring] for ring in area["polygons"]],
                circles=[CircleOut(lat=c[0], lon=c[1], radius_km=c[2]) for c in area["circles"]],
                districts=list(area["districts"]),
            )
            for area in alert.areas
        ],
        cap_url=f"/cap/alerts/{alert.identifier}.xml",
        reasons=list(why),
    )


def sync_rows(
    db: Session, user: User, identifiers: list[str], *, lang: str
) -> list[dict[str, Any]]:
    """The `alert` kind of the sync feed: changed messages that concern this resident."""
    now = utcnow()
    return [
        alert_out(a, now, why).model_dump(mode="json")
        for a, why in for_user_by_identifiers(db, user, identifiers)
    ]
