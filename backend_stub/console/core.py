"""The console's page kit: the layout and its CSS, escaping and formatting, the small widgets the
pages are built from (tables, pagers, chips, badges, form fields), and the plumbing that lets a
page stop early with a ready response (`ConsoleExit`, turned into that response by
`ConsoleRoute`, the route class of every console router).

Every value put into a page goes through `e()` (html.escape); widget arguments named `*_html`
(and table rows) are markup already built that way.
"""

from __future__ import annotations

import html
import uuid
from collections.abc import Callable, Coroutine, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, tzinfo
from typing import Annotated, Any, Protocol
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from pydantic import ValidationError
from sqlmodel import Session

from backend_stub.crud.idempotency import run_once
from backend_stub.errors import ApiError
from backend_stub.geo import DISTRICT_NAMES
from backend_stub.messages import message
from backend_stub.models import User
from backend_stub.statuses import STATUS_NAMES, Status

ALMATY = ZoneInfo("Asia/Almaty")
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"  # <input type="datetime-local">
PAGE_SIZE = 50

FormText = Annotated[str, Form(max_length=8000)]
FormShort = Annotated[str, Form(max_length=64)]

NAV = (
    ("/console", "Обращения"),
    ("/console/emergency", "Экстренные службы"),
    ("/console/alerts", "Оповещения"),
    ("/console/notices", "Уведомления"),
    ("/console/participation", "Опросы и инициативы"),
)

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


# ---------------------------------------------------------------- stopping early


class ConsoleExit(Exception):
    """Stop handling a console request and answer with `response` (a redirect, an error page)."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


class ConsoleRoute(APIRoute):
    """A console route: a `ConsoleExit` raised by a dependency or by the page is its answer."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except ConsoleExit as stop:
                return stop.response

        return handle


def console_router(prefix: str) -> APIRouter:
    return APIRouter(prefix=prefix, include_in_schema=False, route_class=ConsoleRoute)


# ---------------------------------------------------------------- escaping and formatting


def e(value: object) -> str:
    """Escape anything for HTML text or a double-quoted attribute."""
    return html.escape("" if value is None else str(value), quote=True)


def fmt_time(moment: datetime | None) -> str:
    return "—" if moment is None else moment.astimezone(ALMATY).strftime("%d.%m.%Y %H:%M")


def to_local(moment: datetime | None, tz: tzinfo = ALMATY) -> str:
    """The value of an <input type="datetime-local"> ("" for none)."""
    return "" if moment is None else moment.astimezone(tz).strftime(LOCAL_FORMAT)


def parse_local(value: str, label: str, tz: tzinfo = ALMATY) -> datetime | None:
    """A datetime-local value (None when empty); FormError when it is not a date and time."""
    if not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise FormError(f"{label}: неверная дата и время.") from None
    return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment


def status_ru(code: str) -> str:
    """An appeal status in Russian (the code itself when unknown)."""
    try:
        return STATUS_NAMES[Status(code)]["ru"]
    except ValueError:
        return code


def district_name(code: str | None) -> str:
    if not code:
        return "—"
    return DISTRICT_NAMES.get(code, {}).get("ru", code)


def api_error_text(exc: ApiError) -> str:
    """The API's refusal in Russian, for the error box of the page that re-renders the form."""
    params = {**exc.params, **exc.details}
    if exc.code == "invalid_transition":
        params["from_status"] = status_ru(str(params.get("from_status", "")))
        params["to_status"] = status_ru(str(params.get("to_status", "")))
    return message(exc.code, "ru", **params)


# ---------------------------------------------------------------- pages


