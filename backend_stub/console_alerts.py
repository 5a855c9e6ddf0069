"""Operator console pages for emergency alerts (CAP 1.2): list, publish, update, cancel.

Built on console.py's layout, sign-in, CSRF and escaping helpers; writes go through the same
crud as the operator API (`crud.alerts`), so the checks, the CAP validation and the sync feed
(and so the residents' push channel) are the same.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from backend_stub import cap
from backend_stub.config import Settings
from backend_stub.console import (
    _check_csrf,
    _options,
    _redirect,
    _stale_form,
    api_error_text,
    csrf_token,
    district_name,
    e,
    error_box,
    fmt_time,
    layout,
    signed_in,
)
from backend_stub.crud import alerts as crud
from backend_stub.crud.idempotency import run_once
from backend_stub.deps import DbDep, SettingsDep
from backend_stub.errors import ApiError
from backend_stub.geo import DISTRICT_NAMES
from backend_stub.geometry import Circle, circle_text, polygon_text
from backend_stub.models import Alert, AuthSession, User, utcnow
from backend_stub.schemas.alerts import AlertIn

router = APIRouter(prefix="/console/alerts", include_in_schema=False)

PAGE_SIZE = 50
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"  # <input type="datetime-local">, Astana time

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


def _subnav() -> str:
    return '<p class="small"><a href="/console">Обращения</a> · <b>Экстренные оповещения</b></p>'


def _local(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(cap.ASTANA_TZ).strftime(LOCAL_FORMAT)


def _status_badge(status: str) -> str:
    ru, kk = STATUS_NAMES.get(status, (status, ""))
    cls = " emergency" if status == "Actual" else ""
    return f'<span class="badge{cls}">{e(ru)}</span><span class="kk">{e(kk)}</span>'


def _state_badge(alert: Alert, now: datetime) -> str:
    ru, kk, cls = STATE_NAMES[crud.state(alert, now)]
    return f'<span class="badge {cls}">{e(ru)}</span><span class="kk">{e(kk)}</span>'


def _where(alert: Alert) -> str:
    parts: list[str] = []
    for area in alert.areas:
        parts.append(area["desc"].get("ru", ""))
    return e("; ".join(p for p in parts if p)) or "—"


# ---------------------------------------------------------------- the list


@router.get("", response_class=HTMLResponse)
def alert_list(
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    before_id: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    who = signed_in(request, db, settings)
    if isinstance(who, Response):
        return who
    _op, auth = who
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
    table = (
        "<table><thead><tr><th>Идентификатор</th><th>Статус</th><th>Состояние</th>"
        "<th>Опасность / срочность</th><th>Заголовок</th><th>Зона</th>"
        "<th>Отправлено / до</th><th>CAP</th></tr></thead><tbody>"
        + (
            "".join(body_rows)
            or '<tr><td colspan="8" class="muted">Оповещений нет · Ескерту жоқ.</td></tr>'
        )
        + "</tbody></table>"
    )
    pager = ""
    if len(rows) == PAGE_SIZE:
        pager = (
            f'<div class="pager"><a href="/console/alerts?before_id={rows[-1].id}">Дальше →</a>'
            "</div>"
        )
    content = (
        f"{_subnav()}"
        '<h1>Экстренные оповещения <span class="muted small">Төтенше ескертулер (CAP 1.2) · '
        "время: Астана</span></h1>"
        '<p><a href="/console/alerts/new"><button type="button">Новое оповещение · Жаңа ескерту'
        '</button></a> <a class="small" href="/cap/feed.atom">Лента Atom</a></p>'
        f"{table}{pager}"
    )
    return layout("Экстренные оповещения", content, csrf=csrf_token(settings, auth))


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
            onset=_local(alert.onset),
            expires=_local(alert.expires),
        )

    def _circle(self) -> list[str]:
        parts = [self.circle_lat.strip(), self.circle_lon.strip(), self.circle_km.strip()]
        if not any(parts):
            return []
        if not all(parts):
            raise ValueError("Для круга укажите широту, долготу и радиус или оставьте все пустыми.")
        try:
            lat, lon, km = (float(p.replace(",", ".")) for p in parts)
        except ValueError:
            raise ValueError("Широта, долгота и радиус круга должны быть числами.") from None
        return [circle_text(Circle(lat, lon, km))]

    def to_alert(self) -> AlertIn:
        """The API shape; ValueError with a Russian explanation when a value cannot be read."""
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
            "onset": _parse_local(self.onset, "Начало"),
            "expires": _parse_local(self.expires, "Действует до"),
            "texts": texts,
            "areas": [area],
        }
        return AlertIn.model_validate(data)


def _parse_local(value: str, label: str) -> datetime | None:
    if not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{label}: неверная дата и время.") from None
    return moment.replace(tzinfo=cap.ASTANA_TZ) if moment.tzinfo is None else moment


def _validation_text(exc: ValidationError) -> str:
    problems = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        name = FIELD_NAMES.get(loc[0], loc[0]) if loc else "?"
        if len(loc) > 2 and loc[0] == "texts":
            name = f"{TEXT_NAMES.get(loc[2], loc[2])} ({'қаз.' if loc[1] == 'kk' else 'рус.'})"
        kind = err.get("type", "")
        if kind in {"string_too_short", "missing", "none_required"} or (
            kind == "datetime_type" and loc == ["expires"]
        ):
            why = "нужно заполнить"
        elif kind == "string_too_long":
            why = f"слишком длинно (не более {err.get('ctx', {}).get('max_length', '')} симв.)"
        else:
            why = "неверное значение"
        problems.append(f"{name} — {why}")
    return "Проверьте поля: " + "; ".join(problems) + "."


def _checkboxes(chosen: list[str]) -> str:
    return "".join(
        f'<label style="display:inline-block;margin-right:14px"><input type="checkbox" '
        f'name="districts" value="{e(code)}"{" checked" if code in chosen else ""}> '
        f"{e(names['ru'])}</label>"
        for code, names in DISTRICT_NAMES.items()
    )


def _select(name: str, label: str, names: dict[str, str], value: str) -> str:
    return (
        f'<div><label for="a-{name}">{e(label)}</label>'
        f'<select id="a-{name}" name="{name}">'
        f"{_options([(k, v) for k, v in names.items()], value)}</select></div>"
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
    return (
        f'<form method="post" action="{e(action)}">{hidden}'
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
        f"<label>Районы</label><div>{_checkboxes(form.districts)}</div>"
        '<div class="filters">'
        '<div><label for="a-onset">Начало (Астана, необязательно)</label>'
        f'<input type="datetime-local" id="a-onset" name="onset" value="{e(form.onset)}"></div>'
        '<div><label for="a-exp">Действует до (Астана)</label>'
        f'<input type="datetime-local" id="a-exp" name="expires" value="{e(form.expires)}"'
        " required></div></div>"
        f'<div class="actions"><button type="submit">{e(submit)}</button></div></form>'
    )


def _hidden(settings: Settings, auth: AuthSession) -> str:
    return (
        f'<input type="hidden" name="csrf" value="{e(csrf_token(settings, auth))}">'
        f'<input type="hidden" name="client_id" value="{e(uuid.uuid4())}">'
    )


def render_new(
    settings: Settings,
    auth: AuthSession,
    form: AlertForm,
    *,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    content = (
        f'{_subnav()}<p class="small"><a href="/console/alerts">← Все оповещения</a></p>'
        f"<h1>Новое экстренное оповещение</h1>{error_box(error)}"
        '<div class="card">'
        + form_html(form, "/console/alerts", _hidden(settings, auth), "Опубликовать · Жариялау")
        + "</div>"
    )
    return layout("Новое оповещение", content, csrf=csrf_token(settings, auth), status=status)


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
    settings: Settings,
    auth: AuthSession,
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
    details = (
        f"<dl><dt>Статус</dt><dd>{_status_badge(alert.status)}</dd>"
        f"<dt>Тип сообщения</dt><dd>{e(MSG_TYPE_NAMES.get(alert.msg_type, alert.msg_type))}</dd>"
        f"<dt>Состояние</dt><dd>{_state_badge(alert, now)}</dd>"
        f"<dt>Опасность</dt><dd>{e(SEVERITY_NAMES.get(alert.severity, alert.severity))}</dd>"
        f"<dt>Срочность</dt><dd>{e(URGENCY_NAMES.get(alert.urgency, alert.urgency))}</dd>"
        "<dt>Достоверность</dt>"
        f"<dd>{e(CERTAINTY_NAMES.get(alert.certainty, alert.certainty))}</dd>"
        f"<dt>Отправлено</dt><dd>{e(fmt_time(alert.sent))}</dd>"
        f"<dt>Действует до</dt><dd>{e(fmt_time(alert.expires))}</dd>"
        + (f"<dt>Примечание</dt><dd>{e(alert.note)}</dd>" if alert.note else "")
        + f'<dt>CAP 1.2</dt><dd><a href="/cap/alerts/{e(alert.identifier)}.xml">XML</a></dd>'
        f'</dl><h2 style="margin-top:14px">Зона</h2>{_areas_html(alert)}'
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
                _hidden(settings, auth),
                "Отправить обновление · Жаңартуды жіберу",
            )
            + "</div>"
            f'<div class="card"><form method="post"'
            f' action="/console/alerts/{e(alert.identifier)}/cancel">{_hidden(settings, auth)}'
            "<h2>Отменить оповещение · Ескертудің күшін жою</h2>"
            '<label for="a-note">Причина (видна в сообщении CAP)</label>'
            '<input type="text" class="wide" id="a-note" name="note" maxlength="1000">'
            '<div class="actions"><button type="submit" class="secondary">Отменить · Күшін жою'
            "</button></div></form></div>"
        )
    content = (
        f'{_subnav()}<p class="small"><a href="/console/alerts">← Все оповещения</a></p>'
        f"<h1>Оповещение {e(alert.identifier)}</h1>{error_box(error)}"
        f'<div class="grid"><div><div class="card">{details}</div>{_texts_html(alert)}</div>'
        f"<div>{actions}</div></div>"
    )
    return layout(
        f"Оповещение {alert.identifier}", content, csrf=csrf_token(settings, auth), status=status
    )


# ---------------------------------------------------------------- routes


Text = Annotated[str, Form(max_length=8000)]
Short = Annotated[str, Form(max_length=64)]


def alert_form(
    status: Short = "Actual",
    category: Short = "Safety",
    response_type: Short = "",
    severity: Short = "",
    urgency: Short = "",
    certainty: Short = "",
    event_kk: Text = "",
    event_ru: Text = "",
    headline_kk: Text = "",
    headline_ru: Text = "",
    description_kk: Text = "",
    description_ru: Text = "",
    instruction_kk: Text = "",
    instruction_ru: Text = "",
    area_kk: Text = "",
    area_ru: Text = "",
    circle_lat: Short = "",
    circle_lon: Short = "",
    circle_km: Short = "",
    polygons: Annotated[str, Form(max_length=40000)] = "",
    districts: Annotated[list[str] | None, Form()] = None,
    onset: Short = "",
    expires: Short = "",
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


def _alert_or_404(
    db: Session, settings: Settings, auth: AuthSession, identifier: str
) -> Alert | HTMLResponse:
    try:
        return crud.get(db, identifier)
    except ApiError:
        return layout(
            "Не найдено",
            error_box("Оповещение не найдено.")
            + '<a href="/console/alerts">К списку оповещений</a>',
            csrf=csrf_token(settings, auth),
            status=404,
        )


def _write(
    db: Session,
    op: User,
    client_id: str,
    scope: str,
    payload: dict[str, Any],
    apply: Any,
) -> str:
    """Run a write once per form (the hidden client_id); the new message's identifier."""
    assert op.id is not None
    key = f"console-alert:{client_id}" if len(client_id) >= 8 else None

    def effect() -> tuple[int, dict[str, Any]]:
        alert: Alert = apply()
        return 201, {"identifier": alert.identifier}

    _status, body = run_once(db, op.id, key, scope, payload, effect)
    return str(body["identifier"])


