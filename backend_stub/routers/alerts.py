"""Emergency alerts: the resident's current alerts (JSON), the operator's publish / update /
cancel, the resident's last known position (for targeting), and the public CAP 1.2 XML and
Atom feed."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import JSONResponse

from backend_stub import public_url
from backend_stub.crud import alert_targeting as targeting
from backend_stub.crud import alerts as crud
from backend_stub.deps import CurrentOperator, CurrentUser, DbDep, SettingsDep
from backend_stub.geo import district_for
from backend_stub.models import utcnow
from backend_stub.presenters.alerts import alert_out
from backend_stub.presenters.idempotent import answer_once
from backend_stub.schemas.alerts import (
    AlertCancelIn,
    AlertIn,
    AlertList,
    AlertOut,
    OperatorAlertPage,
    PositionIn,
    PositionOut,
)
from backend_stub.schemas.common import BeforeIdQuery
from backend_stub.services import cap

router = APIRouter()
resident = APIRouter(prefix="/api/v1", tags=["alerts"])
operator = APIRouter(prefix="/api/v1/operator/alerts", tags=["operator", "alerts"])
public = APIRouter(prefix="/cap", tags=["CAP 1.2"])

IdemKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=100)]
XML_CACHE = {"Cache-Control": "public, max-age=60"}


# ---------------------------------------------------------------- residents


@resident.get("/alerts", response_model=AlertList)
def current_alerts(user: CurrentUser, db: DbDep) -> AlertList:
    """Alerts in force that concern the caller (by saved addresses, last position or
    districts), newest first. `exercise` marks drills."""
    now = utcnow()
    return AlertList(
        items=[
            alert_out(a, now, why) for a, why in targeting.current_for_user(db, user=user, now=now)
        ]
    )


@resident.get("/alerts/{identifier}", response_model=AlertOut)
def alert_detail(identifier: str, user: CurrentUser, db: DbDep) -> AlertOut:
    """One public alert message in any state (`state`: active, expired, superseded, cancelled)."""
    alert = crud.get_public(db, identifier=identifier)
    return alert_out(alert, why=targeting.reasons(alert, targeting.whereabouts(db, user=user)))


@resident.post("/profile/position", response_model=PositionOut)
def set_position(body: PositionIn, user: CurrentUser, db: DbDep) -> PositionOut:
    """Store the phone's last known position; alerts covering it reach the resident."""
    position, current = targeting.set_position(
        db, user=user, lat=body.lat, lon=body.lon, accuracy_m=body.accuracy_m
    )
    db.commit()
    return PositionOut(
        lat=position.lat,
        lon=position.lon,
        accuracy_m=position.accuracy_m,
        district=district_for(position.lat, position.lon),
        at=position.at,
        alerts=current,
    )


@resident.delete("/profile/position", status_code=204)
def forget_position(user: CurrentUser, db: DbDep) -> Response:
    """Forget the last known position."""
    targeting.forget_position(db, user=user)
    db.commit()
    return Response(status_code=204)


# ---------------------------------------------------------------- operators


@operator.get("", response_model=OperatorAlertPage)
def list_alerts(
    op: CurrentOperator,
    db: DbDep,
    before_id: BeforeIdQuery = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> OperatorAlertPage:
    """Every CAP message (all statuses and types), newest first."""
    rows = crud.list_all(db, before_id=before_id, limit=limit)
    now = utcnow()
    return OperatorAlertPage(
        items=[alert_out(a, now) for a in rows],
        next_before_id=rows[-1].id if len(rows) == limit else None,
    )


@operator.post("", response_model=AlertOut, status_code=201)
def publish(body: AlertIn, op: CurrentOperator, db: DbDep, key: IdemKey = None) -> JSONResponse:
    """Publish a new alert (msgType Alert) with kk-KZ and ru-RU info blocks."""
    assert op.id is not None

    return answer_once(
        db,
        user_id=op.id,
        key=key,
        scope="alerts.publish",
        payload=body.model_dump(mode="json"),
        answer=lambda: alert_out(crud.publish(db, author=op, body=body)),
    )


@operator.post("/{identifier}/update", response_model=AlertOut, status_code=201)
def update(
    identifier: str, body: AlertIn, op: CurrentOperator, db: DbDep, key: IdemKey = None
) -> JSONResponse:
    """A new message (msgType Update) replacing the current one; `references` lists the
    earlier messages of the alert."""
    assert op.id is not None

    return answer_once(
        db,
        user_id=op.id,
        key=key,
        scope="alerts.update",
        payload={"identifier": identifier, **body.model_dump(mode="json")},
        answer=lambda: alert_out(crud.update(db, author=op, identifier=identifier, body=body)),
    )


@operator.post("/{identifier}/cancel", response_model=AlertOut, status_code=201)
def cancel(
    identifier: str,
    op: CurrentOperator,
    db: DbDep,
    body: AlertCancelIn | None = None,
    key: IdemKey = None,
) -> JSONResponse:
    """Withdraw the alert: a new message (msgType Cancel) referencing the earlier ones."""
    assert op.id is not None
    note = body.note if body else None

    return answer_once(
        db,
        user_id=op.id,
        key=key,
        scope="alerts.cancel",
        payload={"identifier": identifier, "note": note},
        answer=lambda: alert_out(crud.cancel(db, author=op, identifier=identifier, note=note)),
    )


# ---------------------------------------------------------------- CAP 1.2 and Atom (public)


@public.get(
    "/alerts/{identifier}.xml",
    response_class=Response,
    responses={200: {"content": {cap.CAP_MIME: {}}, "description": "a CAP 1.2 message"}},
)
def alert_xml(identifier: str, db: DbDep) -> Response:
    """One CAP 1.2 message, valid against the OASIS schema."""
    alert = crud.get_public(db, identifier=identifier)
    return Response(cap.alert_xml(alert), media_type=cap.CAP_MIME, headers=XML_CACHE)


@public.get(
    "/feed.atom",
    response_class=Response,
    responses={200: {"content": {cap.ATOM_MIME: {}}, "description": "an Atom feed"}},
)
def feed_atom(
    request: Request, db: DbDep, settings: SettingsDep, lang: Literal["kk", "ru"] = "kk"
) -> Response:
    """Current public alerts, newest first; each entry links to its CAP XML (PUBLIC_BASE_URL)."""
    now = utcnow()
    base = public_url.base_url(settings, request)  # never the Host header
    body = cap.atom_feed(crud.current(db, now=now), base, lang, now)
    return Response(body, media_type=cap.ATOM_MIME, headers=XML_CACHE)


for _sub_router in (resident, operator, public):
    router.include_router(_sub_router)
