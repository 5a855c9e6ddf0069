"""The operator's web console: server-rendered HTML forms over the same crud as the API.

Sign-in is one shared operator password (settings.operator_password) that opens a session of the
operator user (settings.operator_phone). The access token lives in an HttpOnly SameSite=Strict
cookie (so the media API can serve files to the console too); a refresh token in a second cookie,
scoped to /console, renews it silently. Every POST form also carries a CSRF token tied to the
session. Every value put into a page goes through `e()` (html.escape).
"""

from __future__ import annotations

import hmac
import html
import logging
import time
import uuid
from collections import deque
from collections.abc import Iterable
from datetime import datetime
from typing import Annotated
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from backend_stub import classifier
from backend_stub.config import Settings
from backend_stub.crud import appeals as appeals_crud
from backend_stub.crud import chat as chat_crud
from backend_stub.crud import media as media_crud
from backend_stub.crud import sessions as sessions_crud
from backend_stub.crud.sessions import TokenPair
from backend_stub.deps import CONSOLE_COOKIE, DbDep, SettingsDep, console_operator
from backend_stub.errors import ApiError
from backend_stub.geo import DISTRICT_NAMES
from backend_stub.messages import message
from backend_stub.models import (
    Appeal,
    AppealEvent,
    AuthSession,
    Complaint,
    MediaFile,
    Message,
    User,
    utcnow,
)
from backend_stub.schemas.chat import MessageIn
from backend_stub.security import keyed_hash
from backend_stub.statuses import OPERATOR_TRANSITIONS, STATUS_NAMES, Status, can_operator_move
from backend_stub.text import clean_text

log = logging.getLogger("city109.console")

router = APIRouter(prefix="/console", include_in_schema=False)

REFRESH_COOKIE = f"{CONSOLE_COOKIE}_refresh"
ALMATY = ZoneInfo("Asia/Almaty")
PAGE_SIZE = 50
LOGIN_MAX_FAILURES = 10  # per client IP ...
LOGIN_WINDOW_S = 15 * 60  # ... in this window
OPERATOR_NAME = "Оператор 109"

IMPORTANCE_NAMES = {
    "high": {"ru": "Высокая", "kk": "Жоғары"},
    "medium": {"ru": "Средняя", "kk": "Орташа"},
    "standard": {"ru": "Стандартная", "kk": "Стандартты"},
}
TYPE_NAMES = {
    "consultation": "Консультация",
    "incident": "Инцидент",
    "proposal": "Предложение",
    "complaint": "Жалоба",
    "gratitude": "Благодарность",
}
ROLE_NAMES = {"resident": "Заявитель", "operator": "Оператор", "system": "Система"}
EVENT_NAMES = {
    "status": "Статус",
    "rating": "Оценка",
    "complaint": "Жалоба",
    "reopen": "Возобновление",
    "emergency": "Экстренные службы",
}
MEDIA_ROLE_NAMES = {"applicant": "от заявителя", "chat": "в чате", "after": "после работ"}
LANG_NAMES = {"kk": "казахский", "ru": "русский"}

