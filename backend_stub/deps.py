"""The one place for request dependencies: settings, database session, caller, language."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Annotated

import anyio
from fastapi import Depends, Header, Request
from sqlalchemy.engine import Engine
from sqlmodel import Session

from backend_stub.config import Settings
from backend_stub.crud import sessions as sessions_crud
from backend_stub.crud import staff as staff_crud
from backend_stub.crud.sessions import LiveSignIn
from backend_stub.crud.staff import Staff
from backend_stub.db import CONNECTION_WAIT_S
from backend_stub.errors import BUSY_RETRY_AFTER_S, ApiError
from backend_stub.messages import pick_language
from backend_stub.models import User
from backend_stub.staff_access import may

CONSOLE_COOKIE = "city109_console"

log = logging.getLogger("city109.db")


# Dependencies that do no I/O are `async def`: FastAPI runs a plain `def` dependency in a worker
# thread, and each such hop costs more than the work (the load bench's py-spy profile of a 304
# feed poll spent most of its time handing over to threads).


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


async def get_db(request: Request) -> AsyncIterator[Session]:
    """The request's database session, once one of the process's `db.request_slots` is free
    (waited for here, on the event loop, holding nothing; none within the pool's timeout: 503
    `server_busy`). Made on the event loop (a new session touches no connection) and closed there
    when it holds none, so that only the work that uses the database goes to a worker thread.
    One still holding a connection (a write lock, maybe) is closed in a thread of its own,
    outside the worker pool's limit: when every worker thread waits for that lock, the close
    that releases it must not wait for a worker (FastAPI's own `contextmanager_in_threadpool`
    does the same). `DbDep` closes it when the route's answer is made, before it is sent: a slow
    reader of a video holds no slot."""
    slots: anyio.CapacityLimiter = request.app.state.db_slots
    holder = object()
    with anyio.move_on_after(CONNECTION_WAIT_S) as waiting:
        await slots.acquire_on_behalf_of(holder)
    if waiting.cancelled_caught:
        log.warning("no database slot free on %s %s", request.method, request.url.path)
        retry = str(BUSY_RETRY_AFTER_S)
        raise ApiError(503, "server_busy", headers={"Retry-After": retry})
    session = Session(get_engine(request), expire_on_commit=False)
    try:
        yield session
    finally:
        try:
            if session.in_transaction():
                await anyio.to_thread.run_sync(session.close, limiter=anyio.CapacityLimiter(1))
            else:
                session.close()
        finally:
            slots.release_on_behalf_of(holder)


async def get_language(accept_language: Annotated[str | None, Header()] = None) -> str:
    return pick_language(accept_language)


def client_ip(request: Request) -> str:
    """The peer address of the connection: a proxy's X-Forwarded-For replaces it only when the
    proxy is in TRUSTED_PROXIES (`__main__` sets that up in uvicorn)."""
    return request.client.host if request.client else ""


SettingsDep = Annotated[Settings, Depends(get_settings)]
DbDep = Annotated[Session, Depends(get_db, scope="function")]
LangDep = Annotated[str, Depends(get_language)]


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token:
        return token.strip()
    return None


def caller(request: Request, db: Session, settings: Settings) -> LiveSignIn:
    """The sign-in of the request's bearer token, or 401. For a route that does its work in one
    worker-thread step (`routers.sync`); others use CurrentUser."""
    token = bearer_token(request)
    if token is None:
        raise ApiError(401, "not_authenticated", headers={"WWW-Authenticate": "Bearer"})
    found = sessions_crud.live_sign_in(db, settings=settings, token=token)
    if found is None:
        db.commit()
        raise ApiError(401, "invalid_token", headers={"WWW-Authenticate": "Bearer"})
    return found


def current_user(request: Request, db: DbDep, settings: SettingsDep) -> User:
    found = caller(request, db, settings)
    # Hand the connection back before the route waits for a worker thread: under a burst,
    # requests holding pooled connections while queued for threads starve the threads of
    # connections (60 parallel calls on SQLite timed out as 500s).
    db.commit()
    return found.user


CurrentUser = Annotated[User, Depends(current_user)]


def current_staff(request: Request, user: CurrentUser, db: DbDep) -> Staff:
    """The signed-in staff member, if their job may use this path (`staff_access.may`: reading
    is GET/HEAD, anything else changes); 403 for a resident, a disabled account or another job."""
    staff = staff_crud.staff_of(db, user=user)
    db.commit()
    write = request.method not in ("GET", "HEAD")
    if staff is None or not may(staff.role, request.url.path, write=write):
        raise ApiError(403, "forbidden")
    return staff


CurrentStaff = Annotated[Staff, Depends(current_staff)]


def current_operator(staff: CurrentStaff) -> User:
    """The staff member's `User` (what the records they make point to), for routes that need
    nothing of the account but that the job may use the path."""
    return staff.user


CurrentOperator = Annotated[User, Depends(current_operator)]


def console_staff(request: Request, db: DbDep, settings: SettingsDep) -> Staff | None:
    """The staff member signed in to the web console (cookie holding an access token), if any."""
    token = request.cookies.get(CONSOLE_COOKIE)
    if not token:
        return None
    user = sessions_crud.user_for_access_token(db, settings=settings, token=token)
    staff = staff_crud.staff_of(db, user=user) if user is not None else None
    db.commit()  # as in current_user: no pooled connection held while queued for a thread
    return staff


def console_operator(request: Request, db: DbDep, settings: SettingsDep) -> User | None:
    """The `User` of the staff member signed in to the web console, if any."""
    staff = console_staff(request, db, settings)
    return staff.user if staff is not None else None


def require_dev(settings: SettingsDep) -> None:
    if not settings.is_dev:
        raise ApiError(404, "not_found")
