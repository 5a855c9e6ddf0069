"""Initiatives of the akimat: residents read and support them; operators create and update."""

from __future__ import annotations

from fastapi import APIRouter

from backend_stub.crud import initiatives as crud
from backend_stub.deps import CurrentOperator, CurrentUser, DbDep
from backend_stub.presenters.initiatives import initiative_out, outs_for
from backend_stub.schemas.common import IdPath
from backend_stub.schemas.participation import (
    InitiativeIn,
    InitiativeOut,
    InitiativePatch,
    InitiativeStateLit,
)

router = APIRouter(prefix="/api/v1", tags=["participation"])


@router.get("/initiatives", response_model=list[InitiativeOut])
def list_initiatives(
    user: CurrentUser, db: DbDep, state: InitiativeStateLit | None = None
) -> list[InitiativeOut]:
    return outs_for(db, user, crud.list_initiatives(db, state=state))


@router.get("/initiatives/{initiative_id}", response_model=InitiativeOut)
def get_initiative(initiative_id: IdPath, user: CurrentUser, db: DbDep) -> InitiativeOut:
    return outs_for(db, user, [crud.get_initiative(db, initiative_id=initiative_id)])[0]


@router.post("/initiatives/{initiative_id}/support", response_model=InitiativeOut)
def support(initiative_id: IdPath, user: CurrentUser, db: DbDep) -> InitiativeOut:
    """Support once; again is a harmless retry (`supported: true`, the count unchanged).
    A done or rejected initiative takes no new support (409 initiative_closed)."""
    initiative = crud.get_initiative(db, initiative_id=initiative_id)
    initiative = crud.support(db, user=user, initiative=initiative)
    db.commit()
    return initiative_out(initiative, supported=True)


@router.delete("/initiatives/{initiative_id}/support", response_model=InitiativeOut)
def withdraw(initiative_id: IdPath, user: CurrentUser, db: DbDep) -> InitiativeOut:
    initiative = crud.get_initiative(db, initiative_id=initiative_id)
    initiative = crud.withdraw(db, user=user, initiative=initiative)
    db.commit()
    return initiative_out(initiative, supported=False)


# ---------------------------------------------------------------- operator


@router.post("/operator/initiatives", response_model=InitiativeOut, status_code=201)
def operator_create(body: InitiativeIn, op: CurrentOperator, db: DbDep) -> InitiativeOut:
    initiative = crud.create_initiative(db, operator=op, data=body)
    db.commit()
    return outs_for(db, op, [initiative])[0]


@router.patch("/operator/initiatives/{initiative_id}", response_model=InitiativeOut)
def operator_update(
    initiative_id: IdPath, body: InitiativePatch, op: CurrentOperator, db: DbDep
) -> InitiativeOut:
    """Edit texts or move the state (proposed → in_progress → done, or rejected)."""
    initiative = crud.get_initiative(db, initiative_id=initiative_id)
    initiative = crud.update_initiative(db, initiative=initiative, patch=body)
    db.commit()
    return outs_for(db, op, [initiative])[0]