@router.get("/new", response_class=HTMLResponse)
def new_form(request: Request, db: DbDep, settings: SettingsDep) -> Response:
    who = signed_in(request, db, settings)
    if isinstance(who, Response):
        return who
    _op, auth = who
    return render_new(settings, auth, AlertForm())


@router.post("", response_class=HTMLResponse)
def create(
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    form: PostedForm,
    csrf: Annotated[str, Form()] = "",
    client_id: Short = "",
) -> Response:
    who = signed_in(request, db, settings)
    if isinstance(who, Response):
        return who
    op, auth = who
    if not _check_csrf(settings, auth, csrf):
        return _stale_form(csrf_token(settings, auth))
    try:
        data = form.to_alert()
        identifier = _write(
            db,
            op,
            client_id,
            "console.alerts.publish",
            data.model_dump(mode="json"),
            lambda: crud.publish(db, op, data),
        )
    except ValidationError as exc:
        return render_new(settings, auth, form, error=_validation_text(exc), status=422)
    except ValueError as exc:
        return render_new(settings, auth, form, error=str(exc), status=422)
    except ApiError as exc:
        db.rollback()
        return render_new(settings, auth, form, error=api_error_text(exc), status=exc.status)
    return _redirect(f"/console/alerts/{identifier}")


@router.get("/{identifier}", response_class=HTMLResponse)
def alert_page(identifier: str, request: Request, db: DbDep, settings: SettingsDep) -> Response:
    who = signed_in(request, db, settings)
    if isinstance(who, Response):
        return who
    _op, auth = who
    alert = _alert_or_404(db, settings, auth, identifier)
    if isinstance(alert, Response):
        return alert
    return render_alert(db, settings, auth, alert)


