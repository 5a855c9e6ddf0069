"""The routes under /console/alerts: the list, the new-alert form, one alert, and the actions
(publish, update, cancel), each sent once per form.

Writes go through the same crud as the operator API (`crud.alerts`), so the checks, the CAP
validation and the sync feed (and so the residents' push channel) are the same. Every send is
confirmed first (`kit.confirm`): the page says whether the alert is real or an exercise, where it
goes and about how many residents it reaches (`crud.alert_targeting.reach`)."""

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
    STATUS_NAMES,
    URGENCY_NAMES,
    state_badge,
    status_badge,
)
from backend_stub.console.alerts.pages import SECTION, back_to_list, render_alert, render_new
from backend_stub.console.auth import ConsoleForm, ConsoleSession, SignedIn
from backend_stub.console.kit.confirm import EDIT, YES, Confirmed, PostedFields, confirm_page
from backend_stub.console.kit.forms import FormShort, once_per_form, refusals
from backend_stub.console.kit.i18n import _, language
from backend_stub.console.kit.page import (
    ConsoleExit,
    console_router,
    not_found,
    redirect,
    section_list,
)
from backend_stub.console.kit.text import district_name, e, fmt_time
from backend_stub.console.kit.widgets import PAGE_SIZE, pager, table
from backend_stub.crud import alert_targeting
from backend_stub.crud import alerts as crud
from backend_stub.deps import DbDep
from backend_stub.errors import ApiError
from backend_stub.models import Alert, utcnow
from backend_stub.schemas.alerts import AlertIn

router = console_router("/console/alerts")


def _where(alert: Alert) -> str:
    lang = language()
    parts = [area["desc"].get(lang) or area["desc"].get("ru", "") for area in alert.areas]
    return e("; ".join(p for p in parts if p)) or "—"


@router.get("", response_class=HTMLResponse)
def alert_list(
    who: ConsoleSession, db: DbDep, before_id: Annotated[int | None, Query(ge=1)] = None
) -> Response:
    now = utcnow()
    rows = crud.list_all(db, before_id=before_id, limit=PAGE_SIZE)
    body_rows = []
    lang = language()
    for a in rows:
        text = a.texts.get(lang) or a.texts.get("ru", {})
        body_rows.append(
            "<tr>"
            f'<td class="nowrap"><a href="/console/alerts/{e(a.identifier)}">'
            f'<b>{e(a.identifier)}</b></a><span class="sub">'
            f"{e(MSG_TYPE_NAMES.get(a.msg_type, a.msg_type))}</span></td>"
            f"<td>{status_badge(a.status)}</td>"
            f"<td>{state_badge(a, now)}</td>"
            f'<td>{e(SEVERITY_NAMES.get(a.severity, a.severity))}<span class="sub">'
            f"{e(URGENCY_NAMES.get(a.urgency, a.urgency))}</span></td>"
            f'<td lang="{e(lang)}">{e(text.get("headline", ""))}</td>'
            f"<td>{_where(a)}</td>"
            f'<td class="nowrap">{e(fmt_time(a.sent))}<br>{e(fmt_time(a.expires))}</td>'
            f'<td><a href="/cap/alerts/{e(a.identifier)}.xml">XML</a></td></tr>'
        )
    headers = (
        _("Identifier"),
        _("Status"),
        _("State"),
        _("Severity / urgency"),
        _("Headline"),
        _("Area (of an alert)"),
        _("Sent / in force until"),
        "CAP",
    )
    body = (
        '<p><a href="/console/alerts/new"><button type="button">'
        f"{e(_('New emergency alert'))}</button></a> "
        f'<a class="small" href="/cap/feed.atom">{e(_("Atom feed"))}</a></p>'
        + table(headers, body_rows, _("No emergency alerts."))
        + pager("/console/alerts", rows)
    )
    return section_list(_(SECTION), _("CAP 1.2 · times in Astana time"), body, csrf=who.csrf)


def _alert_or_404(db: Session, who: SignedIn, identifier: str) -> Alert:
    try:
        return crud.get(db, identifier=identifier)
    except ApiError:
        raise not_found(_("No such emergency alert."), *back_to_list(), csrf=who.csrf) from None


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


