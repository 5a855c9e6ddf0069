"""The console's page frame: the layout and its CSS, the security headers, the standard pages
(a section's list, one item, an error), and the plumbing of every console request (`ConsoleRoute`,
the route class of every console router): the operator's language is set from its cookie, a page
may stop early with a ready response (`ConsoleExit`), and a value FastAPI refuses (a query or form
field too long, not a number) gets a page saying which, never the API's JSON."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from starlette.datastructures import State

from backend_stub.console.kit.i18n import (
    ENDONYMS,
    LANG_COOKIE,
    LANGUAGES,
    _,
    language,
    set_language,
)
from backend_stub.console.kit.text import e
from backend_stub.console.kit.widgets import hidden_field
from backend_stub.staff_access import may

# the sections (their names in the glossary's words: alerts are the CAP emergency alerts, notices
# the planned works and events)
NAV = (
    ("/console", "Appeals"),
    ("/console/emergency", "Emergency services"),
    ("/console/alerts", "Emergency alerts"),
    ("/console/notices", "Notices: works and events"),
    ("/console/participation", "Polls and initiatives"),
    ("/console/staff", "Staff accounts"),
)
# the path and query of the console request being handled (where the language switch comes back)
_here: ContextVar[str] = ContextVar("console_here", default="/console")
# the request's state: the sign-in (a dependency run in a worker thread) notes the staff
# member's job there (`signed_in_as`), and the menu shows only the sections of that job
_state: ContextVar[State | None] = ContextVar("console_state", default=None)


def signed_in_as(request: Request, role: str) -> None:
    """The page is shown to a staff member of `role`: its menu has the sections of that job."""
    request.state.console_role = role


def _sections() -> list[tuple[str, str]]:
    role = getattr(_state.get(), "console_role", None)
    if role is None:
        return [(href, name) for href, name in NAV if href != "/console/staff"]
    return [(href, name) for href, name in NAV if may(role, href, write=False)]


# what a refused query or form field is called on the page that says so
FIELD_LABELS = {
    "number": "Number",
    "status": "Status",
    "importance": "Importance",
    "district": "District",
    "overdue": "Only overdue",
    "sort": "Sort by",
    "after": "Next page",
    "before_id": "Next page",
}

CSS = """
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
 color:#1c2430;background:#f3f5f8}
a{color:#0b5cad;text-decoration:none}a:hover{text-decoration:underline}
header{background:#0b3d6e;color:#fff;padding:10px 24px;display:flex;flex-wrap:wrap;
align-items:center;gap:8px 18px}
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
.kk,.sub{display:block;font-size:12px;color:#6b7685}
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
button.danger{background:#b3261e;border-color:#b3261e;color:#fff}
button.danger:hover{background:#8c1d18}
a.button-link{display:inline-block;padding:7px 14px;border:1px solid #0b5cad;border-radius:6px}
.confirm{border:2px solid #b3261e}.confirm-q{font-size:18px;font-weight:600;margin:0 0 10px}
.lang{white-space:nowrap}.lang a,.lang b{margin-left:8px;font-size:13px}
.live{font-size:13px;white-space:nowrap}.live b{background:#fff;color:#0b3d6e;border-radius:9px;
 padding:0 7px;margin-left:3px}
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
        "script-src 'self'; connect-src 'self'; "
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
            set_language(request.cookies.get(LANG_COOKIE, ""))
            query = f"?{request.url.query}" if request.url.query else ""
            _here.set(request.url.path + query)
            _state.set(request.state)
            try:
                return await handler(request)
            except ConsoleExit as stop:
                return stop.response
            except RequestValidationError as exc:
                return refused_input(request, exc)

        return handle


def console_router(prefix: str) -> APIRouter:
    return APIRouter(prefix=prefix, include_in_schema=False, route_class=ConsoleRoute)


# ---------------------------------------------------------------- pages


def html_response(body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(body, status_code=status, headers=SECURITY_HEADERS)


def redirect(url: str, status: int = 303) -> RedirectResponse:
    return RedirectResponse(url, status_code=status, headers={"Cache-Control": "no-store"})


def language_switch() -> str:
    """Links to the console in the other language (the current one in bold)."""
    back = urlencode({"back": _here.get()})
    links = "".join(
        f'<b lang="{code}">{e(ENDONYMS[code])}</b>'
        if code == language()
        else f'<a lang="{code}" href="/console/language/{code}?{e(back)}">{e(ENDONYMS[code])}</a>'
        for code in LANGUAGES
    )
    return f'<span class="lang">{links}</span>'


def live_counts() -> str:
    """The new and overdue appeals, filled in and kept fresh by the console's script."""
    return (
        f'<a class="live" href="/console?status=created">{e(_("New appeals"))}'
        '<b data-count="new">…</b></a>'
        f'<a class="live" href="/console?overdue=1">{e(_("Overdue"))}'
        '<b data-count="overdue">…</b></a>'
    )


def layout(title: str, content: str, *, csrf: str | None = None, status: int = 200) -> HTMLResponse:
    """A whole page in the operator's language; signed-in pages (csrf given) get the sections,
    the live counts, the sign-out button and the console's script."""
    nav = script = ""
    if csrf is not None:
        nav = (
            "".join(f'<a href="{href}">{e(_(name))}</a>' for href, name in _sections())
            + live_counts()
            + '<form method="post" action="/console/logout">'
            + hidden_field("csrf", csrf)
            + f'<button type="submit">{e(_("Sign out"))}</button></form>'
        )
        script = '<script src="/console/static/console.js" defer></script>'
    page = (
        f'<!doctype html><html lang="{language()}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{e(title)} — 109</title><style>{CSS}</style>{script}</head><body>"
        f'<header><span class="brand">{e(_("109 · Operator console"))}</span>{nav}'
        f"{language_switch()}</header><main>{content}</main></body></html>"
    )
    return html_response(page, status)


def refused_input(request: Request, exc: RequestValidationError) -> HTMLResponse:
    """The page for a query or form value FastAPI refused: which field and why, and the way
    back to the page without it (never the API's JSON)."""
    problems = []
    for err in exc.errors():
        name = str(err.get("loc", ("", "?"))[-1])
        label = _(FIELD_LABELS[name]) if name in FIELD_LABELS else name
        limit = err.get("ctx", {}).get("max_length")
        if err.get("type") == "string_too_long" and limit is not None:
            why = _("too long (at most {n} characters)", n=limit)
        else:
            why = _("not a value that fits here")
        problems.append(f"{label} — {why}")
    text = _("Check the fields: {problems}.", problems="; ".join(problems))
    back = quote(request.url.path)
    content = error_box(text) + f'<a href="{e(back)}">{e(_("Back"))}</a>'
    return layout(_("Check the fields"), content, status=422)


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
        error_page(_("Not found"), error, back_href, back_label, csrf=csrf, status=404)
    )


def heading(title: str, note: str) -> str:
    """The page's <h1> with a small grey note (the Kazakh name, the time zone)."""
    return f'<h1>{e(title)} <span class="muted small">{e(note)}</span></h1>'


def subnav(section: str) -> str:
    """The way back to the appeals from a section page, with the section's name."""
    return f'<p class="small"><a href="/console">{e(_("Appeals"))}</a> · <b>{e(section)}</b></p>'


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
