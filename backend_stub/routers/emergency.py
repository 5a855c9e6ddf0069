"""Forwarding an appeal to the emergency services (SPEC Appendix 2 item 3, 30-1).

The resident forwards their appeal to 101 fire, 102 police, 103 ambulance, 104 gas or 112;
the background worker (`emergency_worker`) hands it to the emergency system and waits for the
service's confirmation of acceptance, retrying and alerting the operator without one.

An appeal filed as an emergency: the app files it (`POST /api/v1/appeals` with
`"emergency": true`) and, right after, calls `POST /api/v1/appeals/{id}/forward` with the
service the resident chose; the appeal schema itself carries no service.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request, Response
from sqlalchemy.engine import Engine

from backend_stub import public_url
from backend_stub.crud import appeals as appeals_crud
from backend_stub.crud import emergency as crud
from backend_stub.deps import CurrentUser, DbDep, SettingsDep, get_engine
from backend_stub.errors import ApiError
from backend_stub.models import utcnow
from backend_stub.presenters.emergency import forward_out
from backend_stub.schemas.common import IdPath
from backend_stub.schemas.emergency import CallbackIn, CallbackOut, ForwardIn, ForwardOut
from backend_stub.security import same
from backend_stub.services import emergency_adapter as adapter
from backend_stub.services import emergency_worker

router = APIRouter(prefix="/api/v1", tags=["emergency"])

EngineDep = Annotated[Engine, Depends(get_engine)]


@router.post(
    "/appeals/{appeal_id}/forward",
    response_model=ForwardOut,
    status_code=201,
    responses={200: {"description": "already forwarded to this service: the same forward"}},
)
def forward(
    appeal_id: IdPath,
    body: ForwardIn,
    user: CurrentUser,
    db: DbDep,
    settings: SettingsDep,
    engine: EngineDep,
    request: Request,
    response: Response,
) -> ForwardOut:
    """Forward one's own appeal to an emergency service (idempotent per appeal and service)."""
    appeal = appeals_crud.own_appeal(db, user=user, appeal_id=appeal_id, owner_only=True)
    base = public_url.base_url(settings, request)  # never the Host header
    fwd, created = crud.request_forward(
        db, settings=settings, user=user, appeal=appeal, service=body.service, base_url=base
    )
    if created:
        emergency_worker.wake(engine)
    else:
        response.status_code = 200
    return forward_out(fwd)


@router.get("/appeals/{appeal_id}/forwards", response_model=list[ForwardOut])
def forwards(appeal_id: IdPath, user: CurrentUser, db: DbDep) -> list[ForwardOut]:
    """The appeal's forwards: sent, accepted (id and time) or not confirmed (call `phone`)."""
    appeal = appeals_crud.own_appeal(db, user=user, appeal_id=appeal_id)
    assert appeal.id is not None
    return [forward_out(f) for f in crud.forwards_of(db, appeal_id=appeal.id)]


@router.post("/emergency/callback", response_model=CallbackOut)
def callback(
    body: CallbackIn,
    db: DbDep,
    settings: SettingsDep,
    secret: Annotated[str | None, Header(alias=adapter.CALLBACK_HEADER)] = None,
) -> CallbackOut:
    """The emergency system confirms acceptance of an incident (the incident's own secret,
    sent to it as `callback_secret`, in the header)."""
    expected = adapter.callback_secret(settings, body.idempotency_key)
    if not secret or not same(secret, expected):
        raise ApiError(401, "not_authenticated")
    parsed = crud.parse_key(body.idempotency_key)
    fwd = crud.get(db, appeal_id=parsed[0], service=parsed[1]) if parsed else None
    if fwd is None:
        raise ApiError(404, "not_found")
    appeal = appeals_crud.get_appeal(db, appeal_id=fwd.appeal_id)
    if crud.mark_accepted(
        db,
        fwd=fwd,
        appeal=appeal,
        acceptance_id=body.acceptance_id,
        accepted_at=body.accepted_at,
        now=utcnow(),
        external_id=body.incident_id,
    ):
        db.commit()
    return CallbackOut(state=fwd.state)
