"""Server-Sent Events: `GET /api/v1/events` tells the app the moment something changed for it.

Each event is a hint, small on purpose: `{"cursor", "entity", "id"}` of one sync-feed row (its
SSE `id` is the cursor); the app then pulls `/api/v1/sync` for the content. Frames:

- `event: change` — a feed row for this resident (or a public one, e.g. an alert);
- `event: ready` — the backlog is sent, live from here (`cursor`: where the stream stands);
- `event: resync` — some rows were skipped (slow client or a long backlog): pull the feed;
- `event: reauth` — the access token expired, or the sign-in ended (logout, phone change,
  revoked session): reconnect with a fresh token, if there is one; the stream then closes;
- `: ping` comments every ~15 s keep proxies and mobile networks from closing the stream.

Reconnecting with `Last-Event-ID` (or `?cursor=`) first replays the rows after that cursor, so
an app that was offline misses nothing. The database is touched only briefly (sign-in check and
backlog, then at a heartbeat whether the sign-in still stands, when the broker may have missed
its end), never held open for the life of the stream.

At most MAX_STREAMS_PER_USER streams per resident, counted and registered in one step so a
burst of opens cannot pass it: on PostgreSQL across every server process, as leases in the
database (`push_bus.take_lease`, given back when the stream ends, expiring if its process
dies); on SQLite (one process) by the broker (`Broker.subscribe(limit=...)`). A revocation ends
the session's streams at once, in this process or (PostgreSQL, through the push bus) any other;
the heartbeat's sign-in check is the backstop.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.types import Receive, Scope, Send

from backend_stub.config import Settings
from backend_stub.crud import events as events_crud
from backend_stub.crud import feed
from backend_stub.crud import sessions as sessions_crud
from backend_stub.deps import SettingsDep, bearer_token, get_engine
from backend_stub.errors import ApiError
from backend_stub.models import utcnow
from backend_stub.services import push, push_bus

router = APIRouter(prefix="/api/v1", tags=["events"])

HEARTBEAT_S = 15.0
SIGNED_IN_RECHECK_S = 300.0  # the heartbeat's sign-in check, when nothing can have been missed
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
    session_id: int
    token_expires_at: datetime


def _authenticate(engine: Engine, settings: Settings, token: str) -> Caller | None:
    with Session(engine) as db:
        found = sessions_crud.live_sign_in(db, settings=settings, token=token)
        if found is None or found.user.id is None:
            return None
        return Caller(found.user.id, found.session_id, found.expires_at)


def _signed_in(engine: Engine, session_id: int) -> bool:
    """Whether the stream's sign-in session still stands (not revoked, e.g. elsewhere)."""
    with Session(engine) as db:
        return sessions_crud.still_signed_in(db, session_id=session_id)


Backlog = tuple[list[push.PushEvent], bool, int]


def _opening(engine: Engine, caller: Caller, cursor: int | None) -> Backlog | None:
    """The backlog once the stream is registered, or None if its sign-in ended meanwhile."""
    if not _signed_in(engine, caller.session_id):
        return None
    return _backlog(engine, caller.user_id, cursor)


def _backlog(engine: Engine, user_id: int, cursor: int | None) -> Backlog:
    """Rows after `cursor` (none without one), whether more remain, and the stream position."""
    with Session(engine) as db:
        if cursor is None:
            return [], False, feed.head(db, user_id=user_id)
        rows, more = events_crud.rows_after(db, user_id=user_id, cursor=cursor, limit=BACKLOG_LIMIT)
    items = [push.PushEvent(r.id or 0, r.user_id, r.entity, r.entity_id) for r in rows]
    return items, more, items[-1].cursor if items else cursor


def frame(event: str, data: dict[str, Any], event_id: int | None = None) -> str:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


@lru_cache(maxsize=1024)
def change_frame(item: push.PushEvent) -> str:
    """A live row's frame, made once for all the streams it goes to (an alert: every one)."""
    return frame("change", item.data(), item.cursor)


def _start_cursor(last_event_id: str | None, cursor: int | None) -> int | None:
    """The browser's Last-Event-ID (newer) wins over the ?cursor= the stream was opened with."""
    if last_event_id and last_event_id.strip().isdigit():
        return int(last_event_id.strip())
    return cursor


