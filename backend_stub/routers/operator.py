"""The operator API: see every appeal, move it along Appendix 5, close it with a result.

Operators answer in chat through the same chat routes as residents.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlmodel import col, select

from backend_stub.crud import appeals as crud
from backend_stub.deps import CurrentOperator, DbDep, LangDep
from backend_stub.errors import ApiError
from backend_stub.models import Appeal
from backend_stub.schemas.appeals import AppealOut, CloseIn, StatusChange, StatusLit
from backend_stub.schemas.common import BeforeIdQuery, IdPath

router = APIRouter(prefix="/api/v1/operator", tags=["operator"])


class OperatorAppealOut(AppealOut):
    applicant_name: str | None
    applicant_phone: str | None


class OperatorAppealPage(BaseModel):
    items: list[OperatorAppealOut]
    next_before_id: int | None


def _out(db: DbDep, appeal: Appeal, lang: str) -> OperatorAppealOut:
    return OperatorAppealOut(
        **crud.appeal_out(db, appeal, lang=lang).model_dump(),
        applicant_name=appeal.applicant_name,
        applicant_phone=appeal.applicant_phone,
    )


def _get(db: DbDep, appeal_id: int) -> Appeal:
    appeal = db.get(Appeal, appeal_id)
    if appeal is None:
        raise ApiError(404, "not_found")
    return appeal


@router.get("/appeals", response_model=OperatorAppealPage)
def list_appeals(
    op: CurrentOperator,
    db: DbDep,
    lang: LangDep,
    status: StatusLit | None = None,
    before_id: BeforeIdQuery = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> OperatorAppealPage:
    query = select(Appeal)
    if status:
        query = query.where(Appeal.status == status)
    if before_id:
        query = query.where(col(Appeal.id) < before_id)
    rows = db.exec(query.order_by(col(Appeal.id).desc()).limit(limit)).all()
    return OperatorAppealPage(
        items=[_out(db, a, lang) for a in rows],
        next_before_id=rows[-1].id if len(rows) == limit else None,
    )


@router.get("/appeals/{appeal_id}", response_model=OperatorAppealOut)
def get_appeal(
    appeal_id: IdPath, op: CurrentOperator, db: DbDep, lang: LangDep
) -> OperatorAppealOut:
    return _out(db, _get(db, appeal_id), lang)


@router.post("/appeals/{appeal_id}/status", response_model=OperatorAppealOut)
def change_status(
    appeal_id: IdPath, body: StatusChange, op: CurrentOperator, db: DbDep, lang: LangDep
) -> OperatorAppealOut:
    appeal = crud.change_status(
        db, op, _get(db, appeal_id), body.to_status, body.note, body.service_code
    )
    db.commit()
    return _out(db, appeal, lang)


@router.post("/appeals/{appeal_id}/close", response_model=OperatorAppealOut)
def close(
    appeal_id: IdPath, body: CloseIn, op: CurrentOperator, db: DbDep, lang: LangDep
) -> OperatorAppealOut:
    """Close with a result text and optionally the executor's 'after' photos (SPEC 32-1)."""
    appeal = crud.close(db, op, _get(db, appeal_id), body.result_text, body.after_media_ids)
    db.commit()
    return _out(db, appeal, lang)
