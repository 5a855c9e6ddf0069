"""Advance notification: residents read notices (active or archive, by district, topic or their
own preferences); operators publish, edit and withdraw them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query
from fastapi.responses import JSONResponse

from backend_stub.crud import notices as crud
from backend_stub.deps import CurrentOperator, CurrentUser, DbDep
from backend_stub.geo import DISTRICT_NAMES
from backend_stub.presenters.idempotent import answer_once
from backend_stub.presenters.notices import notice_out, notice_page
from backend_stub.schemas.common import BeforeIdQuery, IdPath
from backend_stub.schemas.notices import (
    NamedCode,
    NoticeIn,
    NoticeKind,
    NoticeOut,
    NoticePage,
    NoticeScope,
    OperatorScope,
)

router = APIRouter(tags=["notices"])

IdemKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=100)]
Limit = Annotated[int, Query(ge=1, le=100)]
BeforeId = BeforeIdQuery


@router.get("/api/v1/notices/topics", response_model=list[NamedCode])
def topics() -> list[NamedCode]:
    """The fixed topic list (also the values of the profile's `notify_topics`)."""
    return [NamedCode(code=c, name_kk=kk, name_ru=ru) for c, kk, ru in crud.topic_list()]


@router.get("/api/v1/notices/districts", response_model=list[NamedCode])
def districts() -> list[NamedCode]:
    """The city's districts (also the values of the profile's `notify_districts`)."""
    return [NamedCode(code=c, name_kk=n["kk"], name_ru=n["ru"]) for c, n in DISTRICT_NAMES.items()]


@router.get("/api/v1/notices", response_model=NoticePage)
def list_notices(
    user: CurrentUser,
    db: DbDep,
    scope: NoticeScope = "active",
    district: Annotated[str | None, Query(max_length=60)] = None,
    topic: Annotated[list[str] | None, Query(max_length=20)] = None,
    kind: NoticeKind | None = None,
    mine: bool = False,
    before_id: BeforeId = None,
    limit: Limit = 30,
) -> NoticePage:
    """Active: published and not ended (upcoming works included). Archive: ended or withdrawn.
    `mine=true` keeps the resident's districts (saved addresses and `notify_districts`; none
    set = all) and topics (`notify_topics`; none = all). City-wide notices match any district."""
    district_sets: list[set[str]] = []
    topic_sets: list[set[str]] = []
    if district:
        district_sets.append({crud.check_district(district)})
    if topic:
        topic_sets.append({crud.check_topic(t) for t in topic})
    if mine:
        own_districts = crud.resident_districts(db, user=user)
        own_topics = crud.resident_topics(user)
        if own_districts:
            district_sets.append(own_districts)
        if own_topics:
            topic_sets.append(own_topics)
    rows = crud.list_notices(
        db,
        scope=scope,
        district_sets=district_sets,
        topic_sets=topic_sets,
        kind=kind,
        before_id=before_id,
        limit=limit,
    )
    return notice_page(rows, limit)


@router.get("/api/v1/notices/{notice_id}", response_model=NoticeOut)
def get_notice(notice_id: IdPath, user: CurrentUser, db: DbDep) -> NoticeOut:
    return notice_out(crud.get(db, notice_id=notice_id))


# ---------------------------------------------------------------- operator


@router.get("/api/v1/operator/notices", response_model=NoticePage, tags=["operator"])
def operator_list(
    op: CurrentOperator,
    db: DbDep,
    scope: OperatorScope = "all",
    before_id: BeforeId = None,
    limit: Limit = 50,
) -> NoticePage:
    return notice_page(crud.list_notices(db, scope=scope, before_id=before_id, limit=limit), limit)


@router.post(
    "/api/v1/operator/notices", response_model=NoticeOut, status_code=201, tags=["operator"]
)
def publish(body: NoticeIn, op: CurrentOperator, db: DbDep, key: IdemKey = None) -> JSONResponse:
    """Publish a notice. A retry with the same Idempotency-Key returns the first result."""
    assert op.id is not None

    return answer_once(
        db,
        user_id=op.id,
        key=key,
        scope="notices.publish",
        payload=body.model_dump(mode="json"),
        answer=lambda: notice_out(crud.publish(db, author=op, data=body)),
    )


@router.get("/api/v1/operator/notices/{notice_id}", response_model=NoticeOut, tags=["operator"])
def operator_get(notice_id: IdPath, op: CurrentOperator, db: DbDep) -> NoticeOut:
    return notice_out(crud.get(db, notice_id=notice_id))


@router.put("/api/v1/operator/notices/{notice_id}", response_model=NoticeOut, tags=["operator"])
def edit(notice_id: IdPath, body: NoticeIn, op: CurrentOperator, db: DbDep) -> NoticeOut:
    """Replace the notice's content (a missing `starts_at` keeps the current start)."""
    notice = crud.edit(db, notice=crud.get(db, notice_id=notice_id), data=body)
    db.commit()
    return notice_out(notice)


@router.post(
    "/api/v1/operator/notices/{notice_id}/withdraw", response_model=NoticeOut, tags=["operator"]
)
def withdraw(notice_id: IdPath, op: CurrentOperator, db: DbDep) -> NoticeOut:
    """Withdraw a notice: it moves to the archive (again: no change)."""
    notice = crud.withdraw(db, notice=crud.get(db, notice_id=notice_id))
    db.commit()
    return notice_out(notice)