async def _stream(
    engine: Engine, sub: push.Subscriber, caller: Caller, start: int | None
) -> AsyncIterator[str]:
    """`sub` is registered before the backlog query: nothing falls between the two."""
    yield f"retry: {RETRY_MS}\n\n"
    opened = await run_in_threadpool(_opening, engine, caller, start)
    if opened is None:
        yield frame("reauth", {})
        return
    backlog, more, position = opened
    replayed = {item.cursor for item in backlog}
    for item in backlog:
        yield frame("change", item.data(), item.cursor)
    if more:
        yield frame("resync", {"cursor": position})
    yield frame("ready", {"cursor": position})
    async for chunk in _live(engine, sub, caller, position, replayed):
        yield chunk


async def _live(
    engine: Engine, sub: push.Subscriber, caller: Caller, position: int, replayed: set[int]
) -> AsyncIterator[str]:
    """Live frames until the token expires or the sign-in ends (then `reauth`)."""
    # An ended sign-in ends its streams through the broker; the database is asked at a
    # heartbeat only when the broker may have missed it (its bus was lost since the last look),
    # or once every SIGNED_IN_RECHECK_S: 10,000 open streams would otherwise ask ~700 times a
    # second, and slowed every other request.
    hearing = push.broker_for(engine).shortcut
    looked = (hearing.generation, time.monotonic())  # _opening asked the database just now
    while True:
        left = (caller.token_expires_at - utcnow()).total_seconds()
        if left <= 0:
            yield frame("reauth", {})
            return
        try:
            async with asyncio.timeout(min(HEARTBEAT_S, left)):  # no task per wait, as wait_for
                live = await sub.queue.get()
        except TimeoutError:
            generation, at = looked
            missed = not hearing.hears_all or generation != hearing.generation
            if missed or time.monotonic() - at >= SIGNED_IN_RECHECK_S:
                looked = (hearing.generation, time.monotonic())
                if not await run_in_threadpool(_signed_in, engine, caller.session_id):
                    yield frame("reauth", {})
                    return
            yield ": ping\n\n"
            continue
        if live is push.END:
            yield frame("reauth", {})
            return
        if live is None:  # push.RESYNC
            yield frame("resync", {"cursor": position})
        elif live.cursor not in replayed:
            position = max(position, live.cursor)
            yield change_frame(live)


class PushStream(StreamingResponse):
    """The SSE response. Its subscriber is dropped when the response is done, however it ends:
    even if the body never started (the client went away before the first byte)."""

    def __init__(
        self, engine: Engine, broker: push.Broker, sub: push.Subscriber, body: AsyncIterator[str]
    ):
        super().__init__(body, media_type="text/event-stream", headers=STREAM_HEADERS)
        self._engine, self._broker, self._sub = engine, broker, sub

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._broker.unsubscribe(self._sub)
            if self._sub.lease is not None:
                # cancelled when the server stops with thousands of streams open: then
                # `push_bus.Listener.stop` gives back all of this process's leases at once
                with contextlib.suppress(asyncio.CancelledError):
                    await run_in_threadpool(push_bus.give_back, self._engine, self._sub.lease)


def _too_many_streams() -> ApiError:
    return ApiError(429, "too_many_requests", headers={"Retry-After": "30"}, retry_after=30)


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
    lease = None
    if push_bus.shared(engine):  # counted across processes, by the lease
        lease = await run_in_threadpool(
            push_bus.take_lease,
            engine,
            user_id=caller.user_id,
            session_id=caller.session_id,
            limit=MAX_STREAMS_PER_USER,
        )
        if lease is None:
            raise _too_many_streams()
    try:
        sub = broker.subscribe(
            caller.user_id,
            session_id=caller.session_id,
            limit=None if lease else MAX_STREAMS_PER_USER,
            lease=lease,
        )
    except push.StreamLimitReached:
        raise _too_many_streams() from None
    body = _stream(engine, sub, caller, _start_cursor(last_event_id, cursor))
    return PushStream(engine, broker, sub, body)
