"""The cursor feed: everything that changed for the signed-in resident since a cursor.

Each entity kind has a loader that turns changed ids into their current state, checked
against the caller (a resident never receives another's rows); they are registered in
`presenters.sync.LOADERS`. An unchanged feed answers 304 to `If-None-Match` without loading
anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlmodel import Session

from backend_stub.config import Settings
from backend_stub.crud import feed
from backend_stub.deps import DbDep, LangDep, SettingsDep, bearer_token, caller, get_engine
from backend_stub.presenters.sync import load_changes
from backend_stub.schemas.common import MAX_ID
from backend_stub.security import keyed_hash
from backend_stub.services import push
from backend_stub.services.poll_shortcut import PollShortcut

router = APIRouter(prefix="/api/v1", tags=["sync"])


class SyncOut(BaseModel):
    cursor: int
    has_more: bool
    changes: dict[str, list[dict[str, Any]]]


def _etag(user_id: int, head: int) -> str:
    return f'W/"u{user_id}-c{head}"'


@router.get("/sync", response_model=SyncOut, responses={304: {"description": "nothing new"}})
async def sync(
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    lang: LangDep,
    cursor: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Any:
    # The most frequent request of all (every app polls it, and nearly always nothing is new):
    # a 304 from memory when the token and the resident's head are known (`poll_shortcut`),
    # else the token check, the feed head and the changes in one worker-thread step.
    shortcut = push.broker_for(get_engine(request)).shortcut
    token = bearer_token(request)
    digest = keyed_hash(settings.secret_key, "access", token) if token else ""
    known = shortcut.head(digest) if token and if_none_match else None
    if known is not None:
        etag = _etag(*known)
        if known[1] <= cursor and if_none_match == etag:
            return Response(status_code=304, headers={"ETag": etag})
    poll = Poll(request, settings, lang, cursor, limit, if_none_match, shortcut, digest)
    return await run_in_threadpool(_sync, db, poll)


@dataclass(frozen=True)
class Poll:
    request: Request
    settings: Settings
    lang: str
    cursor: int
    limit: int
    if_none_match: str | None
    shortcut: PollShortcut
    digest: str


def _sync(db: Session, poll: Poll) -> Response:
    generation = poll.shortcut.generation  # before anything is read: see PollShortcut.learn
    found = caller(poll.request, db, poll.settings)
    user = found.user
    assert user.id is not None
    own, public = feed.heads(db, user_id=user.id)
    head = max(own, public)
    poll.shortcut.learn(
        generation,
        digest=poll.digest,
        user_id=user.id,
        session_id=found.session_id,
        expires_at=found.expires_at,
        own_head=own,
        public_head=public,
    )
    etag = _etag(user.id, head)
    if head <= poll.cursor and poll.if_none_match == etag:
        db.commit()
        return Response(status_code=304, headers={"ETag": etag})
    by_entity, new_cursor, has_more = feed.changes_since(
        db, user_id=user.id, cursor=poll.cursor, limit=poll.limit
    )
    changes = load_changes(db, user, by_entity, lang=poll.lang)
    db.commit()
    body = SyncOut(cursor=new_cursor, has_more=has_more, changes=changes)
    return JSONResponse(
        jsonable_encoder(body),
        headers={"ETag": _etag(user.id, new_cursor) if has_more else etag},
    )
