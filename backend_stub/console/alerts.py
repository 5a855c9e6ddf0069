"""Console pages for emergency alerts (CAP 1.2) under /console/alerts: list, publish, update,
cancel.

Writes go through the same crud as the operator API (`crud.alerts`), so the checks, the CAP
validation and the sync feed (and so the residents' push channel) are the same.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Form, Query
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from backend_stub.console.auth import ConsoleForm, ConsoleSession, SignedIn
from backend_stub.console.core import (
    PAGE_SIZE,
    FormError,
    FormShort,
    FormText,
    badge,
    client_id_field,
    console_router,
    details,
    district_checkboxes,
    district_name,
    e,
    fmt_time,
    not_found,
    once_per_form,
    options,
    pager,
    parse_local,
    post_form,
    redirect,
    refusals,
    section_item,
    section_list,
    table,
    to_local,
    validation_text,
)
from backend_stub.crud import alerts as crud
from backend_stub.deps import DbDep
from backend_stub.errors import ApiError
from backend_stub.geo import Circle, circle_text, polygon_text
from backend_stub.models import Alert, utcnow
from backend_stub.schemas.alerts import AlertIn
from backend_stub.services import cap

router = console_router("/console/alerts")
BACK_TO_LIST = ("/console/alerts", "Все оповещения")

STATUS_NAMES = {
    "Actual": ("Реальное", "Нақты"),
    "Exercise": ("Учения", "Оқу-жаттығу"),
    "Test": ("Тест", "Тест"),
    "System": ("Системное", "Жүйелік"),
    "Draft": ("Черновик", "Жоба"),
}
MSG_TYPE_NAMES = {"Alert": "Оповещение", "Update": "Обновление", "Cancel": "Отмена"}
STATE_NAMES = {
    "active": ("Действует", "Күшінде", "st-closed"),
    "expired": ("Истекло", "Мерзімі өтті", ""),
    "superseded": ("Заменено", "Ауыстырылды", "st-reassigned"),
    "cancelled": ("Отменено", "Күші жойылды", "st-returned"),
}
SEVERITY_NAMES = {
    "Extreme": "Чрезвычайная",
    "Severe": "Высокая",
    "Moderate": "Средняя",
    "Minor": "Низкая",
    "Unknown": "Неизвестно",
}
URGENCY_NAMES = {
    "Immediate": "Немедленно",
    "Expected": "Ожидается (в течение часа)",
    "Future": "В будущем",
    "Past": "Уже прошло",
    "Unknown": "Неизвестно",
}
CERTAINTY_NAMES = {
    "Observed": "Наблюдается",
    "Likely": "Вероятно (> 50 %)",
    "Possible": "Возможно",
    "Unlikely": "Маловероятно",
    "Unknown": "Неизвестно",
}
CATEGORY_NAMES = {
    "Met": "Погода",
    "Geo": "Геологическое (землетрясение)",
    "Safety": "Общественная безопасность",
    "Security": "Охрана порядка",
    "Rescue": "Спасательные работы",
    "Fire": "Пожар",
    "Health": "Здоровье",
    "Env": "Экология",
    "Transport": "Транспорт",
    "Infra": "Инфраструктура (вода, тепло, свет)",
    "CBRNE": "Химическая, радиационная угроза",
    "Other": "Другое",
}
RESPONSE_NAMES = {
    "": "— не указано —",
    "Shelter": "Укрыться",
    "Evacuate": "Эвакуироваться",
    "Prepare": "Подготовиться",
    "Execute": "Выполнить инструкцию",
    "Avoid": "Избегать района",
    "Monitor": "Следить за сообщениями",
    "AllClear": "Отбой",
}
FIELD_NAMES = {
    "status": "Статус",
    "category": "Категория",
    "urgency": "Срочность",
    "severity": "Опасность",
    "certainty": "Достоверность",
    "expires": "Действует до",
    "onset": "Начало",
    "texts": "Тексты",
    "areas": "Зона",
}
TEXT_NAMES = {
    "event": "Событие",
    "headline": "Заголовок",
    "description": "Описание",
    "instruction": "Инструкция",
}


def _status_badge(status: str) -> str:
    ru, kk = STATUS_NAMES.get(status, (status, ""))
    return badge(ru, kk, "emergency" if status == "Actual" else "")


def _state_badge(alert: Alert, now: datetime) -> str:
    ru, kk, cls = STATE_NAMES[crud.state(alert, now)]
    return badge(ru, kk, cls)


def _where(alert: Alert) -> str:
    parts: list[str] = []
    for area in alert.areas:
        parts.append(area["desc"].get("ru", ""))
    return e("; ".join(p for p in parts if p)) or "—"


# ---------------------------------------------------------------- the list


@router.get("", response_class=HTMLResponse)
def alert_list(
    who: ConsoleSession,
    db: DbDep,
    before_id: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    now = utcnow()
    rows = crud.list_all(db, before_id, PAGE_SIZE)
    body_rows = []
    for a in rows:
        text_ru, text_kk = a.texts.get("ru", {}), a.texts.get("kk", {})
        body_rows.append(
            "<tr>"
            f'<td class="nowrap"><a href="/console/alerts/{e(a.identifier)}">'
            f'<b>{e(a.identifier)}</b></a><span class="kk">'
            f"{e(MSG_TYPE_NAMES.get(a.msg_type, a.msg_type))}</span></td>"
            f"<td>{_status_badge(a.status)}</td>"
            f"<td>{_state_badge(a, now)}</td>"
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
        "Экстренные оповещения",
        "Төтенше ескертулер (CAP 1.2) · время: Астана",
        body,
        csrf=who.csrf,
    )


# ---------------------------------------------------------------- the form


@dataclass
class AlertForm:
    """The form's raw values, kept as typed so a refused form comes back filled in."""

    status: str = "Actual"
    category: str = "Safety"
    response_type: str = ""
    severity: str = "Severe"
    urgency: str = "Expected"
    certainty: str = "Likely"
    event_kk: str = ""
    event_ru: str = ""
    headline_kk: str = ""
    headline_ru: str = ""
    description_kk: str = ""
    description_ru: str = ""
    instruction_kk: str = ""
    instruction_ru: str = ""
    area_kk: str = ""
    area_ru: str = ""
    circle_lat: str = ""
    circle_lon: str = ""
    circle_km: str = ""
    polygons: str = ""  # one polygon per line
    districts: list[str] = field(default_factory=list)
    onset: str = ""
    expires: str = ""

    @classmethod
    def of(cls, alert: Alert) -> AlertForm:
        kk, ru = alert.texts["kk"], alert.texts["ru"]
        area = alert.areas[0] if alert.areas else {"desc": {}, "polygons": [], "circles": []}
        circle = area["circles"][0] if area["circles"] else None
        return cls(
            status=alert.status,
            category=alert.category[0] if alert.category else "Other",
            response_type=alert.response_type[0] if alert.response_type else "",
            severity=alert.severity,
            urgency=alert.urgency,
            certainty=alert.certainty,
            event_kk=kk["event"],
            event_ru=ru["event"],
            headline_kk=kk["headline"],
            headline_ru=ru["headline"],
            description_kk=kk["description"],
            description_ru=ru["description"],
            instruction_kk=kk["instruction"],
            instruction_ru=ru["instruction"],
            area_kk=area["desc"].get("kk", ""),
            area_ru=area["desc"].get("ru", ""),
            circle_lat="" if circle is None else str(circle[0]),
            circle_lon="" if circle is None else str(circle[1]),
            circle_km="" if circle is None else str(circle[2]),
            polygons="\n".join(
                polygon_text([(p[0], p[1]) for p in ring])
                for a in alert.areas
                for ring in a["polygons"]
            ),
            districts=sorted({d for a in alert.areas for d in a["districts"]}),
            onset=to_local(alert.onset, cap.ASTANA_TZ),
            expires=to_local(alert.expires, cap.ASTANA_TZ),
        )

    def _circle(self) -> list[str]:
        parts = [self.circle_lat.strip(), self.circle_lon.strip(), self.circle_km.strip()]
        if not any(parts):
            return []
        if not all(parts):
            raise FormError("Для круга укажите широту, долготу и радиус или оставьте все пустыми.")
        try:
            lat, lon, km = (float(p.replace(",", ".")) for p in parts)
        except ValueError:
            raise FormError("Широта, долгота и радиус круга должны быть числами.") from None
        return [circle_text(Circle(lat, lon, km))]

    def to_alert(self) -> AlertIn:
        """The API shape; FormError with a Russian explanation when a value cannot be read."""
        texts = {
            lang: {
                "event": getattr(self, f"event_{lang}"),
                "headline": getattr(self, f"headline_{lang}"),
                "description": getattr(self, f"description_{lang}"),
                "instruction": getattr(self, f"instruction_{lang}"),
            }
            for lang in ("kk", "ru")
        }
        area = {
            "desc": {
                lang: text
                for lang, text in (("kk", self.area_kk.strip()), ("ru", self.area_ru.strip()))
                if text
            },
            "polygons": [line.strip() for line in self.polygons.splitlines() if line.strip()],
            "circles": self._circle(),
            "districts": self.districts,
        }
        data: dict[str, Any] = {
            "status": self.status,
            "category": [self.category],
            "response_type": [self.response_type] if self.response_type else [],
            "urgency": self.urgency,
            "severity": self.severity,
            "certainty": self.certainty,
            "onset": parse_local(self.onset, "Начало", cap.ASTANA_TZ),
            "expires": parse_local(self.expires, "Действует до", cap.ASTANA_TZ),
            "texts": texts,
            "areas": [area],
        }
        return AlertIn.model_validate(data)


