"""The resident's appeals: file (idempotently), list, detail, similar nearby, rate, reopen."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlmodel import Session

from backend_stub.crud import appeals as crud
from backend_stub.deps import CurrentUser, DbDep, LangDep
from backend_stub.models import Appeal, User
from backend_stub.presenters.appeals import appeal_out, filed_out, similar_out
from backend_stub.presenters.idempotent import answer_once
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


@router.post("", response_model=AppealOut, status_code=201)
def create(
    body: AppealCreate, user: CurrentUser, db: DbDep, lang: LangDep, key: IdemKey = None
) -> JSONResponse:
    """File an appeal. Retrying with the same client_id (or Idempotency-Key) returns the first
    result; the same key with a different body is 422."""
    assert user.id is not None

    return answer_once(
        db,
        user_id=user.id,
        key=key or f"appeal:{body.client_id}",
        scope="appeals.create",
        payload=body.model_dump(mode="json"),
        answer=lambda: filed_out(db, crud.create_appeal(db, user=user, data=body), lang=lang),
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
    items = crud.list_appeals(db, owner=user, status=status, before_id=before_id, limit=limit)
    return AppealPage(
        items=[appeal_out(db, a, lang=lang) for a in items],
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
    found = crud.similar_for(db, user=user, subclass_code=subclass_code, lat=lat, lon=lon)
    return [similar_out(a, d, own=own) for a, d, own in found]


@router.get("/{appeal_id}", response_model=AppealOut)
def detail(appeal_id: IdPath, user: CurrentUser, db: DbDep, lang: LangDep) -> AppealOut:
    return appeal_out(db, crud.own_appeal(db, user=user, appeal_id=appeal_id), lang=lang)


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
        appeal = crud.own_appeal(db, user=self.user, appeal_id=self.appeal_id, owner_only=True)

        def answer() -> AppealOut:
            apply(appeal)
            return appeal_out(db, appeal, lang=self.lang)

        return answer_once(
            db,
            user_id=self.user.id,
            key=self.key,
            scope=scope,
            payload={"appeal_id": self.appeal_id, **body.model_dump(mode="json")},
            answer=answer,
            status=200,
        )


def _on_own_appeal(
    appeal_id: IdPath, user: CurrentUser, db: DbDep, lang: LangDep, key: IdemKey = None
) -> _OnOwnAppeal:
    return _OnOwnAppeal(db, user, appeal_id, key, lang)


OnOwnAppeal = Annotated[_OnOwnAppeal, Depends(_on_own_appeal)]


@router.post("/{appeal_id}/rating", response_model=AppealOut)
def rate(body: RatingIn, action: OnOwnAppeal) -> JSONResponse:
    """Rate a closed appeal 1–5 (once per closing)."""
    return action.run(
        "appeals.rate",
        body,
        lambda a: crud.rate(
            action.db, user=action.user, appeal=a, score=body.score, comment=body.comment
        ),
    )


@router.post("/{appeal_id}/reopen", response_model=AppealOut)
def reopen(body: ReasonIn, action: OnOwnAppeal) -> JSONResponse:
    """Reopen a closed appeal with a reason: it goes back into work."""
    return action.run(
        "appeals.reopen",
        body,
        lambda a: crud.reopen(action.db, user=action.user, appeal=a, reason=body.reason),
    )


@router.post("/{appeal_id}/complaints", response_model=AppealOut)
def complain(body: ReasonIn, action: OnOwnAppeal) -> JSONResponse:
    """A complaint about the handling of the appeal."""
    return action.run(
        "appeals.complain",
        body,
        lambda a: crud.complain(action.db, user=action.user, appeal=a, text=body.reason),
    )