def html_response(body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(body, status_code=status, headers=SECURITY_HEADERS)


def redirect(url: str, status: int = 303) -> RedirectResponse:
    return RedirectResponse(url, status_code=status, headers={"Cache-Control": "no-store"})


def layout(title: str, content: str, *, csrf: str | None = None, status: int = 200) -> HTMLResponse:
    """A whole page; signed-in pages (csrf given) get the sections and the sign-out button."""
    nav = ""
    if csrf is not None:
        nav = (
            "".join(f'<a href="{href}">{e(name)}</a>' for href, name in NAV)
            + '<form method="post" action="/console/logout">'
            + hidden_field("csrf", csrf)
            + '<button type="submit">Выйти</button></form>'
        )
    page = (
        '<!doctype html><html lang="ru"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{e(title)} — 109</title><style>{CSS}</style></head><body>"
        f'<header><span class="brand">109 · Консоль оператора</span>{nav}</header>'
        f"<main>{content}</main></body></html>"
    )
    return html_response(page, status)


def error_box(error: str | None) -> str:
    return f'<div class="error" role="alert">{e(error)}</div>' if error else ""


def error_page(
    title: str, error: str, back_href: str, back_label: str, *, csrf: str, status: int
) -> HTMLResponse:
    """A page with only an error and the way back (not found, a stale form)."""
    content = error_box(error) + f'<a href="{e(back_href)}">{e(back_label)}</a>'
    return layout(title, content, csrf=csrf, status=status)


def not_found(error: str, back_href: str, back_label: str, *, csrf: str) -> ConsoleExit:
    """What to raise when the page's item does not exist: a 404 with the way back to its list."""
    return ConsoleExit(
        error_page("Не найдено", error, back_href, back_label, csrf=csrf, status=404)
    )


def heading(title: str, note: str) -> str:
    """The page's <h1> with a small grey note (the Kazakh name, the time zone)."""
    return f'<h1>{e(title)} <span class="muted small">{e(note)}</span></h1>'


def subnav(section: str) -> str:
    """The way back to the appeals from a section page, with the section's name."""
    return f'<p class="small"><a href="/console">Обращения</a> · <b>{e(section)}</b></p>'


def back_link(href: str, label: str) -> str:
    return f'<p class="small"><a href="{e(href)}">← {e(label)}</a></p>'


def section_list(section: str, note: str, body_html: str, *, csrf: str) -> HTMLResponse:
    """A section's list page: the way back to the appeals, the heading with its note, the list."""
    return layout(section, subnav(section) + heading(section, note) + body_html, csrf=csrf)


def section_item(
    section: str,
    back: tuple[str, str],
    title: str,
    body_html: str,
    *,
    csrf: str,
    error: str | None = None,
    status: int = 200,
    tab_title: str | None = None,
) -> HTMLResponse:
    """One item's page in a section: the way back to the appeals and to the section's list
    (`back`: href, label), the title, any error, the page itself."""
    content = (
        subnav(section) + back_link(*back) + f"<h1>{e(title)}</h1>{error_box(error)}" + body_html
    )
    return layout(tab_title or title, content, csrf=csrf, status=status)


# ---------------------------------------------------------------- widgets


def badge(ru: str, kk: str | None = None, cls: str = "", *, style: str = "") -> str:
    """A coloured label, with the Kazakh name in small print under it when given."""
    out = f'<span class="badge{f" {cls}" if cls else ""}"'
    out += f' style="{e(style)}">' if style else ">"
    out += f"{e(ru)}</span>"
    return out + (f'<span class="kk">{e(kk)}</span>' if kk is not None else "")


def table(headers: Sequence[str], rows_html: Iterable[str], empty: str | None = None) -> str:
    """A table of pre-built <tr> rows; `empty` is the one muted row shown when there are none."""
    body = "".join(rows_html)
    if not body and empty is not None:
        body = f'<tr><td colspan="{len(headers)}" class="muted">{e(empty)}</td></tr>'
    head = "".join(f"<th>{e(h)}</th>" for h in headers)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def details(rows: Iterable[tuple[str, str | None]]) -> str:
    """A <dl> of (label, value markup); rows with a None value are left out."""
    items = "".join(
        f"<dt>{e(label)}</dt><dd>{value}</dd>" for label, value in rows if value is not None
    )
    return f"<dl>{items}</dl>"


class Identified(Protocol):
    @property
    def id(self) -> int | None: ...


def pager(
    path: str,
    rows: Sequence[Identified],
    params: Mapping[str, str] | None = None,
    page_size: int = PAGE_SIZE,
) -> str:
    """The link to the next (older) page when this one is full, keeping the list's filters."""
    if len(rows) < page_size:
        return ""
    query = urlencode({**(params or {}), "before_id": str(rows[-1].id)})
    return f'<div class="pager"><a href="{e(f"{path}?{query}")}">Дальше →</a></div>'


def chips(links: Iterable[tuple[str, str]]) -> str:
    """A row of pill links: (href, label markup)."""
    items = "".join(f'<a href="{e(href)}">{label}</a>' for href, label in links)
    return f'<div class="chips">{items}</div>'


def count_label(name: str, count: int) -> str:
    return f"{e(name)}: <b>{int(count)}</b>"


def options(items: Iterable[tuple[str, str]], selected: str | None) -> str:
    return "".join(
        f'<option value="{e(value)}"{" selected" if value == selected else ""}>{e(label)}</option>'
        for value, label in items
    )


def hidden_field(name: str, value: object) -> str:
    return f'<input type="hidden" name="{name}" value="{e(value)}">'


def client_id_field() -> str:
    """A fresh hidden client_id, so that a create runs once per form (see `once_per_form`)."""
    return hidden_field("client_id", uuid.uuid4())


def _class_attr(cls: str) -> str:
    return f' class="{cls}"' if cls else ""


def _submit(label: str, cls: str) -> str:
    return f'<button type="submit"{_class_attr(cls)}>{e(label)}</button>'


def post_form(
    action: str,
    hidden_html: str,
    fields_html: str,
    submit: str,
    *,
    cls: str = "",
    button_cls: str = "",
) -> str:
    """A POST form: its hidden fields (the CSRF token and the like), its fields and one submit
    button under them."""
    return (
        f'<form{_class_attr(cls)} method="post" action="{e(action)}">{hidden_html}'
        f'{fields_html}<div class="actions">{_submit(submit, button_cls)}</div></form>'
    )


def button_form(action: str, hidden_html: str, label: str, *, button_cls: str = "") -> str:
    """An inline POST form that is only a button (publish, close, delete)."""
    return (
        f'<form class="inline" method="post" action="{e(action)}">{hidden_html}'
        f"{_submit(label, button_cls)}</form>"
    )


def district_checkboxes(chosen: Iterable[str], gap_px: int = 14) -> str:
    picked = set(chosen)
    return "".join(
        f'<label style="display:inline-block;margin-right:{gap_px}px"><input type="checkbox" '
        f'name="districts" value="{e(code)}"{" checked" if code in picked else ""}> '
        f"{e(names['ru'])}</label>"
        for code, names in DISTRICT_NAMES.items()
    )


# ---------------------------------------------------------------- posted forms


class FormError(ValueError):
    """A form value the console explains in Russian before anything is stored."""


def validation_text(
    exc: ValidationError,
    field_names: Mapping[str, str],
    *,
    name_of: Callable[[list[str]], str | None] = lambda loc: None,
    missing: Callable[[str, list[str]], bool] = lambda kind, loc: False,
) -> str:
    """A schema's refusal as one Russian sentence naming the fields: `name_of` names a location
    `field_names` does not; `missing` marks other error kinds as "needs filling in"."""
    problems = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        name = name_of(loc) or (field_names.get(loc[0], loc[0]) if loc else "?")
        kind = err.get("type", "")
        if kind in {"string_too_short", "missing"} or missing(kind, loc):
            why = "нужно заполнить"
        elif kind == "string_too_long":
            why = f"слишком длинно (не более {err.get('ctx', {}).get('max_length', '')} симв.)"
        else:
            why = "неверное значение"
        problems.append(f"{name} — {why}")
    return "Проверьте поля: " + "; ".join(problems) + "."


@contextmanager
def refusals(
    db: Session,
    render: Callable[[str, int], Response],
    *,
    refresh: object | None = None,
    explain: Callable[[ValidationError], str] | None = None,
) -> Iterator[None]:
    """Turn a refusal inside the block into the form shown again with the reason: an ApiError
    (rolled back; `refresh` is reloaded first) with its status, a FormError (and, with
    `explain`, a schema's ValidationError) as 422."""
    try:
        yield
    except ApiError as exc:
        db.rollback()
        if refresh is not None:
            db.refresh(refresh)
        raise ConsoleExit(render(api_error_text(exc), exc.status)) from None
    except ValidationError as exc:
        if explain is None:
            raise
        db.rollback()
        raise ConsoleExit(render(explain(exc), 422)) from None
    except FormError as exc:
        db.rollback()
        raise ConsoleExit(render(str(exc), 422)) from None


def once_per_form(
    db: Session,
    user: User,
    client_id: str,
    key_prefix: str,
    scope: str,
    payload: Any,
    create: Callable[[], dict[str, Any]],
) -> dict[str, Any]:
    """Run a create once per form (its hidden client_id) and commit: a form sent twice gets the
    first answer (`create`'s dict) instead of a second item."""
    assert user.id is not None
    key = f"{key_prefix}:{client_id}" if len(client_id) >= 8 else None
    _status, body = run_once(db, user.id, key, scope, payload, lambda: (201, create()))
    return dict(body)
