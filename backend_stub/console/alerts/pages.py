"""The alert pages that show one alert or the form for a new one: its facts, texts, areas, the
chain of its messages, and the update and cancel forms."""

from __future__ import annotations

from fastapi.responses import HTMLResponse
from sqlmodel import Session

from backend_stub.console.alerts.form import AlertForm, form_html
from backend_stub.console.alerts.names import (
    CERTAINTY_NAMES,
    MSG_TYPE_NAMES,
    SEVERITY_NAMES,
    URGENCY_NAMES,
    state_badge,
    status_badge,
)
from backend_stub.console.auth import SignedIn
from backend_stub.console.kit.page import section_item
from backend_stub.console.kit.text import district_name, e, fmt_time
from backend_stub.console.kit.widgets import client_id_field, details, post_form
from backend_stub.crud import alerts as crud
from backend_stub.geo import Circle, circle_text, polygon_text
from backend_stub.models import Alert, utcnow

BACK_TO_LIST = ("/console/alerts", "Все оповещения")


def _hidden(who: SignedIn) -> str:
    return who.hidden + client_id_field()


def render_new(
    who: SignedIn, form: AlertForm, *, error: str | None = None, status: int = 200
) -> HTMLResponse:
    return section_item(
        "Экстренные оповещения",
        BACK_TO_LIST,
        "Новое экстренное оповещение",
        '<div class="card">'
        + form_html(form, "/console/alerts", _hidden(who), "Опубликовать · Жариялау")
        + "</div>",
        csrf=who.csrf,
        error=error,
        status=status,
        tab_title="Новое оповещение",
    )


def _texts_html(alert: Alert) -> str:
    out = ""
    for lang, title in (("ru", "По-русски"), ("kk", "Қазақша")):
        t = alert.texts.get(lang)
        if not t:
            continue
        out += (
            f'<div class="card"><h2>{e(title)}: {e(t["headline"])}</h2>'
            f'<p class="muted small">{e(t["event"])} · {e(t["sender_name"])}</p>'
            f'<div class="text">{e(t["description"])}</div>'
            f'<b>Инструкция · Нұсқаулық</b><div class="text">{e(t["instruction"])}</div>'
            f'<p class="small">{e(t.get("contact") or "")}</p></div>'
        )
    return out


def _areas_html(alert: Alert) -> str:
    rows = []
    for area in alert.areas:
        shapes = [
            f"полигон: {e(polygon_text([(p[0], p[1]) for p in ring]))}" for ring in area["polygons"]
        ]
        shapes += [f"круг: {e(circle_text(Circle(c[0], c[1], c[2])))} км" for c in area["circles"]]
        shapes += [f"район: {e(district_name(d))}" for d in area["districts"]]
        rows.append(
            f"<li>{e(area['desc'].get('ru', ''))}"
            f'<span class="kk">{e(area["desc"].get("kk", ""))}</span>'
            f'<span class="small muted">{"<br>".join(shapes)}</span></li>'
        )
    return f"<ul>{''.join(rows)}</ul>"


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
    history = "".join(
        f'<li><a href="/console/alerts/{e(m.identifier)}">{e(m.identifier)}</a> · '
        f"{e(MSG_TYPE_NAMES.get(m.msg_type, m.msg_type))} · {e(fmt_time(m.sent))}"
        + (" · <b>это сообщение</b>" if m.id == alert.id else "")
        + "</li>"
        for m in chain
    )
    facts = details(
        [
            ("Статус", status_badge(alert.status)),
            ("Тип сообщения", e(MSG_TYPE_NAMES.get(alert.msg_type, alert.msg_type))),
            ("Состояние", state_badge(alert, now)),
            ("Опасность", e(SEVERITY_NAMES.get(alert.severity, alert.severity))),
            ("Срочность", e(URGENCY_NAMES.get(alert.urgency, alert.urgency))),
            ("Достоверность", e(CERTAINTY_NAMES.get(alert.certainty, alert.certainty))),
            ("Отправлено", e(fmt_time(alert.sent))),
            ("Действует до", e(fmt_time(alert.expires))),
            ("Примечание", e(alert.note) if alert.note else None),
            ("CAP 1.2", f'<a href="/cap/alerts/{e(alert.identifier)}.xml">XML</a>'),
        ]
    )
    facts += (
        f'<h2 style="margin-top:14px">Зона</h2>{_areas_html(alert)}'
        f"<h2>История оповещения</h2><ol>{history}</ol>"
    )
    actions = ""
    state = crud.state(alert, now)
    if alert.msg_type != "Cancel" and state in {"active", "expired"}:
        actions = (
            '<div class="card"><h2>Обновить · Жаңарту</h2>'
            '<p class="muted small">Будет отправлено новое сообщение CAP (Update) со ссылкой на'
            " это; жители получат обновлённый текст.</p>"
            + form_html(
                form or AlertForm.of(alert),
                f"/console/alerts/{alert.identifier}/update",
                _hidden(who),
                "Отправить обновление · Жаңартуды жіберу",
            )
            + "</div>"
            + '<div class="card">'
            + post_form(
                f"/console/alerts/{alert.identifier}/cancel",
                _hidden(who),
                "<h2>Отменить оповещение · Ескертудің күшін жою</h2>"
                '<label for="a-note">Причина (видна в сообщении CAP)</label>'
                '<input type="text" class="wide" id="a-note" name="note" maxlength="1000">',
                "Отменить · Күшін жою",
                button_cls="secondary",
            )
            + "</div>"
        )
    return section_item(
        "Экстренные оповещения",
        BACK_TO_LIST,
        f"Оповещение {alert.identifier}",
        f'<div class="grid"><div><div class="card">{facts}</div>{_texts_html(alert)}</div>'
        f"<div>{actions}</div></div>",
        csrf=who.csrf,
        error=error,
        status=status,
    )