def _text_field_name(loc: list[str]) -> str | None:
    if len(loc) > 2 and loc[0] == "texts":
        return f"{TEXT_NAMES.get(loc[2], loc[2])} ({'қаз.' if loc[1] == 'kk' else 'рус.'})"
    return None


def _validation_text(exc: ValidationError) -> str:
    return validation_text(
        exc,
        FIELD_NAMES,
        name_of=_text_field_name,
        missing=lambda kind, loc: (
            kind == "none_required" or (kind == "datetime_type" and loc == ["expires"])
        ),
    )


def _select(name: str, label: str, names: dict[str, str], value: str) -> str:
    return (
        f'<div><label for="a-{name}">{e(label)}</label>'
        f'<select id="a-{name}" name="{name}">'
        f"{options([(k, v) for k, v in names.items()], value)}</select></div>"
    )


def _text_pair(name: str, label_ru: str, label_kk: str, form: AlertForm, *, area: bool) -> str:
    out = ""
    for lang, label in (("kk", f"{label_kk} (қазақша)"), ("ru", f"{label_ru} (по-русски)")):
        value = getattr(form, f"{name}_{lang}")
        if area:
            out += (
                f'<label for="a-{name}-{lang}">{e(label)}</label><textarea id="a-{name}-{lang}"'
                f' name="{name}_{lang}" maxlength="4000" required>{e(value)}</textarea>'
            )
        else:
            out += (
                f'<label for="a-{name}-{lang}">{e(label)}</label><input type="text" class="wide"'
                f' id="a-{name}-{lang}" name="{name}_{lang}" maxlength="200" required'
                f' value="{e(value)}">'
            )
    return out