CSS = """
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
 color:#1c2430;background:#f3f5f8}
a{color:#0b5cad;text-decoration:none}a:hover{text-decoration:underline}
header{background:#0b3d6e;color:#fff;padding:10px 24px;display:flex;align-items:center;gap:18px}
header a{color:#fff}header .brand{font-weight:700;font-size:18px}
header form{margin-left:auto}
header button{background:transparent;color:#fff;border:1px solid #fff8;border-radius:6px}
main{padding:20px 24px;max-width:1320px;margin:0 auto}
h1{font-size:22px;margin:0 0 14px}h2{font-size:17px;margin:0 0 10px}
.card{background:#fff;border:1px solid #dde3ea;border-radius:10px;padding:16px;margin-bottom:16px}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{text-align:left;padding:7px 9px;border-bottom:1px solid #e6eaef;vertical-align:top}
th{font-size:13px;color:#5b6675;font-weight:600;background:#f8fafc}
tr:hover td{background:#f8fbff}
.kk{display:block;font-size:12px;color:#6b7685}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:13px;
 background:#e8eef6;color:#1c3d63;white-space:nowrap}
.st-created{background:#e9f1fe;color:#0b4fa3}.st-assigned{background:#eef0ff;color:#3b3fb0}
.st-returned{background:#fff1e0;color:#9a5200}.st-reassigned{background:#f5ecff;color:#6a2ca6}
.st-in_progress{background:#fff8d6;color:#7a5d00}.st-closed{background:#e5f6ea;color:#17693a}
.imp-high{background:#fde5e5;color:#a31616}.imp-medium{background:#fff1dc;color:#8a5200}
.imp-standard{background:#eef1f4;color:#46505c}
.overdue{background:#d92c2c;color:#fff}.emergency{background:#a31616;color:#fff}
.unread{background:#0b5cad;color:#fff}
.muted{color:#6b7685}.small{font-size:13px}
.error{background:#fde8e8;border:1px solid #f1b4b4;color:#8f1414;padding:10px 14px;
 border-radius:8px;margin-bottom:14px}
form.inline{display:inline}
label{display:block;font-size:13px;color:#4a5563;margin:8px 0 3px}
input[type=text],input[type=password],input[type=search],select,textarea{font:inherit;
 padding:7px 9px;border:1px solid #c5ced8;border-radius:6px;background:#fff}
textarea{width:100%;min-height:70px}
select{max-width:100%}.wide{width:100%}
.nowrap{white-space:nowrap}
button{font:inherit;padding:7px 14px;border-radius:6px;border:1px solid #0b5cad;
 background:#0b5cad;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#0b5cad}
button.danger{background:#17693a;border-color:#17693a}
.filters{display:flex;flex-wrap:wrap;gap:10px;align-items:flex-end}
.filters label{margin:0 0 3px}
.grid{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:16px}
@media (max-width:900px){.grid{grid-template-columns:1fr}}
dl{display:grid;grid-template-columns:190px 1fr;gap:6px 12px;margin:0}
dt{color:#5b6675}dd{margin:0}
.text{white-space:pre-wrap;background:#f8fafc;border-radius:8px;padding:10px 12px;margin:10px 0}
.thumbs{display:flex;flex-wrap:wrap;gap:10px;margin-top:8px}
.thumbs figure{margin:0;font-size:12px;color:#6b7685}
.thumbs img,.thumbs video{width:150px;height:112px;object-fit:cover;border-radius:6px;
 border:1px solid #dde3ea;display:block;background:#eef1f4}
.chat{display:flex;flex-direction:column;gap:8px;max-height:520px;overflow:auto;padding:4px}
.msg{max-width:85%;padding:8px 11px;border-radius:10px;background:#eef2f7}
.msg.op{align-self:flex-end;background:#dcebfd}
.msg .meta{font-size:12px;color:#6b7685;margin-bottom:2px}
.msg .body{white-space:pre-wrap}
.actions{display:flex;flex-wrap:wrap;gap:8px;margin-top:8px}
.chips{display:flex;flex-wrap:wrap;gap:8px;margin-bottom:14px}
.chips a{background:#fff;border:1px solid #dde3ea;border-radius:16px;padding:3px 12px;
 font-size:13px}
.login{max-width:380px;margin:80px auto}
.login input{width:100%}
.pager{margin-top:12px}
"""

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


# ---------------------------------------------------------------- small formatting helpers


def e(value: object) -> str:
    """Escape anything for HTML text or a double-quoted attribute."""
    return html.escape("" if value is None else str(value), quote=True)


def fmt_time(moment: datetime | None) -> str:
    return "—" if moment is None else moment.astimezone(ALMATY).strftime("%d.%m.%Y %H:%M")


def status_ru(code: str) -> str:
    try:
        return STATUS_NAMES[Status(code)]["ru"]
    except ValueError:
        return code


def status_badge(code: str) -> str:
    try:
        names = STATUS_NAMES[Status(code)]
    except ValueError:
        return f'<span class="badge">{e(code)}</span>'
    return (
        f'<span class="badge st-{e(code)}">{e(names["ru"])}</span>'
        f'<span class="kk">{e(names["kk"])}</span>'
    )


def importance_badge(code: str, raised: bool = False) -> str:
    names = IMPORTANCE_NAMES.get(code, {"ru": code, "kk": ""})
    mark = " ↑" if raised else ""
    title = ' title="Повышена по содержанию"' if raised else ""
    return f'<span class="badge imp-{e(code)}"{title}>{e(names["ru"])}{mark}</span>'


def district_name(code: str | None) -> str:
    if not code:
        return "—"
    return DISTRICT_NAMES.get(code, {}).get("ru", code)


def category_names(subclass_code: str) -> tuple[str, str]:
    """(class name, subclass name) in Russian; the code itself when it is unknown."""
    try:
        data = classifier.load_classifier()
        return data.class_of(subclass_code).name_ru, data.subclass(subclass_code).name_ru
    except KeyError:
        return "", subclass_code


def service_name(code: str) -> str:
    for service in classifier.load_classifier().services:
        if service.code == code:
            return service.name_ru
    return code


def is_overdue(appeal: Appeal, now: datetime) -> bool:
    end = appeal.closed_at if appeal.status == Status.CLOSED.value and appeal.closed_at else now
    return end > appeal.due_at


def api_error_text(exc: ApiError) -> str:
    params = {**exc.params, **exc.details}
    if exc.code == "invalid_transition":
        params["from_status"] = status_ru(str(params.get("from_status", "")))
        params["to_status"] = status_ru(str(params.get("to_status", "")))
    return message(exc.code, "ru", **params)


