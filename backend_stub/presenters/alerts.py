"""What residents and operators see of emergency alerts: `AlertOut` and the sync-feed rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session

from backend_stub.crud.alert_targeting import for_user_by_identifiers
from backend_stub.crud.alerts import state
from backend_stub.models import Alert, User, utcnow
from backend_stub.schemas.alerts import AlertAreaOut, AlertOut, AlertTextOut, CircleOut


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
        for a, why in for_user_by_identifiers(db, user=user, identifiers=identifiers)
    ]
