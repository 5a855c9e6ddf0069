"""The cursor feed: everything that changed for the signed-in resident since a cursor.

Each entity kind has a loader that turns changed ids into their current state, checked
against the caller (a resident never receives another's rows). Later features register more
kinds in `LOADERS`. An unchanged feed answers 304 to `If-None-Match` without loading anything.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Response
from pydantic import BaseModel
from sqlmodel import Session, col, select

from backend_stub.crud import alerts as alerts_crud
from backend_stub.crud import appeals as appeals_crud
from backend_stub.crud import chat as chat_crud
from backend_stub.crud import emergency as emergency_crud
from backend_stub.crud import feed
from backend_stub.crud import initiatives as initiatives_crud
from backend_stub.crud import notices as notices_crud
from backend_stub.crud import places as places_crud
from backend_stub.crud import polls as polls_crud
from backend_stub.crud import proposals as proposals_crud
from backend_stub.deps import CurrentUser, DbDep, LangDep
from backend_stub.models import Appeal, Message, User
from backend_stub.schemas.common import MAX_ID

router = APIRouter(prefix="/api/v1", tags=["sync"])

Loader = Callable[[Session, User, list[str]], list[dict[str, Any]]]
LangLoader = Callable[[Session, User, list[str], str], list[dict[str, Any]]]


def _appeals(db: Session, user: User, ids: list[str], lang: str) -> list[dict[str, Any]]:
    rows = db.exec(
        select(Appeal).where(col(Appeal.id).in_([int(i) for i in ids]), Appeal.user_id == user.id)
    ).all()
    return [appeals_crud.appeal_out(db, a, lang=lang).model_dump(mode="json") for a in rows]


def _messages(db: Session, user: User, ids: list[str]) -> list[dict[str, Any]]:
    rows = db.exec(
        select(Message)
        .join(Appeal, col(Appeal.id) == Message.appeal_id)
        .where(col(Message.id).in_([int(i) for i in ids]), Appeal.user_id == user.id)
    ).all()
    return [chat_crud.message_out(db, m).model_dump(mode="json") for m in rows]


# Loaders whose rows carry server-written text: given the Accept-Language as well.
LANG_LOADERS: dict[str, LangLoader] = {
    "appeal": _appeals,
}

LOADERS: dict[str, Loader] = {
    "message": _messages,
    "forward": emergency_crud.feed_items,
    "poll": polls_crud.feed_rows,
    "initiative": initiatives_crud.feed_rows,
    "proposal": proposals_crud.feed_rows,
    "notice": notices_crud.feed_items,
    "places_bundle": places_crud.feed_items,
    "alert": alerts_crud.sync_loader,
}


class SyncOut(BaseModel):
    cursor: int
    has_more: bool
    changes: dict[str, list[dict[str, Any]]]


def _etag(user: User, head: int) -> str:
    return f'W/"u{user.id}-c{head}"'


@router.get("/sync", response_model=SyncOut, responses={304: {"description": "nothing new"}})
def sync(
    user: CurrentUser,
    db: DbDep,
    response: Response,
    lang: LangDep,
    cursor: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Any:
    assert user.id is not None
    head = feed.head(db, user.id)
    etag = _etag(user, head)
    if head <= cursor and if_none_match == etag:
        return Response(status_code=304, headers={"ETag": etag})
    by_entity, new_cursor, has_more = feed.changes_since(db, user.id, cursor, limit)
    changes = {
        entity: LANG_LOADERS[entity](db, user, ids, lang)
        if entity in LANG_LOADERS
        else LOADERS[entity](db, user, ids)
        for entity, ids in by_entity.items()
        if entity in LOADERS or entity in LANG_LOADERS
    }
    response.headers["ETag"] = _etag(user, new_cursor) if has_more else etag
    return SyncOut(cursor=new_cursor, has_more=has_more, changes=changes)