def _html(body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(body, status_code=status, headers=SECURITY_HEADERS)


def layout(title: str, content: str, *, csrf: str | None = None, status: int = 200) -> HTMLResponse:
    nav = ""
    if csrf is not None:
        nav = (
            '<a href="/console">Обращения</a>'
            '<a href="/console/emergency">Экстренные службы</a>'
            '<a href="/console/alerts">Оповещения</a>'
            '<a href="/console/notices">Уведомления</a>'
            '<a href="/console/participation">Опросы и инициативы</a>'
            '<form method="post" action="/console/logout">'
            f'<input type="hidden" name="csrf" value="{e(csrf)}">'
            '<button type="submit">Выйти</button></form>'
        )
    page = (
        '<!doctype html><html lang="ru"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{e(title)} — 109</title><style>{CSS}</style></head><body>"
        f'<header><span class="brand">109 · Консоль оператора</span>{nav}</header>'
        f"<main>{content}</main></body></html>"
    )
    return _html(page, status)


def error_box(error: str | None) -> str:
    return f'<div class="error" role="alert">{e(error)}</div>' if error else ""


def _options(items: Iterable[tuple[str, str]], selected: str | None) -> str:
    return "".join(
        f'<option value="{e(value)}"{" selected" if value == selected else ""}>{e(label)}</option>'
        for value, label in items
    )


# ---------------------------------------------------------------- sign-in, cookies, CSRF


def csrf_token(settings: Settings, auth: AuthSession) -> str:
    """Tied to the sign-in session (stable across token refreshes), unknowable without the key."""
    return keyed_hash(settings.secret_key, "console-csrf", str(auth.id))


def _set_cookies(response: Response, settings: Settings, pair: TokenPair) -> None:
    secure = not settings.is_dev
    response.set_cookie(
        CONSOLE_COOKIE,
        pair.access_token,
        max_age=settings.access_token_ttl_s,
        path="/",
        httponly=True,
        samesite="strict",
        secure=secure,
    )
    response.set_cookie(
        REFRESH_COOKIE,
        pair.refresh_token,
        max_age=settings.refresh_token_ttl_s,
        path="/console",
        httponly=True,
        samesite="strict",
        secure=secure,
    )


def _clear_cookies(response: Response, settings: Settings) -> None:
    secure = not settings.is_dev
    response.delete_cookie(
        CONSOLE_COOKIE, path="/", httponly=True, samesite="strict", secure=secure
    )
    response.delete_cookie(
        REFRESH_COOKIE, path="/console", httponly=True, samesite="strict", secure=secure
    )


def _redirect(url: str, status: int = 303) -> RedirectResponse:
    return RedirectResponse(url, status_code=status, headers={"Cache-Control": "no-store"})


def signed_in(
    request: Request, db: Session, settings: Settings
) -> tuple[User, AuthSession] | Response:
    """The console operator and their session, or a response: a silent token refresh that
    repeats the request, or the way to the login page."""
    token = request.cookies.get(CONSOLE_COOKIE)
    user = console_operator(request, db, settings)
    if user is not None and token:
        auth = sessions_crud.session_for_access_token(db, settings, token)
        if auth is not None:
            return user, auth
    refresh = request.cookies.get(REFRESH_COOKIE)
    if refresh:
        rotated = sessions_crud.rotate(db, settings, refresh)
        if rotated is not None and rotated[0].role == "operator":
            db.commit()
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            # 307 repeats a POST with its form; 303 turns anything else into a GET.
            response = _redirect(target, 303 if request.method == "GET" else 307)
            _set_cookies(response, settings, rotated[1])
            return response
    response = _redirect("/console/login")
    _clear_cookies(response, settings)
    return response


def operator_user(db: Session, phone: str) -> User:
    """The operator account with this phone (settings.operator_phone), created on first use."""
    user = db.exec(select(User).where(User.phone == phone)).first()
    if user is None:
        user = User(phone=phone, full_name=OPERATOR_NAME, language="ru", role="operator")
        db.add(user)
        db.flush()
    elif user.role != "operator":
        user.role = "operator"
        db.add(user)
    return user


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
        '<form method="post" action="/console/login">'
        '<label for="password">Пароль</label>'
        '<input type="password" id="password" name="password" autocomplete="current-password"'
        " required autofocus>"
        '<div class="actions"><button type="submit">Войти</button></div>'
        "</form></div>"
    )
    return layout("Вход", content, status=status)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, db: DbDep, settings: SettingsDep) -> Response:
    if console_operator(request, db, settings) is not None:
        return _redirect("/console")
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
    if not expected or not hmac.compare_digest(password.encode(), expected.encode()):
        failures.append(time.monotonic())
        log.warning("console: wrong operator password from %s", ip or "?")
        return login_page("Неверный пароль.", 401)
    failures.clear()
    user = operator_user(db, settings.operator_phone)
    pair = sessions_crud.start_session(db, settings, user)
    db.commit()
    response = _redirect("/console")
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
    auth = sessions_crud.session_for_access_token(db, settings, token) if token else None
    if auth is not None and hmac.compare_digest(csrf, csrf_token(settings, auth)):
        sessions_crud.revoke(db, auth)
        db.commit()
    response = _redirect("/console/login")
    _clear_cookies(response, settings)
    return response