def form_html(form: AlertForm, action: str, hidden: str, submit: str) -> str:
    statuses = {
        k: f"{ru} · {kk}" for k, (ru, kk) in STATUS_NAMES.items() if k in crud.PUBLIC_STATUSES
    }
    return post_form(
        action,
        hidden,
        '<div class="filters">'
        + _select("status", "Статус", statuses, form.status)
        + _select("category", "Категория", CATEGORY_NAMES, form.category)
        + _select("severity", "Опасность", SEVERITY_NAMES, form.severity)
        + _select("urgency", "Срочность", URGENCY_NAMES, form.urgency)
        + _select("certainty", "Достоверность", CERTAINTY_NAMES, form.certainty)
        + _select("response_type", "Что делать жителям", RESPONSE_NAMES, form.response_type)
        + "</div>"
        + _text_pair("event", "Событие", "Оқиға", form, area=False)
        + _text_pair("headline", "Заголовок", "Тақырыбы", form, area=False)
        + _text_pair("description", "Описание", "Сипаттамасы", form, area=True)
        + _text_pair("instruction", "Инструкция: что делать", "Не істеу керек", form, area=True)
        + '<h2 style="margin-top:16px">Зона · Аумақ</h2>'
        '<label for="a-area-kk">Название зоны (қазақша)</label>'
        f'<input type="text" class="wide" id="a-area-kk" name="area_kk" maxlength="300"'
        f' required value="{e(form.area_kk)}">'
        '<label for="a-area-ru">Название зоны (по-русски)</label>'
        f'<input type="text" class="wide" id="a-area-ru" name="area_ru" maxlength="300"'
        f' required value="{e(form.area_ru)}">'
        '<div class="filters">'
        '<div><label for="a-clat">Круг: широта центра</label><input type="text" id="a-clat"'
        f' name="circle_lat" value="{e(form.circle_lat)}" placeholder="51.1282"></div>'
        '<div><label for="a-clon">долгота</label><input type="text" id="a-clon"'
        f' name="circle_lon" value="{e(form.circle_lon)}" placeholder="71.4307"></div>'
        '<div><label for="a-ckm">радиус, км</label><input type="text" id="a-ckm"'
        f' name="circle_km" value="{e(form.circle_km)}" placeholder="2"></div></div>'
        '<label for="a-poly">Полигоны: по одному в строке, «широта,долгота» через пробел,'
        " последняя точка = первой</label>"
        f'<textarea id="a-poly" name="polygons" maxlength="40000">{e(form.polygons)}</textarea>'
        f"<label>Районы</label><div>{district_checkboxes(form.districts)}</div>"
        '<div class="filters">'
        '<div><label for="a-onset">Начало (Астана, необязательно)</label>'
        f'<input type="datetime-local" id="a-onset" name="onset" value="{e(form.onset)}"></div>'
        '<div><label for="a-exp">Действует до (Астана)</label>'
        f'<input type="datetime-local" id="a-exp" name="expires" value="{e(form.expires)}"'
        " required></div></div>",
        submit,
    )


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
    chain = crud.chain_of(db, alert.chain)
    history = "".join(
        f'<li><a href="/console/alerts/{e(m.identifier)}">{e(m.identifier)}</a> · '
        f"{e(MSG_TYPE_NAMES.get(m.msg_type, m.msg_type))} · {e(fmt_time(m.sent))}"
        + (" · <b>это сообщение</b>" if m.id == alert.id else "")
        + "</li>"
        for m in chain
    )
    facts = details(
        [
            ("Статус", _status_badge(alert.status)),
            ("Тип сообщения", e(MSG_TYPE_NAMES.get(alert.msg_type, alert.msg_type))),
            ("Состояние", _state_badge(alert, now)),
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


# ---------------------------------------------------------------- routes


def alert_form(
    status: FormShort = "Actual",
    category: FormShort = "Safety",
    response_type: FormShort = "",
    severity: FormShort = "",
    urgency: FormShort = "",
    certainty: FormShort = "",
    event_kk: FormText = "",
    event_ru: FormText = "",
    headline_kk: FormText = "",
    headline_ru: FormText = "",
    description_kk: FormText = "",
    description_ru: FormText = "",
    instruction_kk: FormText = "",
    instruction_ru: FormText = "",
    area_kk: FormText = "",
    area_ru: FormText = "",
    circle_lat: FormShort = "",
    circle_lon: FormShort = "",
    circle_km: FormShort = "",
    polygons: Annotated[str, Form(max_length=40000)] = "",
    districts: Annotated[list[str] | None, Form()] = None,
    onset: FormShort = "",
    expires: FormShort = "",
) -> AlertForm:
    """The posted alert form, as typed."""
    return AlertForm(
        status=status,
        category=category,
        response_type=response_type,
        severity=severity,
        urgency=urgency,
        certainty=certainty,
        event_kk=event_kk,
        event_ru=event_ru,
        headline_kk=headline_kk,
        headline_ru=headline_ru,
        description_kk=description_kk,
        description_ru=description_ru,
        instruction_kk=instruction_kk,
        instruction_ru=instruction_ru,
        area_kk=area_kk,
        area_ru=area_ru,
        circle_lat=circle_lat,
        circle_lon=circle_lon,
        circle_km=circle_km,
        polygons=polygons,
        districts=list(districts or []),
        onset=onset,
        expires=expires,
    )


PostedForm = Annotated[AlertForm, Depends(alert_form)]


def _alert_or_404(db: Session, who: SignedIn, identifier: str) -> Alert:
    try:
        return crud.get(db, identifier)
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

    with refusals(db, again, explain=_validation_text):
        data = form.to_alert()
        identifier = _once(
            db,
            who,
            client_id,
            "console.alerts.publish",
            data.model_dump(mode="json"),
            lambda: crud.publish(db, who.user, data),
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

    with refusals(db, again, refresh=alert, explain=_validation_text):
        data = form.to_alert()
        new_id = _once(
            db,
            who,
            client_id,
            "console.alerts.update",
            {"identifier": identifier, **data.model_dump(mode="json")},
            lambda: crud.update(db, who.user, identifier, data),
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
            lambda: crud.cancel(db, who.user, identifier, note),
        )
    return redirect(f"/console/alerts/{new_id}")
