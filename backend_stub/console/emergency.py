"""The console's page of forwards to the emergency services (/console/emergency).

Forwards the service has not confirmed (not_confirmed, failed) are the operator's alerts: they
come first, flagged, with the number to call. Once the operator has the dispatcher's
confirmation by phone they record it here (the forward turns accepted and the resident sees
it). The same alerts are lines of kind "emergency" in the appeal's history on its own page.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import Form, Query
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from backend_stub.console.auth import STALE_FORM, ConsoleSession, SignedIn
from backend_stub.console.kit.i18n import Names, _, language
from backend_stub.console.kit.page import (
    back_link,
    console_router,
    error_box,
    heading,
    layout,
    redirect,
)
from backend_stub.console.kit.text import e, fmt_time
from backend_stub.console.kit.widgets import badge, chips, post_form, table
from backend_stub.crud import emergency as crud
from backend_stub.deps import DbDep
from backend_stub.models import Appeal, EmergencyForward, utcnow
from backend_stub.schemas.emergency import SERVICE_NAMES, ForwardState

router = console_router("/console/emergency")

PAGE_SIZE = 100
ALERT_ROW = ' style="background:#fff1f1"'

STATE_NAMES = Names(
    {
        ForwardState.PENDING: "Being sent",
        ForwardState.SENT: "Received, awaiting confirmation",
        ForwardState.ACCEPTED: "Accepted by the service",
        ForwardState.NOT_CONFIRMED: "Not confirmed",
        ForwardState.FAILED: "Not confirmed, no attempts left",
    }
)
STATE_CLASS: dict[str, str] = {
    ForwardState.PENDING: "st-created",
    ForwardState.SENT: "st-in_progress",
    ForwardState.ACCEPTED: "st-closed",
    ForwardState.NOT_CONFIRMED: "emergency",
    ForwardState.FAILED: "emergency",
}


def _state_badge(state: str) -> str:
    return badge(STATE_NAMES.get(state, state), STATE_CLASS.get(state, ""))


def _row(fwd: EmergencyForward, appeal: Appeal, hidden: str) -> str:
    service_name = SERVICE_NAMES[fwd.service][language()]
    alert = fwd.state in crud.ALERT_STATES
    details = []
    if fwd.external_id:
        details.append(e(_("Incident: {id}", id=fwd.external_id)))
    if fwd.acceptance_id:
        details.append(
            e(_("Accepted: {id}, {when}", id=fwd.acceptance_id, when=fmt_time(fwd.accepted_at)))
        )
    if fwd.last_error:
        details.append(f'<span class="muted">{e(_("Error: {text}", text=fwd.last_error))}</span>')
    action = ""
    if alert:
        action = f"<b>{e(_('Call {number}', number=fwd.service))}</b>" + post_form(
            f"/console/emergency/{fwd.id}/accepted",
            hidden,
            f'<label for="acc-{fwd.id}">{e(_("Acceptance number given by the dispatcher"))}'
            "</label>"
            f'<input type="text" id="acc-{fwd.id}" name="acceptance_id" maxlength="64" required>',
            _("Accepted by phone"),
        )
    return (
        f"<tr{ALERT_ROW if alert else ''}>"
        f'<td class="nowrap"><a href="/console/appeals/{appeal.id}"><b>{e(appeal.number)}</b></a>'
        f'<span class="sub">{e(appeal.address or "")}</span></td>'
        f"<td>{e(fwd.service)} · {e(service_name)}</td>"
        f"<td>{_state_badge(fwd.state)}</td>"
        f"<td>{fwd.attempts}</td>"
        f'<td class="small">{"<br>".join(details) or "—"}</td>'
        f'<td class="nowrap">{e(fmt_time(fwd.created_at))}<span class="sub">'
        f"{e(fmt_time(fwd.updated_at))}</span></td>"
        f"<td>{action}</td></tr>"
    )


def render_list(
    db: Session,
    who: SignedIn,
    *,
    alerts_only: bool,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    rows = crud.console_rows(db, only_alerts=alerts_only, limit=PAGE_SIZE)
    alerts = crud.alert_count(db)
    toggle = (
        ("/console/emergency", _("Show all"))
        if alerts_only
        else (f"/console/emergency?{urlencode({'alerts': '1'})}", _("Unconfirmed only"))
    )
    banner = (
        f'<div class="error" role="alert">{e(_("Not confirmed by the service: {n}.", n=alerts))} '
        f"{e(_('Call the service and record the acceptance.'))}</div>"
        if alerts
        else ""
    )
    headers = (
        _("Appeal"),
        _("Service"),
        _("State"),
        _("Attempts"),
        _("System's answer"),
        _("Created / changed"),
        "",
    )
    content = (
        back_link("/console", _("All appeals"))
        + heading(_("Forwards to the emergency services"), _("Times in Astana time"))
        + error_box(error)
        + banner
        + chips([(toggle[0], e(toggle[1]))])
        + table(
            headers,
            (_row(fwd, appeal, who.hidden) for fwd, appeal in rows),
            _("No forwards to the emergency services."),
        )
    )
    return layout(_("Emergency services"), content, csrf=who.csrf, status=status)


@router.get("", response_class=HTMLResponse)
def forward_list(
    who: ConsoleSession, db: DbDep, alerts: Annotated[str, Query(max_length=2)] = ""
) -> Response:
    return render_list(db, who, alerts_only=bool(alerts))


@router.post("/{forward_id}/accepted")
def accepted_by_phone(
    forward_id: int,
    who: ConsoleSession,
    db: DbDep,
    csrf: Annotated[str, Form()] = "",
    acceptance_id: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """The operator got the service's confirmation by phone: the forward is accepted."""
    if not who.csrf_ok(csrf):  # a stale form: this list again, with the reason
        return render_list(db, who, alerts_only=False, status=403, error=_(STALE_FORM))
    found = crud.forward_with_appeal(db, forward_id=forward_id)
    if found is None:
        return render_list(db, who, alerts_only=False, status=404, error=_("No such forward."))
    fwd, appeal = found
    number = acceptance_id.strip()
    if not number:
        return render_list(
            db,
            who,
            alerts_only=False,
            status=422,
            error=_("Give the acceptance number the dispatcher told you."),
        )
    now = utcnow()
    if crud.mark_accepted(
        db,
        fwd=fwd,
        appeal=appeal,
        acceptance_id=number,
        accepted_at=now,
        now=now,
        by_operator=who.user,
    ):
        db.commit()
    return redirect("/console/emergency")