def _where_to(areas: list[dict[str, Any]]) -> str:
    """Where an alert goes, in the operator's language: its areas' names and districts."""
    lang = language()
    names = [area["desc"].get(lang) or area["desc"].get("ru", "") for area in areas]
    names += [district_name(d) for area in areas for d in area["districts"]]
    return ", ".join(n for n in names if n) or "—"


def _ask(
    db: Session,
    who: SignedIn,
    *,
    action: str,
    fields: list[tuple[str, str]],
    status: str,
    areas: list[dict[str, Any]],
    back_href: str,
    can_edit: bool,
    cancel_of: str = "",
) -> ConsoleExit:
    """The confirmation page before an alert is sent (new, update or cancel of `cancel_of`)."""
    where, reached = _where_to(areas), alert_targeting.reach(db, areas=areas)
    if cancel_of:
        question = _(
            "Cancel alert {identifier}? About {n} residents in {where} get the cancellation; it"
            " cannot be taken back.",
            identifier=cancel_of, n=reached, where=where,
        )  # fmt: skip
        yes = _("Yes, cancel the alert")
    elif status == "Actual":
        question = _(
            "Send a REAL emergency alert to {where}? About {n} residents get it at once.",
            where=where, n=reached,
        )  # fmt: skip
        yes = _("Yes, send the real alert")
    else:
        question = _(
            "Send an alert marked as not real ({status}) to {where}? About {n} residents get it,"
            " marked so.",
            status=STATUS_NAMES.get(status, status),
            where=where, n=reached,
        )  # fmt: skip
        yes = _("Yes, send")
    return ConsoleExit(
        confirm_page(
            title=_("Confirm the alert"),
            question=question,
            action=action,
            fields=fields,
            yes_label=yes,
            csrf=who.csrf,
            back_href=back_href,
            can_edit=can_edit,
        )
    )


def _confirmed(
    db: Session,
    who: SignedIn,
    data: AlertIn,
    *,
    action: str,
    fields: list[tuple[str, str]],
    confirmed: str,
    back_href: str,
) -> None:
    """Go on only when the operator confirmed the send of `data` (raises the question page)."""
    if confirmed != YES:
        areas = crud.prepare(data, utcnow())["areas"]
        raise _ask(
            db, who, action=action, fields=fields, status=data.status, areas=areas,
            back_href=back_href, can_edit=True,
        )  # fmt: skip


@router.get("/new", response_class=HTMLResponse)
def new_form(who: ConsoleSession) -> Response:
    return render_new(who, AlertForm())


@router.post("", response_class=HTMLResponse)
def create(
    who: ConsoleForm,
    db: DbDep,
    form: PostedForm,
    posted: PostedFields,
    client_id: FormShort = "",
    confirmed: Confirmed = "",
) -> Response:
    def again(error: str, status: int) -> Response:
        return render_new(who, form, error=error, status=status)

    if confirmed == EDIT:
        return again("", 200)
    with refusals(db, again, explain=refusal_text):
        data = form.to_alert()
        _confirmed(
            db, who, data, action="/console/alerts", fields=posted, confirmed=confirmed,
            back_href="/console/alerts/new",
        )  # fmt: skip
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
    identifier: str,
    who: ConsoleForm,
    db: DbDep,
    form: PostedForm,
    posted: PostedFields,
    client_id: FormShort = "",
    confirmed: Confirmed = "",
) -> Response:
    alert = _alert_or_404(db, who, identifier)

    def again(error: str, status: int) -> Response:
        return render_alert(db, who, alert, form=form, error=error or None, status=status)

    if confirmed == EDIT:
        return again("", 200)
    with refusals(db, again, refresh=alert, explain=refusal_text):
        data = form.to_alert()
        _confirmed(
            db, who, data, action=f"/console/alerts/{identifier}/update", fields=posted,
            confirmed=confirmed, back_href=f"/console/alerts/{identifier}",
        )  # fmt: skip
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
    posted: PostedFields,
    client_id: FormShort = "",
    note: Annotated[str, Form(max_length=1000)] = "",
    confirmed: Confirmed = "",
) -> Response:
    alert = _alert_or_404(db, who, identifier)
    if confirmed != YES:
        raise _ask(
            db, who, action=f"/console/alerts/{identifier}/cancel", fields=posted,
            status=alert.status, areas=alert.areas, back_href=f"/console/alerts/{identifier}",
            can_edit=False, cancel_of=identifier,
        )  # fmt: skip

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
