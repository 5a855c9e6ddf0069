"""The cursor feed: everything that changed for the signed-in resident since a cursor.

Each entity kind has a loader that turns changed ids into their current state, checked
against the caller (a resident never receives another's rows); they are registered in
`presenters.sync.LOADERS`. An unchanged feed answers 304 to `If-None-Match` without loading
anything.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Response
from pydantic import BaseModel

from backend_stub.crud import feed
from backend_stub.deps import CurrentUser, DbDep, LangDep
from backend_stub.models import User
from backend_stub.presenters.sync import load_changes
from backend_stub.schemas.common import MAX_ID

router = APIRouter(prefix="/api/v1", tags=["sync"])


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
    head = feed.head(db, user_id=user.id)
    etag = _etag(user, head)
    if head <= cursor and if_none_match == etag:
        return Response(status_code=304, headers={"ETag": etag})
    by_entity, new_cursor, has_more = feed.changes_since(
        db, user_id=user.id, cursor=cursor, limit=limit
    )
    changes = load_changes(db, user, by_entity, lang=lang)
    response.headers["ETag"] = _etag(user, new_cursor) if has_more else etag
    return SyncOut(cursor=new_cursor, has_more=has_more, changes=changes)
