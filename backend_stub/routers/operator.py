"""The operator API: see the appeals (an executor: those routed to their body; another body's
is 404), move them along Appendix 5, close them with a result.

Staff answer in chat through the same chat routes as residents.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlmodel import Session

from backend_stub.crud import appeals as crud
from backend_stub.crud.staff import Staff
from backend_stub.deps import CurrentStaff, DbDep, LangDep
from backend_stub.errors import ApiError
from backend_stub.models import Appeal
from backend_stub.presenters.appeals import operator_appeal_out
from backend_stub.schemas.appeals import (
    CloseIn,
    OperatorAppealOut,
    OperatorAppealPage,
    StatusChange,
    StatusLit,
)
from backend_stub.schemas.common import BeforeIdQuery, IdPath

router = APIRouter(prefix="/api/v1/operator", tags=["operator"])


def _seen(db: Session, op: Staff, appeal_id: int) -> Appeal:
    appeal = crud.get_appeal(db, appeal_id=appeal_id)
    if not op.sees(appeal):
        raise ApiError(404, "not_found")
    return appeal


@router.get("/appeals", response_model=OperatorAppealPage)
def list_appeals(
    op: CurrentStaff,
    db: DbDep,
    lang: LangDep,
    status: StatusLit | None = None,
    before_id: BeforeIdQuery = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> OperatorAppealPage:
    rows = crud.list_appeals(
        db, owner=None, status=status, before_id=before_id, limit=limit, body=op.body
    )
    return OperatorAppealPage(
        items=[operator_appeal_out(db, a, lang=lang) for a in rows],
        next_before_id=rows[-1].id if len(rows) == limit else None,
    )


@router.get("/appeals/{appeal_id}", response_model=OperatorAppealOut)
def get_appeal(appeal_id: IdPath, op: CurrentStaff, db: DbDep, lang: LangDep) -> OperatorAppealOut:
    return operator_appeal_out(db, _seen(db, op, appeal_id), lang=lang)


@router.post("/appeals/{appeal_id}/status", response_model=OperatorAppealOut)
def change_status(
    appeal_id: IdPath, body: StatusChange, op: CurrentStaff, db: DbDep, lang: LangDep
) -> OperatorAppealOut:
    appeal = crud.change_status(
        db,
        operator=op.user,
        appeal=_seen(db, op, appeal_id),
        to_status=body.to_status,
        note=body.note,
        service_code=body.service_code,
    )
    db.commit()
    return operator_appeal_out(db, appeal, lang=lang)


@router.post("/appeals/{appeal_id}/close", response_model=OperatorAppealOut)
def close(
    appeal_id: IdPath, body: CloseIn, op: CurrentStaff, db: DbDep, lang: LangDep
) -> OperatorAppealOut:
    """Close with a result text and optionally the executor's 'after' photos (SPEC 32-1)."""
    appeal = crud.close(
        db,
        operator=op.user,
        appeal=_seen(db, op, appeal_id),
        result_text=body.result_text,
        after_media_ids=body.after_media_ids,
    )
    db.commit()
    return operator_appeal_out(db, appeal, lang=lang)
