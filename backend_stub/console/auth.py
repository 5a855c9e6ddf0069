"""Console sign-in, cookies and CSRF, and the dependencies every console page starts from.

Every staff member signs in with their own login and password (`crud.staff`, scrypt hashes);
guesses are counted per client IP in the database (`crud.staff.take_guess`: atomic across server
processes), LOGIN_MAX_FAILURES in LOGIN_WINDOW_S. The access token lives in an HttpOnly
SameSite=Strict cookie (so the media API can serve files to the console too); a refresh token
in a second cookie, scoped to /console, renews it silently. Every POST form also carries a CSRF
token tied to the session. A disabled account's sessions are revoked, and its cookies open
nothing more.

A page takes `ConsoleSession` (the signed-in staff member, whose job may use the page's path —
`staff_access.may`; otherwise the request ends in a silent refresh, the way to the login page,
or a "not for your job" page) or, for a form, `ConsoleForm` (the same, and the form's CSRF token
checked; otherwise the "stale form" page).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from backend_stub.config import Settings
from backend_stub.console.kit.i18n import _
from backend_stub.console.kit.page import (
    ConsoleExit,
    console_router,
    error_box,
    error_page,
    layout,
    redirect,
    signed_in_as,
)
from backend_stub.console.kit.text import e
from backend_stub.console.kit.widgets import hidden_field, post_form
from backend_stub.crud import sessions as sessions_crud
from backend_stub.crud import staff as staff_crud
from backend_stub.crud.sessions import TokenPair
from backend_stub.crud.staff import Staff
from backend_stub.deps import CONSOLE_COOKIE, DbDep, SettingsDep, client_ip, console_staff
from backend_stub.models import AuthSession, User, utcnow
from backend_stub.security import keyed_hash, same
from backend_stub.staff_access import may

log = logging.getLogger("city109.console")

router = console_router("/console")

REFRESH_COOKIE = f"{CONSOLE_COOKIE}_refresh"
COOKIE_PATHS = {CONSOLE_COOKIE: "/", REFRESH_COOKIE: "/console"}  # the refresh token: console only
LOGIN_MAX_FAILURES = 10  # guesses per client IP ...
LOGIN_WINDOW_S = 15 * 60  # ... in this window (a right password starts the count over)
STALE_FORM = (  # a msgid: shown through _()
    "This form is out of date or was not sent from the console. Reload the page and try again."
)


def csrf_token(settings: Settings, auth: AuthSession) -> str:
    """Tied to the sign-in session (stable across token refreshes), unknowable without the key."""
    return keyed_hash(settings.secret_key, "console-csrf", str(auth.id))


@dataclass(frozen=True)
class SignedIn:
    """The signed-in staff member, their sign-in session and the session's CSRF token."""

    staff: Staff
    auth: AuthSession
    csrf: str

    @property
    def user(self) -> User:
        """The `User` the records they make point to."""
        return self.staff.user

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
    """The staff member and their session, if their job may use this page; otherwise the
    request ends (ConsoleExit) in a silent token refresh that repeats it, the way to the login
    page, or a page saying the section is not for their job."""
    token = request.cookies.get(CONSOLE_COOKIE)
    staff = console_staff(request, db, settings)
    if staff is not None and token:
        auth = sessions_crud.session_for_access_token(db, settings=settings, token=token)
        if auth is not None:
            who = SignedIn(staff, auth, csrf_token(settings, auth))
            signed_in_as(request, staff.role)
            if not may(staff.role, request.url.path, write=request.method != "GET"):
                raise ConsoleExit(not_for_job(who))
            return who
    refresh = request.cookies.get(REFRESH_COOKIE)
    if refresh:
        rotated = sessions_crud.rotate(db, settings=settings, refresh_token=refresh)
        if rotated is not None and staff_crud.staff_of(db, user=rotated[0]) is not None:
            db.commit()
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            # 307 repeats a POST with its form; 303 turns anything else into a GET.
            response = redirect(target, 303 if request.method == "GET" else 307)
            _set_cookies(response, settings, rotated[1])
            raise ConsoleExit(response)
    response = redirect("/console/login")
    _clear_cookies(response, settings)
    raise ConsoleExit(response)


def not_for_job(who: SignedIn) -> HTMLResponse:
    return error_page(
        _("No access"),
        _("This section is not part of your job in the console."),
        "/console",
        _("To the appeals"),
        csrf=who.csrf,
        status=403,
    )


ConsoleSession = Annotated[SignedIn, Depends(signed_in)]


def stale_form(csrf: str) -> HTMLResponse:
    return error_page(
        _("The form was refused"),
        _(STALE_FORM),
        "/console",
        _("To the appeals"),
        csrf=csrf,
        status=403,
    )


def checked_form(who: ConsoleSession, csrf: Annotated[str, Form()] = "") -> SignedIn:
    """The signed-in operator posting a form of this session (its CSRF token is right)."""
    if not who.csrf_ok(csrf):
        raise ConsoleExit(stale_form(who.csrf))
    return who


ConsoleForm = Annotated[SignedIn, Depends(checked_form)]


# ---------------------------------------------------------------- sign-in and sign-out


def login_page(error: str | None = None, status: int = 200, login: str = "") -> HTMLResponse:
    content = (
        f'<div class="card login"><h1>{e(_("Staff sign-in"))}</h1>'
        f"{error_box(error)}"
        + post_form(
            "/console/login",
            "",
            f'<label for="login">{e(_("Login"))}</label>'
            f'<input id="login" name="login" value="{e(login)}" maxlength="40"'
            ' autocomplete="username" required autofocus>'
            f'<label for="password">{e(_("Password"))}</label>'
            '<input type="password" id="password" name="password"'
            ' autocomplete="current-password" required>',
            _("Sign in"),
        )
        + "</div>"
    )
    return layout(_("Sign-in"), content, status=status)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, db: DbDep, settings: SettingsDep) -> Response:
    if console_staff(request, db, settings) is not None:
        return redirect("/console")
    return login_page()


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    login: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    ip = client_ip(request)
    key = f"console-ip:{ip}"
    allowed = staff_crud.take_guess(
        db, key=key, now=utcnow(), limit=LOGIN_MAX_FAILURES, window_s=LOGIN_WINDOW_S
    )
    db.commit()  # the guess counts even if this request goes no further
    if not allowed:
        return login_page(_("Too many wrong attempts. Try again later."), 429, login)
    staff = staff_crud.check_password(db, login=login, password=password)
    if staff is None:
        log.warning("console: wrong login or password from %s", ip or "?")
        return login_page(_("Wrong login or password."), 401, login)
    staff_crud.forgive_guesses(db, key=key)
    pair = sessions_crud.start_session(db, settings=settings, user=staff.user)
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