@router.post("/{identifier}/update", response_class=HTMLResponse)
def update(
    identifier: str,
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    form: PostedForm,
    csrf: Annotated[str, Form()] = "",
    client_id: Short = "",
) -> Response:
    who = signed_in(request, db, settings)
    if isinstance(who, Response):
        return who
    op, auth = who
    if not _check_csrf(settings, auth, csrf):
        return _stale_form(csrf_token(settings, auth))
    alert = _alert_or_404(db, settings, auth, identifier)
    if isinstance(alert, Response):
        return alert
    try:
        data = form.to_alert()
        new_id = _write(
            db,
            op,
            client_id,
            "console.alerts.update",
            {"identifier": identifier, **data.model_dump(mode="json")},
            lambda: crud.update(db, op, identifier, data),
        )
    except ValidationError as exc:
        error, status = _validation_text(exc), 422
    except ValueError as exc:
        error, status = str(exc), 422
    except ApiError as exc:
        db.rollback()
        db.refresh(alert)
        error, status = api_error_text(exc), exc.status
    else:
        return _redirect(f"/console/alerts/{new_id}")
    return render_alert(db, settings, auth, alert, form=form, error=error, status=status)


@router.post("/{identifier}/cancel", response_class=HTMLResponse)
def cancel(
    identifier: str,
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form()] = "",
    client_id: Short = "",
    note: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    who = signed_in(request, db, settings)
    if isinstance(who, Response):
        return who
    op, auth = who
    if not _check_csrf(settings, auth, csrf):
        return _stale_form(csrf_token(settings, auth))
    alert = _alert_or_404(db, settings, auth, identifier)
    if isinstance(alert, Response):
        return alert
    try:
        new_id = _write(
            db,
            op,
            client_id,
            "console.alerts.cancel",
            {"identifier": identifier, "note": note},
            lambda: crud.cancel(db, op, identifier, note),
        )
    except ApiError as exc:
        db.rollback()
        db.refresh(alert)
        return render_alert(db, settings, auth, alert, error=api_error_text(exc), status=exc.status)
    return _redirect(f"/console/alerts/{new_id}")
