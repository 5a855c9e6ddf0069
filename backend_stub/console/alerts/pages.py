"""The alert pages that show one alert or the form for a new one: its facts, texts, areas, the
chain of its messages, and the update and cancel forms."""

from __future__ import annotations

from fastapi.responses import HTMLResponse
from sqlmodel import Session

from backend_stub.console.alerts.form import AlertForm, form_html, in_language
from backend_stub.console.alerts.names import (
    CERTAINTY_NAMES,
    MSG_TYPE_NAMES,
    SEVERITY_NAMES,
    URGENCY_NAMES,
    state_badge,
    status_badge,
)
from backend_stub.console.auth import SignedIn
from backend_stub.console.kit.i18n import _, language
from backend_stub.console.kit.page import section_item
from backend_stub.console.kit.text import district_name, e, fmt_time
from backend_stub.console.kit.widgets import client_id_field, details, post_form
from backend_stub.crud import alerts as crud
from backend_stub.geo import Circle, circle_text, polygon_text
from backend_stub.models import Alert, utcnow

SECTION = "Emergency alerts"


def back_to_list() -> tuple[str, str]:
    return ("/console/alerts", _("All emergency alerts"))


def _hidden(who: SignedIn) -> str:
    return who.hidden + client_id_field()


def render_new(
    who: SignedIn, form: AlertForm, *, error: str | None = None, status: int = 200
) -> HTMLResponse:
    return section_item(
        _(SECTION),
        back_to_list(),
        _("New emergency alert"),
        '<div class="card">'
        + form_html(form, "/console/alerts", _hidden(who), _("Publish"))
        + "</div>",
        csrf=who.csrf,
        error=error,
        status=status,
    )


def _texts_html(alert: Alert) -> str:
    """The alert's texts, the operator's language first."""
    out = ""
    first = language()
    for lang in (first, "ru" if first == "kk" else "kk"):
        t = alert.texts.get(lang)
        if not t:
            continue
        out += (
            f'<div class="card" lang="{lang}"><h2>{e(in_language(_("Headline"), lang))}: '
            f"{e(t['headline'])}</h2>"
            f'<p class="muted small">{e(t["event"])} · {e(t["sender_name"])}</p>'
            f'<div class="text">{e(t["description"])}</div>'
            f'<b>{e(_("Instruction"))}</b><div class="text">{e(t["instruction"])}</div>'
            f'<p class="small">{e(t.get("contact") or "")}</p></div>'
        )
    return out


def _areas_html(alert: Alert) -> str:
    rows = []
    for area in alert.areas:
        shapes = [
            _("polygon: {points}", points=polygon_text([(p[0], p[1]) for p in ring]))
            for ring in area["polygons"]
        ]
        shapes += [
            _("circle: {circle} km", circle=circle_text(Circle(c[0], c[1], c[2])))
            for c in area["circles"]
        ]
        shapes += [_("district: {name}", name=district_name(d)) for d in area["districts"]]
        desc = area["desc"].get(language()) or area["desc"].get("ru", "")
        rows.append(
            f"<li>{e(desc)}<br>"
            f'<span class="small muted">{"<br>".join(e(s) for s in shapes)}</span></li>'
        )
    return f"<ul>{''.join(rows)}</ul>"


def _actions_html(who: SignedIn, alert: Alert, form: AlertForm | None) -> str:
    """The update and cancel forms of an alert still in force or expired."""
    what_happens = _(
        "A new CAP message (an update) referring to this one is sent; residents get the new text."
    )
    return (
        f'<div class="card"><h2>{e(_("Update the alert"))}</h2>'
        f'<p class="muted small">{e(what_happens)}</p>'
        + form_html(
            form or AlertForm.of(alert),
            f"/console/alerts/{alert.identifier}/update",
            _hidden(who),
            _("Send the update"),
        )
        + "</div>"
        + '<div class="card">'
        + post_form(
            f"/console/alerts/{alert.identifier}/cancel",
            _hidden(who),
            f"<h2>{e(_('Cancel the alert'))}</h2>"
            f'<label for="a-note">{e(_("Reason (shown in the CAP message)"))}</label>'
            '<input type="text" class="wide" id="a-note" name="note" maxlength="1000">',
            _("Cancel the alert"),
            button_cls="danger",
        )
        + "</div>"
    )


def render_alert(
    db: Session,
    who: SignedIn,
    alert: Alert,
    *,
    form: AlertForm | None = None,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    now = utcnow()
    chain = crud.chain_of(db, chain=alert.chain)
    this_one = f" · <b>{e(_('this message'))}</b>"
    history = "".join(
        f'<li><a href="/console/alerts/{e(m.identifier)}">{e(m.identifier)}</a> · '
        f"{e(MSG_TYPE_NAMES.get(m.msg_type, m.msg_type))} · {e(fmt_time(m.sent))}"
        + (this_one if m.id == alert.id else "")
        + "</li>"
        for m in chain
    )
    facts = details(
        [
            (_("Status"), status_badge(alert.status)),
            (_("Message type"), e(MSG_TYPE_NAMES.get(alert.msg_type, alert.msg_type))),
            (_("State"), state_badge(alert, now)),
            (_("Severity"), e(SEVERITY_NAMES.get(alert.severity, alert.severity))),
            (_("Urgency"), e(URGENCY_NAMES.get(alert.urgency, alert.urgency))),
            (_("Certainty"), e(CERTAINTY_NAMES.get(alert.certainty, alert.certainty))),
            (_("Sent"), e(fmt_time(alert.sent))),
            (_("In force until"), e(fmt_time(alert.expires))),
            (_("Note"), e(alert.note) if alert.note else None),
            ("CAP 1.2", f'<a href="/cap/alerts/{e(alert.identifier)}.xml">XML</a>'),
        ]
    )
    facts += (
        f'<h2 style="margin-top:14px">{e(_("Area (of an alert)"))}</h2>{_areas_html(alert)}'
        f"<h2>{e(_('History of the alert'))}</h2><ol>{history}</ol>"
    )
    actions = ""
    if alert.msg_type != "Cancel" and crud.state(alert, now) in {"active", "expired"}:
        actions = _actions_html(who, alert, form)
    return section_item(
        _(SECTION),
        back_to_list(),
        _("Emergency alert {identifier}", identifier=alert.identifier),
        f'<div class="grid"><div><div class="card">{facts}</div>{_texts_html(alert)}</div>'
        f"<div>{actions}</div></div>",
        csrf=who.csrf,
        error=error,
        status=status,
    )
