"""Server-Sent Events: `GET /api/v1/events` tells the app the moment something changed for it.

Each event is a hint, small on purpose: `{"cursor", "entity", "id"}` of one sync-feed row (its
SSE `id` is the cursor); the app then pulls `/api/v1/sync` for the content. Frames:

- `event: change` — a feed row for this resident (or a public one, e.g. an alert);
- `event: ready` — the backlog is sent, live from here (`cursor`: where the stream stands);
- `event: resync` — some rows were skipped (slow client or a long backlog): pull the feed;
- `event: reauth` — the access token expired: reconnect with a fresh one;
- `: ping` comments every ~15 s keep proxies and mobile networks from closing the stream.

Reconnecting with `Last-Event-ID` (or `?cursor=`) first replays the rows after that cursor, so
an app that was offline misses nothing. The database is touched only briefly (sign-in check and
backlog), never held open for the life of the stream.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from backend_stub import push
from backend_stub.config import Settings
from backend_stub.crud import events as events_crud
from backend_stub.crud import feed
from backend_stub.crud import sessions as sessions_crud
from backend_stub.deps import SettingsDep, bearer_token, get_engine
from backend_stub.errors import ApiError
from backend_stub.models import User, utcnow

router = APIRouter(prefix="/api/v1", tags=["events"])

HEARTBEAT_S = 15.0
BACKLOG_LIMIT = 500
MAX_STREAMS_PER_USER = 5
RETRY_MS = 3000
STREAM_HEADERS = {
    "Cache-Control": "no-store",
    "X-Accel-Buffering": "no",  # nginx: do not buffer the stream
}


@dataclass(frozen=True)
class Caller:
    user_id: int
    token_expires_at: datetime


def _authenticate(engine: Engine, settings: Settings, token: str) -> Caller | None:
    with Session(engine) as db:
        auth = sessions_crud.session_for_access_token(db, settings, token)
        if auth is None or auth.revoked or auth.access_expires_at <= utcnow():
            return None
        user = db.get(User, auth.user_id)
        if user is None or user.id is None:
            return None
        return Caller(user.id, auth.access_expires_at)


def _backlog(
    engine: Engine, user_id: int, cursor: int | None
) -> tuple[list[push.PushEvent], bool, int]:
    """Rows after `cursor` (none without one), whether more remain, and the stream position."""
    with Session(engine) as db:
        if cursor is None:
            return [], False, feed.head(db, user_id)
        rows, more = events_crud.rows_after(db, user_id, cursor, BACKLOG_LIMIT)
    items = [push.PushEvent(r.id or 0, r.user_id, r.entity, r.entity_id) for r in rows]
    return items, more, items[-1].cursor if items else cursor


def frame(event: str, data: dict[str, Any], event_id: int | None = None) -> str:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


def _start_cursor(last_event_id: str | None, cursor: int | None) -> int | None:
    """The browser's Last-Event-ID (newer) wins over the ?cursor= the stream was opened with."""
    if last_event_id and last_event_id.strip().isdigit():
        return int(last_event_id.strip())
    return cursor


async def _stream(
    engine: Engine, broker: push.Broker, caller: Caller, start: int | None
) -> AsyncIterator[str]:
    sub = broker.subscribe(caller.user_id)  # before the backlog query: nothing falls between
    try:
        yield f"retry: {RETRY_MS}\n\n"
        backlog, more, position = await run_in_threadpool(_backlog, engine, caller.user_id, start)
        replayed = {item.cursor for item in backlog}
        for item in backlog:
            yield frame("change", item.data(), item.cursor)
        if more:
            yield frame("resync", {"cursor": position})
        yield frame("ready", {"cursor": position})
        while True:
            left = (caller.token_expires_at - utcnow()).total_seconds()
            if left <= 0:
                yield frame("reauth", {})
                return
            try:
                live = await asyncio.wait_for(sub.queue.get(), timeout=min(HEARTBEAT_S, left))
            except TimeoutError:
                yield ": ping\n\n"
                continue
            if live is None:  # push.RESYNC
                yield frame("resync", {"cursor": position})
            elif live.cursor not in replayed:
                position = max(position, live.cursor)
                yield frame("change", live.data(), live.cursor)
    finally:
        broker.unsubscribe(sub)


@router.get(
    "/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "an SSE stream"}},
)
async def events(
    request: Request,
    settings: SettingsDep,
    cursor: Annotated[int | None, Query(ge=0, description="resume after this feed cursor")] = None,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID", max_length=20)] = None,
) -> StreamingResponse:
    """Live change notifications for the signed-in resident (bearer token), as SSE."""
    token = bearer_token(request)
    if token is None:
        raise ApiError(401, "not_authenticated", headers={"WWW-Authenticate": "Bearer"})
    engine = get_engine(request)
    caller = await run_in_threadpool(_authenticate, engine, settings, token)
    if caller is None:
        raise ApiError(401, "invalid_token", headers={"WWW-Authenticate": "Bearer"})
    broker = push.broker_for(engine)
    if broker.connections(caller.user_id) >= MAX_STREAMS_PER_USER:
        raise ApiError(429, "too_many_requests", headers={"Retry-After": "30"}, retry_after=30)
    return StreamingResponse(
        _stream(engine, broker, caller, _start_cursor(last_event_id, cursor)),
        media_type="text/event-stream",
        headers=STREAM_HEADERS,
    )