def _check_csrf(settings: Settings, auth: AuthSession, csrf: str) -> bool:
    return bool(csrf) and hmac.compare_digest(csrf, csrf_token(settings, auth))


def _stale_form(csrf: str) -> HTMLResponse:
    return layout(
        "Ошибка",
        error_box("Форма устарела или отправлена не из консоли. Обновите страницу и повторите.")
        + '<a href="/console">К списку обращений</a>',
        csrf=csrf,
        status=403,
    )


# ---------------------------------------------------------------- the list of appeals


STATUS_FILTERS: list[tuple[str, str]] = [
    ("", "Все статусы"),
    ("open", "Все незакрытые"),
    *[(s.value, STATUS_NAMES[s]["ru"]) for s in Status],
]


@router.get("", response_class=HTMLResponse)
def appeal_list(
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    status: Annotated[str, Query(max_length=16)] = "",
    importance: Annotated[str, Query(max_length=16)] = "",
    district: Annotated[str, Query(max_length=60)] = "",
    number: Annotated[str, Query(max_length=32)] = "",
    overdue: Annotated[str, Query(max_length=2)] = "",
    before_id: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    who = signed_in(request, db, settings)
    if isinstance(who, Response):
        return who
    _op, auth = who
    now = utcnow()
    query = select(Appeal)
    if status == "open":
        query = query.where(col(Appeal.status) != Status.CLOSED.value)
    elif status in {s.value for s in Status}:
        query = query.where(Appeal.status == status)
    if importance in IMPORTANCE_NAMES:
        query = query.where(Appeal.importance == importance)
    if district:
        query = query.where(Appeal.district == district)
    if number.strip():
        query = query.where(col(Appeal.number).contains(number.strip(), autoescape=True))
    if overdue:
        query = query.where(
            or_(
                and_(col(Appeal.status) != Status.CLOSED.value, col(Appeal.due_at) < now),
                and_(
                    col(Appeal.status) == Status.CLOSED.value,
                    col(Appeal.closed_at) > col(Appeal.due_at),
                ),
            )
        )
    if before_id:
        query = query.where(col(Appeal.id) < before_id)
    rows = list(db.exec(query.order_by(col(Appeal.id).desc()).limit(PAGE_SIZE)).all())
    ids = [a.id for a in rows]
    unread: dict[int, int] = {}
    if ids:
        counts = db.exec(
            select(Message.appeal_id, func.count())
            .where(
                col(Message.appeal_id).in_(ids),
                Message.author_role == "resident",
                col(Message.read_at).is_(None),
            )
            .group_by(col(Message.appeal_id))
        ).all()
        unread = {appeal_id: int(n) for appeal_id, n in counts}
    totals = dict(db.exec(select(Appeal.status, func.count()).group_by(col(Appeal.status))).all())

    filters = {
        "status": status,
        "importance": importance,
        "district": district,
        "number": number.strip(),
        "overdue": "1" if overdue else "",
    }
    chips = "".join(
        f'<a href="/console?{e(urlencode({"status": s.value}))}">'
        f"{e(STATUS_NAMES[s]['ru'])}: <b>{int(totals.get(s.value, 0))}</b></a>"
        for s in Status
    )
    form = (
        '<form class="card filters" method="get" action="/console">'
        f'<div><label for="f-status">Статус</label><select id="f-status" name="status">'
        f"{_options(STATUS_FILTERS, status)}</select></div>"
        '<div><label for="f-imp">Важность</label><select id="f-imp" name="importance">'
        + _options(
            [("", "Любая"), *[(k, v["ru"]) for k, v in IMPORTANCE_NAMES.items()]], importance
        )
        + '</select></div><div><label for="f-d">Район</label><select id="f-d" name="district">'
        + _options(
            [("", "Все районы"), *[(k, v["ru"]) for k, v in DISTRICT_NAMES.items()]], district
        )
        + '</select></div><div><label for="f-n">Номер</label>'
        f'<input type="search" id="f-n" name="number" value="{e(number.strip())}"'
        ' placeholder="109-…"></div>'
        '<div><label><input type="checkbox" name="overdue" value="1"'
        f"{' checked' if overdue else ''}> Только просроченные</label></div>"
        '<div><button type="submit">Показать</button> '
        '<a class="small" href="/console">Сбросить</a></div></form>'
    )
    body_rows = []
    for a in rows:
        cls_name, sub_name = category_names(a.subclass_code)
        marks = []
        if is_overdue(a, now):
            marks.append('<span class="badge overdue">Просрочено</span>')
        if a.emergency:
            marks.append('<span class="badge emergency">Экстренное</span>')
        if unread.get(a.id or 0):
            marks.append(f'<span class="badge unread">Новых сообщений: {unread[a.id or 0]}</span>')
        body_rows.append(
            "<tr>"
            f'<td class="nowrap"><a href="/console/appeals/{a.id}"><b>{e(a.number)}</b></a>'
            f'<span class="kk">{e(TYPE_NAMES.get(a.type, a.type))}</span></td>'
            f"<td>{status_badge(a.status)} {' '.join(marks)}</td>"
            f"<td>{importance_badge(a.importance, a.importance_raised)}</td>"
            f'<td>{e(sub_name)}<span class="kk">{e(cls_name)}</span></td>'
            f"<td>{e(district_name(a.district))}</td>"
            f'<td class="nowrap">{e(fmt_time(a.created_at))}</td>'
            f'<td class="nowrap">{e(fmt_time(a.due_at))}</td>'
            "</tr>"
        )
    table = (
        "<table><thead><tr><th>Номер</th><th>Статус</th><th>Важность</th><th>Категория</th>"
        "<th>Район</th><th>Создано</th><th>Срок</th></tr></thead><tbody>"
        + ("".join(body_rows) or '<tr><td colspan="7" class="muted">Обращений нет.</td></tr>')
        + "</tbody></table>"
    )
    pager = ""
    if len(rows) == PAGE_SIZE:
        more = {k: v for k, v in filters.items() if v} | {"before_id": str(rows[-1].id)}
        pager = f'<div class="pager"><a href="/console?{e(urlencode(more))}">Дальше →</a></div>'
    content = (
        '<h1>Обращения <span class="muted small">Өтініштер · время: Астана</span></h1>'
        f'<div class="chips">{chips}</div>{form}{table}{pager}'
    )
    return layout("Обращения", content, csrf=csrf_token(settings, auth))


# ---------------------------------------------------------------- one appeal


def _media_html(items: list[MediaFile]) -> str:
    if not items:
        return ""
    figures = []
    for m in items:
        url = f"/console/media/{e(m.id)}"
        role = MEDIA_ROLE_NAMES.get(m.role, m.role)
        if m.kind == "video":
            inner = f'<video src="{url}" controls preload="metadata"></video>'
        else:
            inner = f'<a href="{url}" target="_blank" rel="noopener"><img src="{url}" alt=""></a>'
        figures.append(f"<figure>{inner}<figcaption>{e(role)}</figcaption></figure>")
    return f'<div class="thumbs">{"".join(figures)}</div>'


def render_appeal(
    db: Session,
    settings: Settings,
    auth: AuthSession,
    appeal: Appeal,
    *,
    error: str | None = None,
    status: int = 200,
    draft_reply: str = "",
    draft_result: str = "",
    draft_note: str = "",
) -> HTMLResponse:
    assert appeal.id is not None
    now = utcnow()
    csrf = csrf_token(settings, auth)
    hidden = f'<input type="hidden" name="csrf" value="{e(csrf)}">'
    cls_name, sub_name = category_names(appeal.subclass_code)
    media = media_crud.media_for_appeal(db, appeal.id)
    by_message: dict[int, list[MediaFile]] = {}
    for m in media:
        if m.message_id is not None:
            by_message.setdefault(m.message_id, []).append(m)
    appeal_media = [m for m in media if m.message_id is None]

    marks = []
    if is_overdue(appeal, now):
        marks.append('<span class="badge overdue">Просрочено</span>')
    if appeal.emergency:
        marks.append('<span class="badge emergency">Экстренное</span>')

    place = []
    if appeal.address:
        place.append(e(appeal.address))
    if appeal.lat is not None and appeal.lon is not None:
        osm = (
            "https://www.openstreetmap.org/?"
            + urlencode({"mlat": f"{appeal.lat:.6f}", "mlon": f"{appeal.lon:.6f}"})
            + f"#map=17/{appeal.lat:.6f}/{appeal.lon:.6f}"
        )
        acc = f" ±{appeal.accuracy_m:.0f} м" if appeal.accuracy_m is not None else ""
        place.append(
            f'<a href="{e(osm)}" target="_blank" rel="noopener noreferrer">'
            f"{appeal.lat:.6f}, {appeal.lon:.6f}</a>{e(acc)}"
        )
    if appeal.share_personal:
        applicant = f"{e(appeal.applicant_name or '—')}<br>{e(appeal.applicant_phone or '—')}"
    else:
        applicant = '<span class="muted">Заявитель не передал личные данные</span>'
    repeat = ""
    if appeal.repeat_of_id:
        repeat += (
            f'Повтор обращения <a href="/console/appeals/{appeal.repeat_of_id}">'
            f"#{appeal.repeat_of_id}</a>. "
        )
    if appeal.repeat_count:
        repeat += f"Повторных обращений: {appeal.repeat_count}."

    details = (
        f"<dl><dt>Статус</dt><dd>{status_badge(appeal.status)} {' '.join(marks)}</dd>"
        f"<dt>Важность</dt><dd>{importance_badge(appeal.importance, appeal.importance_raised)}"
        "</dd>"
        f"<dt>Тип</dt><dd>{e(TYPE_NAMES.get(appeal.type, appeal.type))}</dd>"
        f'<dt>Категория</dt><dd>{e(sub_name)}<span class="kk">{e(cls_name)} · '
        f"{e(appeal.subclass_code)}</span></dd>"
        f"<dt>Исполнитель</dt><dd>{e(service_name(appeal.service_code))}</dd>"
        f"<dt>Место</dt><dd>{'<br>'.join(place) or '—'}</dd>"
        f"<dt>Район</dt><dd>{e(district_name(appeal.district))}</dd>"
        f"<dt>Заявитель</dt><dd>{applicant}</dd>"
        f"<dt>Язык</dt><dd>{e(LANG_NAMES.get(appeal.language, appeal.language))}</dd>"
        f"<dt>Создано</dt><dd>{e(fmt_time(appeal.created_at))}</dd>"
        f"<dt>Срок</dt><dd>{e(fmt_time(appeal.due_at))}</dd>"
        + (f"<dt>Закрыто</dt><dd>{e(fmt_time(appeal.closed_at))}</dd>" if appeal.closed_at else "")
        + (f"<dt>Повторы</dt><dd>{repeat}</dd>" if repeat else "")
        + (
            f"<dt>Возобновлялось</dt><dd>{appeal.reopen_count} раз</dd>"
            if appeal.reopen_count
            else ""
        )
        + "</dl>"
    )
    result = ""
    if appeal.result_text:
        result += f'<h2>Результат</h2><div class="text">{e(appeal.result_text)}</div>'
    if appeal.rating is not None:
        result += (
            f"<p>Оценка заявителя: <b>{'★' * appeal.rating}{'☆' * (5 - appeal.rating)}</b> "
            f"({appeal.rating}/5) {e(appeal.rating_comment or '')}</p>"
        )
    complaints = db.exec(
        select(Complaint).where(Complaint.appeal_id == appeal.id).order_by(col(Complaint.id))
    ).all()
    if complaints:
        result += "<h2>Жалобы</h2>" + "".join(
            f'<div class="text"><span class="muted small">{e(fmt_time(c.created_at))}</span>\n'
            f"{e(c.text)}</div>"
            for c in complaints
        )

    events = db.exec(
        select(AppealEvent).where(AppealEvent.appeal_id == appeal.id).order_by(col(AppealEvent.id))
    ).all()
    history_rows = []
    for ev in events:
        if ev.to_status:
            move = (f"{e(status_ru(ev.from_status))} → " if ev.from_status else "") + e(
                status_ru(ev.to_status)
            )
        else:
            move = ""
        history_rows.append(
            f"<tr><td>{e(fmt_time(ev.at))}</td>"
            f"<td>{e(ROLE_NAMES.get(ev.actor_role, ev.actor_role))}</td>"
            f"<td>{e(EVENT_NAMES.get(ev.kind, ev.kind))}</td><td>{move}</td>"
            f'<td class="small">{e(ev.note or "")}</td></tr>'
        )
    history = (
        '<div class="card"><h2>История</h2><table><thead><tr><th>Время</th><th>Кто</th>'
        "<th>Событие</th><th>Статус</th><th>Комментарий</th></tr></thead><tbody>"
        + "".join(history_rows)
        + "</tbody></table></div>"
    )

    messages = chat_crud.messages_of(db, appeal.id)
    bubbles = []
    for msg in messages:
        mine = msg.author_role == "operator"
        read = " · прочитано" if msg.read_at else ""
        bubbles.append(
            f'<div class="msg{" op" if mine else ""}"><div class="meta">'
            f"{e(ROLE_NAMES.get(msg.author_role, msg.author_role))} · "
            f"{e(fmt_time(msg.created_at))}{e(read) if mine else ''}</div>"
            f'<div class="body">{e(msg.text)}</div>'
            f"{_media_html(by_message.get(msg.id or 0, []))}</div>"
        )
    reply_form = (
        f'<form method="post" action="/console/appeals/{appeal.id}/messages"'
        ' enctype="multipart/form-data">'
        f'{hidden}<input type="hidden" name="client_id" value="{e(uuid.uuid4())}">'
        '<label for="reply">Ответ заявителю</label>'
        f'<textarea id="reply" name="text" maxlength="4000">{e(draft_reply)}</textarea>'
        '<label for="reply-photo">Фото (необязательно)</label>'
        '<input type="file" id="reply-photo" name="photo" accept="image/*,video/*">'
        '<div class="actions"><button type="submit">Отправить</button></div></form>'
    )
    chat = (
        '<div class="card"><h2>Чат с заявителем</h2>'
        f'<div class="chat">{"".join(bubbles) or "<p class=muted>Сообщений пока нет.</p>"}'
        f"</div>{reply_form}</div>"
    )

    current = Status(appeal.status)
    allowed = [s for s in Status if s in OPERATOR_TRANSITIONS[current]]
    moves = [s for s in allowed if s != Status.CLOSED]
    actions = ""
    if moves:
        services = classifier.load_classifier().services
        service_select = _options([(s.code, s.name_ru) for s in services], appeal.service_code)
        buttons = "".join(
            f'<button type="submit" name="to_status" value="{e(s.value)}">'
            f"{e(STATUS_NAMES[s]['ru'])} · {e(STATUS_NAMES[s]['kk'])}</button>"
            for s in moves
        )
        actions += (
            f'<form method="post" action="/console/appeals/{appeal.id}/status">{hidden}'
            "<h2>Сменить статус</h2>"
            '<label for="note">Комментарий (увидит заявитель в истории)</label>'
            f'<textarea id="note" name="note" maxlength="2000">{e(draft_note)}</textarea>'
            '<label for="service">Ответственная служба</label>'
            f'<select id="service" class="wide" name="service_code">{service_select}</select>'
            f'<div class="actions">{buttons}</div></form>'
        )
    if Status.CLOSED in allowed:
        actions += (
            f'<form method="post" action="/console/appeals/{appeal.id}/close"'
            f' enctype="multipart/form-data">{hidden}'
            '<h2 style="margin-top:16px">Закрыть с результатом</h2>'
            '<label for="result">Результат</label>'
            f'<textarea id="result" name="result_text" maxlength="4000" required>'
            f"{e(draft_result)}</textarea>"
            '<label for="after">Фото «после» (с того же ракурса, что у заявителя)</label>'
            '<input type="file" id="after" name="photo" accept="image/*,video/*">'
            '<div class="actions"><button type="submit" class="danger">Закрыть · '
            f"{e(STATUS_NAMES[Status.CLOSED]['kk'])}</button></div></form>"
        )
    if not allowed:
        actions = '<p class="muted">Обращение закрыто. Возобновить его может только заявитель.</p>'
    actions_card = f'<div class="card">{actions}</div>'

    content = (
        f'<p class="small"><a href="/console">← Все обращения</a></p>'
        f"<h1>Обращение {e(appeal.number)}</h1>{error_box(error)}"
        '<div class="grid"><div>'
        f'<div class="card">{details}<div class="text">{e(appeal.text)}</div>'
        f"{_media_html(appeal_media)}{result}</div>{history}</div>"
        f"<div>{actions_card}{chat}</div></div>"
    )
    return layout(f"Обращение {appeal.number}", content, csrf=csrf, status=status)


def _appeal_or_404(
    db: Session, settings: Settings, auth: AuthSession, appeal_id: int
) -> Appeal | HTMLResponse:
    appeal = db.get(Appeal, appeal_id)
    if appeal is None:
        return layout(
            "Не найдено",
            error_box("Обращение не найдено.") + '<a href="/console">К списку обращений</a>',
            csrf=csrf_token(settings, auth),
            status=404,
        )
    return appeal


@router.get("/appeals/{appeal_id}", response_class=HTMLResponse)
def appeal_page(appeal_id: int, request: Request, db: DbDep, settings: SettingsDep) -> Response:
    who = signed_in(request, db, settings)
    if isinstance(who, Response):
        return who
    op, auth = who
    appeal = _appeal_or_404(db, settings, auth, appeal_id)
    if isinstance(appeal, Response):
        return appeal
    assert appeal.id is not None
    last = db.exec(
        select(func.max(Message.id)).where(
            Message.appeal_id == appeal.id, Message.author_role == "resident"
        )
    ).one()
    if last and chat_crud.mark_read(db, op, appeal, int(last)):  # the operator has seen them
        db.commit()
    return render_appeal(db, settings, auth, appeal)


def _store_photo(
    db: Session, settings: Settings, op: User, photo: UploadFile | None
) -> MediaFile | None:
    if photo is None or (not photo.filename and not photo.size):
        return None
    assert op.id is not None
    return media_crud.ingest(
        db,
        settings,
        op.id,
        photo.file,
        filename=photo.filename or "",
        content_type=photo.content_type,
    )


@router.post("/appeals/{appeal_id}/status")
def change_status(
    appeal_id: int,
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form()] = "",
    to_status: Annotated[str, Form(max_length=16)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
    service_code: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    who = signed_in(request, db, settings)
    if isinstance(who, Response):
        return who
    op, auth = who
    if not _check_csrf(settings, auth, csrf):
        return _stale_form(csrf_token(settings, auth))
    appeal = _appeal_or_404(db, settings, auth, appeal_id)
    if isinstance(appeal, Response):
        return appeal
    try:
        target = Status(to_status)
    except ValueError:
        return render_appeal(
            db, settings, auth, appeal, error="Неизвестный статус.", status=422, draft_note=note
        )
    if target == Status.CLOSED and can_operator_move(Status(appeal.status), target):
        return render_appeal(
            db,
            settings,
            auth,
            appeal,
            status=422,
            draft_note=note,
            error="Закрыть обращение можно только с результатом — "
            "заполните форму «Закрыть с результатом».",
        )
    known = {s.code for s in classifier.load_classifier().services}
    new_service = (
        service_code if service_code in known and (service_code != appeal.service_code) else None
    )
    try:
        appeals_crud.change_status(db, op, appeal, target.value, note.strip() or None, new_service)
        db.commit()
    except ApiError as exc:
        db.rollback()
        db.refresh(appeal)
        return render_appeal(
            db,
            settings,
            auth,
            appeal,
            error=api_error_text(exc),
            status=exc.status,
            draft_note=note,
        )
    return _redirect(f"/console/appeals/{appeal_id}")


@router.post("/appeals/{appeal_id}/messages")
def reply(
    appeal_id: int,
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form()] = "",
    client_id: Annotated[str, Form(max_length=64)] = "",
    text: Annotated[str, Form(max_length=8000)] = "",
    photo: Annotated[UploadFile | None, File()] = None,
) -> Response:
    who = signed_in(request, db, settings)
    if isinstance(who, Response):
        return who
    op, auth = who
    if not _check_csrf(settings, auth, csrf):
        return _stale_form(csrf_token(settings, auth))
    appeal = _appeal_or_404(db, settings, auth, appeal_id)
    if isinstance(appeal, Response):
        return appeal
    assert op.id is not None
    if len(client_id) < 8:
        client_id = str(uuid.uuid4())
    done = db.exec(
        select(Message).where(Message.author_id == op.id, Message.client_id == client_id)
    ).first()
    if done is not None:  # the same form sent twice
        return _redirect(f"/console/appeals/{appeal_id}")
    if not text.strip() and (photo is None or not photo.filename):
        return render_appeal(
            db, settings, auth, appeal, status=422, error="Напишите сообщение или приложите фото."
        )
    try:
        data = MessageIn(client_id=client_id, text=text)
        if text.strip():  # checked before a photo is stored
            clean_text(text, max_len=4000)
        media = _store_photo(db, settings, op, photo)
        if media is not None:
            data.attachment_ids = [media.id]
        chat_crud.post_message(db, op, appeal, data)
        db.commit()
    except ValidationError:
        db.rollback()
        return render_appeal(
            db,
            settings,
            auth,
            appeal,
            status=422,
            draft_reply=text,
            error="Сообщение слишком длинное: не более 4000 символов.",
        )
    except ApiError as exc:
        db.rollback()
        db.refresh(appeal)
        return render_appeal(
            db,
            settings,
            auth,
            appeal,
            error=api_error_text(exc),
            status=exc.status,
            draft_reply=text,
        )
    return _redirect(f"/console/appeals/{appeal_id}")


@router.post("/appeals/{appeal_id}/close")
def close(
    appeal_id: int,
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form()] = "",
    result_text: Annotated[str, Form(max_length=8000)] = "",
    photo: Annotated[UploadFile | None, File()] = None,
) -> Response:
    who = signed_in(request, db, settings)
    if isinstance(who, Response):
        return who
    op, auth = who
    if not _check_csrf(settings, auth, csrf):
        return _stale_form(csrf_token(settings, auth))
    appeal = _appeal_or_404(db, settings, auth, appeal_id)
    if isinstance(appeal, Response):
        return appeal
    current = Status(appeal.status)
    if not can_operator_move(current, Status.CLOSED):
        error = message(
            "invalid_transition",
            "ru",
            from_status=status_ru(current.value),
            to_status=status_ru(Status.CLOSED.value),
        )
        return render_appeal(
            db, settings, auth, appeal, error=error, status=409, draft_result=result_text
        )
    if not result_text.strip():
        return render_appeal(db, settings, auth, appeal, error="Опишите результат.", status=422)
    try:
        clean_text(result_text, max_len=4000, field="result_text")  # before a photo is stored
        media = _store_photo(db, settings, op, photo)
        appeals_crud.close(db, op, appeal, result_text, [media.id] if media else [])
        db.commit()
    except ApiError as exc:
        db.rollback()
        db.refresh(appeal)
        return render_appeal(
            db,
            settings,
            auth,
            appeal,
            error=api_error_text(exc),
            status=exc.status,
            draft_result=result_text,
        )
    return _redirect(f"/console/appeals/{appeal_id}")


@router.get("/media/{media_id}")
def media_file(media_id: str, request: Request, db: DbDep, settings: SettingsDep) -> Response:
    """A stored photo or video, for the signed-in console operator."""
    who = signed_in(request, db, settings)
    if isinstance(who, Response):
        return who
    op, _auth = who
    media = media_crud.get_media(db, media_id)
    if media is None or not media_crud.can_read(db, op, media):
        return _html("Не найдено", 404)
    path = media_crud.media_path(settings, media)
    if not path.is_file():
        return _html("Не найдено", 404)
    return FileResponse(
        path,
        media_type=media.content_type,
        headers={"Cache-Control": "private, max-age=86400", "X-Content-Type-Options": "nosniff"},
    )
