"""The routes under /console/alerts: the list, the new-alert form, one alert, and the actions
(publish, update, cancel), each sent once per form.

Writes go through the same crud as the operator API (`crud.alerts`), so the checks, the CAP
validation and the sync feed (and so the residents' push channel) are the same."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Form, Query
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from backend_stub.console.alerts.form import AlertForm, PostedForm, refusal_text
from backend_stub.console.alerts.names import (
    MSG_TYPE_NAMES,
    SEVERITY_NAMES,
    URGENCY_NAMES,
    state_badge,
    status_badge,
)
from backend_stub.console.alerts.pages import render_alert, render_new
from backend_stub.console.auth import ConsoleForm, ConsoleSession, SignedIn
from backend_stub.console.kit.forms import FormShort, once_per_form, refusals
from backend_stub.console.kit.page import console_router, not_found, redirect, section_list
from backend_stub.console.kit.text import e, fmt_time
from backend_stub.console.kit.widgets import PAGE_SIZE, pager, table
from backend_stub.crud import alerts as crud
from backend_stub.deps import DbDep
from backend_stub.errors import ApiError
from backend_stub.models import Alert, utcnow

router = console_router("/console/alerts")


def _where(alert: Alert) -> str:
    parts: list[str] = []
    for area in alert.areas:
        parts.append(area["desc"].get("ru", ""))
    return e("; ".join(p for p in parts if p)) or "—"


@router.get("", response_class=HTMLResponse)
def alert_list(
    who: ConsoleSession, db: DbDep, before_id: Annotated[int | None, Query(ge=1)] = None
) -> Response:
    now = utcnow()
    rows = crud.list_all(db, before_id=before_id, limit=PAGE_SIZE)
    body_rows = []
    for a in rows:
        text_ru, text_kk = a.texts.get("ru", {}), a.texts.get("kk", {})
        body_rows.append(
            "<tr>"
            f'<td class="nowrap"><a href="/console/alerts/{e(a.identifier)}">'
            f'<b>{e(a.identifier)}</b></a><span class="kk">'
            f"{e(MSG_TYPE_NAMES.get(a.msg_type, a.msg_type))}</span></td>"
            f"<td>{status_badge(a.status)}</td>"
            f"<td>{state_badge(a, now)}</td>"
            f'<td>{e(SEVERITY_NAMES.get(a.severity, a.severity))}<span class="kk">'
            f"{e(URGENCY_NAMES.get(a.urgency, a.urgency))}</span></td>"
            f'<td>{e(text_ru.get("headline", ""))}<span class="kk">'
            f"{e(text_kk.get('headline', ''))}</span></td>"
            f"<td>{_where(a)}</td>"
            f'<td class="nowrap">{e(fmt_time(a.sent))}<br>{e(fmt_time(a.expires))}</td>'
            f'<td><a href="/cap/alerts/{e(a.identifier)}.xml">XML</a></td></tr>'
        )
    headers = (
        "Идентификатор",
        "Статус",
        "Состояние",
        "Опасность / срочность",
        "Заголовок",
        "Зона",
        "Отправлено / до",
        "CAP",
    )
    body = (
        '<p><a href="/console/alerts/new"><button type="button">Новое оповещение · Жаңа ескерту'
        '</button></a> <a class="small" href="/cap/feed.atom">Лента Atom</a></p>'
        + table(headers, body_rows, "Оповещений нет · Ескерту жоқ.")
        + pager("/console/alerts", rows)
    )
    return section_list(
        "Экстренные оповещения", "Төтенше ескертулер (CAP 1.2) · время: Астана", body, csrf=who.csrf
    )


def _alert_or_404(db: Session, who: SignedIn, identifier: str) -> Alert:
    try:
        return crud.get(db, identifier=identifier)
    except ApiError:
        raise not_found(
            "Оповещение не найдено.", "/console/alerts", "К списку оповещений", csrf=who.csrf
        ) from None


def _once(
    db: Session,
    who: SignedIn,
    client_id: str,
    scope: str,
    payload: dict[str, Any],
    apply: Callable[[], Alert],
) -> str:
    """Send a message once per form (the hidden client_id); the new message's identifier."""
    body = once_per_form(
        db,
        who.user,
        client_id,
        "console-alert",
        scope,
        payload,
        lambda: {"identifier": apply().identifier},
    )
    return str(body["identifier"])


@router.get("/new", response_class=HTMLResponse)
def new_form(who: ConsoleSession) -> Response:
    return render_new(who, AlertForm())


@router.post("", response_class=HTMLResponse)
def create(who: ConsoleForm, db: DbDep, form: PostedForm, client_id: FormShort = "") -> Response:
    def again(error: str, status: int) -> Response:
        return render_new(who, form, error=error, status=status)

    with refusals(db, again, explain=refusal_text):
        data = form.to_alert()
        identifier = _once(
            db,
            who,
            client_id,
            "console.alerts.publish",
            data.model_dump(mode="json"),
            lambda: crud.publish(db, author=who.user, body=data),
        )
    return redirect(f"/console/alerts/{identifier}")


@router.get("/{identifier}", response_class=HTMLResponse)
def alert_page(identifier: str, who: ConsoleSession, db: DbDep) -> Response:
    return render_alert(db, who, _alert_or_404(db, who, identifier))


@router.post("/{identifier}/update", response_class=HTMLResponse)
def update(
    identifier: str, who: ConsoleForm, db: DbDep, form: PostedForm, client_id: FormShort = ""
) -> Response:
    alert = _alert_or_404(db, who, identifier)

    def again(error: str, status: int) -> Response:
        return render_alert(db, who, alert, form=form, error=error, status=status)

    with refusals(db, again, refresh=alert, explain=refusal_text):
        data = form.to_alert()
        new_id = _once(
            db,
            who,
            client_id,
            "console.alerts.update",
            {"identifier": identifier, **data.model_dump(mode="json")},
            lambda: crud.update(db, author=who.user, identifier=identifier, body=data),
        )
    return redirect(f"/console/alerts/{new_id}")


@router.post("/{identifier}/cancel", response_class=HTMLResponse)
def cancel(
    identifier: str,
    who: ConsoleForm,
    db: DbDep,
    client_id: FormShort = "",
    note: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    alert = _alert_or_404(db, who, identifier)

    def again(error: str, status: int) -> Response:
        return render_alert(db, who, alert, error=error, status=status)

    with refusals(db, again, refresh=alert):
        new_id = _once(
            db,
            who,
            client_id,
            "console.alerts.cancel",
            {"identifier": identifier, "note": note},
            lambda: crud.cancel(db, author=who.user, identifier=identifier, note=note),
        )
    return redirect(f"/console/alerts/{new_id}")
