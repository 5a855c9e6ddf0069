"""The resident's appeals: file (idempotently), list, detail, similar nearby, rate, reopen."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from backend_stub.crud import appeals as crud
from backend_stub.crud.idempotency import run_once
from backend_stub.deps import CurrentUser, DbDep
from backend_stub.schemas.appeals import (
    AppealCreate,
    AppealOut,
    AppealPage,
    RatingIn,
    ReasonIn,
    SimilarAppeal,
    StatusLit,
)

router = APIRouter(prefix="/api/v1/appeals", tags=["appeals"])

IdemKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=100)]


def _json(status: int, body: Any) -> JSONResponse:
    return JSONResponse(body, status_code=status)


@router.post("", response_model=AppealOut, status_code=201)
def create(body: AppealCreate, user: CurrentUser, db: DbDep, key: IdemKey = None) -> JSONResponse:
    """File an appeal. Retrying with the same client_id (or Idempotency-Key) returns the first
    result; the same key with a different body is 422."""
    assert user.id is not None

    def effect() -> tuple[int, dict[str, Any]]:
        appeal = crud.create_appeal(db, user, body)
        return 201, crud.appeal_out(db, appeal).model_dump(mode="json")

    return _json(
        *run_once(
            db,
            user.id,
            key or f"appeal:{body.client_id}",
            "appeals.create",
            body.model_dump(mode="json"),
            effect,
        )
    )


@router.get("", response_model=AppealPage)
def list_mine(
    user: CurrentUser,
    db: DbDep,
    status: StatusLit | None = None,
    before_id: Annotated[int | None, Query(ge=1)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 30,
) -> AppealPage:
    items = crud.list_own(db, user, status=status, before_id=before_id, limit=limit)
    return AppealPage(
        items=[crud.appeal_out(db, a) for a in items],
        next_before_id=items[-1].id if len(items) == limit else None,
    )


@router.get("/similar", response_model=list[SimilarAppeal])
def similar(
    user: CurrentUser,
    db: DbDep,
    subclass_code: str,
    lat: Annotated[float, Query(ge=-90, le=90)],
    lon: Annotated[float, Query(ge=-180, le=180)],
) -> list[SimilarAppeal]:
    """Appeals of the same subclass within ~150 m in the last 24 h: 'support this one instead'."""
    return [crud.similar_out(a, d) for a, d in crud.similar_nearby(db, subclass_code, lat, lon)]


@router.get("/{appeal_id}", response_model=AppealOut)
def detail(appeal_id: int, user: CurrentUser, db: DbDep) -> AppealOut:
    return crud.appeal_out(db, crud.own_appeal(db, user, appeal_id))


def _resident_action(
    db: DbDep,
    user: CurrentUser,
    appeal_id: int,
    key: str | None,
    scope: str,
    body: BaseModel,
    apply: Any,
) -> JSONResponse:
    assert user.id is not None
    appeal = crud.own_appeal(db, user, appeal_id, owner_only=True)

    def effect() -> tuple[int, dict[str, Any]]:
        apply(appeal)
        return 200, crud.appeal_out(db, appeal).model_dump(mode="json")

    payload = {"appeal_id": appeal_id, **body.model_dump(mode="json")}
    return _json(*run_once(db, user.id, key, scope, payload, effect))


@router.post("/{appeal_id}/rating", response_model=AppealOut)
def rate(
    appeal_id: int, body: RatingIn, user: CurrentUser, db: DbDep, key: IdemKey = None
) -> JSONResponse:
    """Rate a closed appeal 1–5 (once per closing)."""
    return _resident_action(
        db,
        user,
        appeal_id,
        key,
        "appeals.rate",
        body,
        lambda a: crud.rate(db, user, a, body.score, body.comment),
    )


@router.post("/{appeal_id}/reopen", response_model=AppealOut)
def reopen(
    appeal_id: int, body: ReasonIn, user: CurrentUser, db: DbDep, key: IdemKey = None
) -> JSONResponse:
    """Reopen a closed appeal with a reason: it goes back into work."""
    return _resident_action(
        db,
        user,
        appeal_id,
        key,
        "appeals.reopen",
        body,
        lambda a: crud.reopen(db, user, a, body.reason),
    )


@router.post("/{appeal_id}/complaints", response_model=AppealOut)
def complain(
    appeal_id: int, body: ReasonIn, user: CurrentUser, db: DbDep, key: IdemKey = None
) -> JSONResponse:
    """A complaint about the handling of the appeal."""
    return _resident_action(
        db,
        user,
        appeal_id,
        key,
        "appeals.complain",
        body,
        lambda a: crud.complain(db, user, a, body.reason),
    )
