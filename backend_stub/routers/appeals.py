"""The resident's appeals: file (idempotently), list, detail, similar nearby, rate, reopen."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlmodel import Session

from backend_stub.crud import appeals as crud
from backend_stub.crud.idempotency import run_once
from backend_stub.deps import CurrentUser, DbDep, LangDep
from backend_stub.models import Appeal, User
from backend_stub.schemas.appeals import (
    AppealCreate,
    AppealOut,
    AppealPage,
    RatingIn,
    ReasonIn,
    SimilarAppeal,
    StatusLit,
)
from backend_stub.schemas.common import BeforeIdQuery, IdPath

router = APIRouter(prefix="/api/v1/appeals", tags=["appeals"])

IdemKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=100)]


def _json(status: int, body: Any) -> JSONResponse:
    return JSONResponse(body, status_code=status)


@router.post("", response_model=AppealOut, status_code=201)
def create(
    body: AppealCreate, user: CurrentUser, db: DbDep, lang: LangDep, key: IdemKey = None
) -> JSONResponse:
    """File an appeal. Retrying with the same client_id (or Idempotency-Key) returns the first
    result; the same key with a different body is 422."""
    assert user.id is not None

    def effect() -> tuple[int, dict[str, Any]]:
        appeal = crud.create_appeal(db, user, body)
        return 201, crud.appeal_out(db, appeal, lang=lang).model_dump(mode="json")

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
    lang: LangDep,
    status: StatusLit | None = None,
    before_id: BeforeIdQuery = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 30,
) -> AppealPage:
    items = crud.list_own(db, user, status=status, before_id=before_id, limit=limit)
    return AppealPage(
        items=[crud.appeal_out(db, a, lang=lang) for a in items],
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
    """Appeals of the same subclass within ~150 m in the last 24 h: 'support this one instead'.
    The caller's own in full; another resident's only if its kind is public, with no address and
    the distance to its ~100 m grid cell (nothing that finds or names that resident)."""
    return crud.similar_for(db, user, subclass_code, lat, lon)


@router.get("/{appeal_id}", response_model=AppealOut)
def detail(appeal_id: IdPath, user: CurrentUser, db: DbDep, lang: LangDep) -> AppealOut:
    return crud.appeal_out(db, crud.own_appeal(db, user, appeal_id), lang=lang)


@dataclass(frozen=True)
class _OnOwnAppeal:
    """A resident's idempotent action on their own appeal: rate, reopen, complain."""

    db: Session
    user: User
    appeal_id: int
    key: str | None
    lang: str

    def run(self, scope: str, body: BaseModel, apply: Callable[[Appeal], object]) -> JSONResponse:
        assert self.user.id is not None
        db = self.db
        appeal = crud.own_appeal(db, self.user, self.appeal_id, owner_only=True)

        def effect() -> tuple[int, dict[str, Any]]:
            apply(appeal)
            return 200, crud.appeal_out(db, appeal, lang=self.lang).model_dump(mode="json")

        payload = {"appeal_id": self.appeal_id, **body.model_dump(mode="json")}
        return _json(*run_once(db, self.user.id, self.key, scope, payload, effect))


@router.post("/{appeal_id}/rating", response_model=AppealOut)
def rate(
    appeal_id: IdPath,
    body: RatingIn,
    user: CurrentUser,
    db: DbDep,
    lang: LangDep,
    key: IdemKey = None,
) -> JSONResponse:
    """Rate a closed appeal 1–5 (once per closing)."""
    action = _OnOwnAppeal(db, user, appeal_id, key, lang)
    return action.run(
        "appeals.rate", body, lambda a: crud.rate(db, user, a, body.score, body.comment)
    )


@router.post("/{appeal_id}/reopen", response_model=AppealOut)
def reopen(
    appeal_id: IdPath,
    body: ReasonIn,
    user: CurrentUser,
    db: DbDep,
    lang: LangDep,
    key: IdemKey = None,
) -> JSONResponse:
    """Reopen a closed appeal with a reason: it goes back into work."""
    action = _OnOwnAppeal(db, user, appeal_id, key, lang)
    return action.run("appeals.reopen", body, lambda a: crud.reopen(db, user, a, body.reason))


@router.post("/{appeal_id}/complaints", response_model=AppealOut)
def complain(
    appeal_id: IdPath,
    body: ReasonIn,
    user: CurrentUser,
    db: DbDep,
    lang: LangDep,
    key: IdemKey = None,
) -> JSONResponse:
    """A complaint about the handling of the appeal."""
    action = _OnOwnAppeal(db, user, appeal_id, key, lang)
    return action.run("appeals.complain", body, lambda a: crud.complain(db, user, a, body.reason))
