"""Emergency alerts: publish, update and cancel CAP messages, and read them.

Publishing checks everything before anything is stored (both languages, closed and simple
polygons, circles, districts, times), and the rendered CAP XML is validated against the
official schema inside the same transaction. Every new message goes to the sync feed as a
public `alert` row; who gets it is decided when a resident reads (`crud.alert_targeting`).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from backend_stub.crud import feed
from backend_stub.crud.records import newest_first
from backend_stub.errors import ApiError
from backend_stub.geo import (
    ASTANA_DISTRICTS,
    GeometryError,
    parse_circle,
    parse_polygon,
)
from backend_stub.models import Alert, User, utcnow
from backend_stub.schemas.alerts import (
    AlertAreaIn,
    AlertIn,
    AlertStateLit,
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


def _store(db: Session, *, alert: Alert, identifier: str | None) -> Alert:
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
    feed.record(db, user_id=None, entity="alert", entity_id=alert.identifier)
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
    *,
    author: User | None,
    body: AlertIn,
    sent: datetime | None = None,
    identifier: str | None = None,
) -> Alert:
    """A new alert (msgType Alert). `sent`/`identifier` are for demo data only."""
    sent = (sent or _now()).replace(microsecond=0)
    fields = prepare(body, sent)
    alert = _new(author, identifier, sent, msg_type="Alert", chain=identifier or "", **fields)
    return _store(db, alert=alert, identifier=identifier)


def get(db: Session, *, identifier: str) -> Alert:
    alert = db.exec(select(Alert).where(Alert.identifier == identifier)).first()
    if alert is None:
        raise ApiError(404, "not_found")
    return alert


def _head(db: Session, *, identifier: str) -> Alert:
    """The message to update or cancel: it must be the latest of its alert, not withdrawn."""
    alert = get(db, identifier=identifier)
    if alert.superseded_by or alert.cancelled or alert.msg_type == "Cancel":
        raise ApiError(409, "alert_not_current", details={"superseded_by": alert.superseded_by})
    return alert


def chain_of(db: Session, *, chain: str) -> list[Alert]:
    return list(db.exec(select(Alert).where(Alert.chain == chain).order_by(col(Alert.id))).all())


def _references(db: Session, *, chain: str) -> str:
    return " ".join(cap.reference(a) for a in chain_of(db, chain=chain))


def update(db: Session, *, author: User | None, identifier: str, body: AlertIn) -> Alert:
    """A new message (msgType Update) that replaces the current one and references them all."""
    previous = _head(db, identifier=identifier)
    sent = _now()
    fields = prepare(body, sent)
    alert = _new(
        author,
        None,
        sent,
        msg_type="Update",
        chain=previous.chain,
        refs=_references(db, chain=previous.chain),
        **fields,
    )
    _store(db, alert=alert, identifier=None)
    previous.superseded_by = alert.identifier
    db.add(previous)
    feed.record(db, user_id=None, entity="alert", entity_id=previous.identifier)
    return alert


def cancel(db: Session, *, author: User | None, identifier: str, note: str | None) -> Alert:
    """A Cancel message with the content of the current one; the whole alert is withdrawn."""
    previous = _head(db, identifier=identifier)
    alert = _new(
        author,
        None,
        _now(),
        msg_type="Cancel",
        chain=previous.chain,
        refs=_references(db, chain=previous.chain),
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
    _store(db, alert=alert, identifier=None)
    for earlier in chain_of(db, chain=previous.chain):
        if earlier.id != alert.id:
            earlier.cancelled = True
            db.add(earlier)
    previous.superseded_by = alert.identifier
    feed.record(db, user_id=None, entity="alert", entity_id=previous.identifier)
    return alert


def list_all(db: Session, *, before_id: int | None, limit: int) -> list[Alert]:
    """Every message, newest first (for operators)."""
    query = select(Alert)
    return newest_first(db, query=query, key=col(Alert.id), before_id=before_id, limit=limit)


def current(db: Session, *, now: datetime | None = None) -> list[Alert]:
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


def get_public(db: Session, *, identifier: str) -> Alert:
    alert = get(db, identifier=identifier)
    if alert.status not in PUBLIC_STATUSES:
        raise ApiError(404, "not_found")
    return alert
