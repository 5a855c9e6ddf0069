"""Console sign-in, cookies and CSRF, and the dependencies every console page starts from.

Sign-in is one shared operator password (settings.operator_password) that opens a session of the
operator user (settings.operator_phone). The access token lives in an HttpOnly SameSite=Strict
cookie (so the media API can serve files to the console too); a refresh token in a second cookie,
scoped to /console, renews it silently. Every POST form also carries a CSRF token tied to the
session.

A page takes `ConsoleSession` (the signed-in operator; otherwise the request ends in a silent
refresh or the way to the login page) or, for a form, `ConsoleForm` (the same, and the form's
CSRF token checked; otherwise the "stale form" page).
"""

from __future__ import annotations

import logging
import time
from collections import deque
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from backend_stub.config import Settings
from backend_stub.console.kit.page import (
    ConsoleExit,
    console_router,
    error_box,
    error_page,
    layout,
    redirect,
)
from backend_stub.console.kit.widgets import hidden_field, post_form
from backend_stub.crud import sessions as sessions_crud
from backend_stub.crud.sessions import TokenPair
from backend_stub.crud.users import operator_user
from backend_stub.deps import CONSOLE_COOKIE, DbDep, SettingsDep, console_operator
from backend_stub.models import AuthSession, User
from backend_stub.security import keyed_hash, same

log = logging.getLogger("city109.console")

router = console_router("/console")

REFRESH_COOKIE = f"{CONSOLE_COOKIE}_refresh"
COOKIE_PATHS = {CONSOLE_COOKIE: "/", REFRESH_COOKIE: "/console"}  # the refresh token: console only
LOGIN_MAX_FAILURES = 10  # per client IP ...
LOGIN_WINDOW_S = 15 * 60  # ... in this window
STALE_FORM = "Форма устарела или отправлена не из консоли. Обновите страницу и повторите."


def csrf_token(settings: Settings, auth: AuthSession) -> str:
    """Tied to the sign-in session (stable across token refreshes), unknowable without the key."""
    return keyed_hash(settings.secret_key, "console-csrf", str(auth.id))


@dataclass(frozen=True)
class SignedIn:
    """The console operator, their sign-in session and the session's CSRF token."""

    user: User
    auth: AuthSession
    csrf: str

    @property
    def hidden(self) -> str:
        """The CSRF token as a form's hidden field."""
        return hidden_field("csrf", self.csrf)

    def csrf_ok(self, posted: str) -> bool:
        return bool(posted) and same(posted, self.csrf)


def _set_cookies(response: Response, settings: Settings, pair: TokenPair) -> None:
    cookies = {
        CONSOLE_COOKIE: (pair.access_token, settings.access_token_ttl_s),
        REFRESH_COOKIE: (pair.refresh_token, settings.refresh_token_ttl_s),
    }
    for name, (value, max_age) in cookies.items():
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            path=COOKIE_PATHS[name],
            httponly=True,
            samesite="strict",
            secure=not settings.is_dev,
        )


def _clear_cookies(response: Response, settings: Settings) -> None:
    for name, path in COOKIE_PATHS.items():
        response.delete_cookie(
            name, path=path, httponly=True, samesite="strict", secure=not settings.is_dev
        )


def signed_in(request: Request, db: DbDep, settings: SettingsDep) -> SignedIn:
    """The console operator and their session; otherwise the request ends (ConsoleExit) in a
    silent token refresh that repeats it, or in the way to the login page."""
    token = request.cookies.get(CONSOLE_COOKIE)
    user = console_operator(request, db, settings)
    if user is not None and token:
        auth = sessions_crud.session_for_access_token(db, settings=settings, token=token)
        if auth is not None:
            return SignedIn(user, auth, csrf_token(settings, auth))
    refresh = request.cookies.get(REFRESH_COOKIE)
    if refresh:
        rotated = sessions_crud.rotate(db, settings=settings, refresh_token=refresh)
        if rotated is not None and rotated[0].role == "operator":
            db.commit()
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            # 307 repeats a POST with its form; 303 turns anything else into a GET.
            response = redirect(target, 303 if request.method == "GET" else 307)
            _set_cookies(response, settings, rotated[1])
            raise ConsoleExit(response)
    response = redirect("/console/login")
    _clear_cookies(response, settings)
    raise ConsoleExit(response)


ConsoleSession = Annotated[SignedIn, Depends(signed_in)]


def stale_form(csrf: str) -> HTMLResponse:
    return error_page("Ошибка", STALE_FORM, "/console", "К списку обращений", csrf=csrf, status=403)


def checked_form(who: ConsoleSession, csrf: Annotated[str, Form()] = "") -> SignedIn:
    """The signed-in operator posting a form of this session (its CSRF token is right)."""
    if not who.csrf_ok(csrf):
        raise ConsoleExit(stale_form(who.csrf))
    return who


ConsoleForm = Annotated[SignedIn, Depends(checked_form)]


# ---------------------------------------------------------------- sign-in and sign-out


def _login_failures(request: Request, ip: str) -> deque[float]:
    """This IP's recent wrong passwords (in memory, per process); stale entries are dropped."""
    store: dict[str, deque[float]] | None = getattr(request.app.state, "console_login_fails", None)
    if store is None:
        store = {}
        request.app.state.console_login_fails = store
    cutoff = time.monotonic() - LOGIN_WINDOW_S
    for key in [k for k, v in store.items() if not v or v[-1] < cutoff]:
        del store[key]
    failures = store.setdefault(ip, deque())
    while failures and failures[0] < cutoff:
        failures.popleft()
    return failures


def login_page(error: str | None = None, status: int = 200) -> HTMLResponse:
    content = (
        '<div class="card login"><h1>Вход оператора</h1>'
        '<p class="muted small">Операторға кіру</p>'
        f"{error_box(error)}"
        + post_form(
            "/console/login",
            "",
            '<label for="password">Пароль</label>'
            '<input type="password" id="password" name="password"'
            ' autocomplete="current-password" required autofocus>',
            "Войти",
        )
        + "</div>"
    )
    return layout("Вход", content, status=status)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, db: DbDep, settings: SettingsDep) -> Response:
    if console_operator(request, db, settings) is not None:
        return redirect("/console")
    return login_page()


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    password: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    ip = request.client.host if request.client else ""
    failures = _login_failures(request, ip)
    if len(failures) >= LOGIN_MAX_FAILURES:
        return login_page("Слишком много неверных попыток. Повторите позже.", 429)
    expected = settings.operator_password
    if not expected or not same(password, expected):
        failures.append(time.monotonic())
        log.warning("console: wrong operator password from %s", ip or "?")
        return login_page("Неверный пароль.", 401)
    failures.clear()
    user = operator_user(db, phone=settings.operator_phone)
    pair = sessions_crud.start_session(db, settings=settings, user=user)
    db.commit()
    response = redirect("/console")
    _set_cookies(response, settings, pair)
    return response


@router.post("/logout")
def logout(
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    token = request.cookies.get(CONSOLE_COOKIE)
    auth = (
        sessions_crud.session_for_access_token(db, settings=settings, token=token)
        if token
        else None
    )
    if auth is not None and same(csrf, csrf_token(settings, auth)):
        sessions_crud.revoke(db, auth=auth)
        db.commit()
    response = redirect("/console/login")
    _clear_cookies(response, settings)
    return response
