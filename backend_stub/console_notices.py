"""Operator console pages for notices: list (active, archive, all), publish, edit, withdraw.

Built on console.py's layout, sign-in, CSRF and escaping helpers; writes go through the same
crud as the operator API, so the checks and the sync feed are the same.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from backend_stub.config import Settings
from backend_stub.console import (
    ALMATY,
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
from backend_stub.crud import notices as crud
from backend_stub.crud.idempotency import run_once
from backend_stub.deps import DbDep, SettingsDep
from backend_stub.errors import ApiError
from backend_stub.geo import DISTRICT_NAMES
from backend_stub.models import AuthSession, Notice, User, utcnow
from backend_stub.notice_topics import TOPICS
from backend_stub.schemas.notices import BODY_MAX, TITLE_MAX, NoticeIn

router = APIRouter(prefix="/console/notices", include_in_schema=False)

PAGE_SIZE = 50
KIND_NAMES = {
    "planned": {"ru": "Плановые работы", "kk": "Жоспарлы жұмыстар"},
    "emergency": {"ru": "Аварийные работы", "kk": "Апаттық жұмыстар"},
    "event": {"ru": "Мероприятие", "kk": "Іс-шара"},
}
SCOPE_NAMES = {"active": "Активные", "archive": "Архив", "all": "Все"}
FIELD_NAMES = {
    "kind": "Вид",
    "topic": "Тема",
    "title_kk": "Заголовок (қаз.)",
    "title_ru": "Заголовок (рус.)",
    "body_kk": "Текст (қаз.)",
    "body_ru": "Текст (рус.)",
    "districts": "Районы",
    "area": "Зона",
    "starts_at": "Начало",
    "ends_at": "Окончание",
}
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"  # <input type="datetime-local">


def _subnav() -> str:
    return '<p class="small"><a href="/console">Обращения</a> · <b>Оповещения</b></p>'


def _kind_badge(kind: str) -> str:
    names = KIND_NAMES.get(kind, {"ru": kind, "kk": ""})
    cls = " emergency" if kind == "emergency" else ""
    return (
        f'<span class="badge{cls}">{e(names["ru"])}</span><span class="kk">{e(names["kk"])}</span>'
    )


def _state_badge(notice: Notice, now: datetime) -> str:
    if notice.state == "withdrawn":
        return (
            '<span class="badge st-returned">Отозвано</span><span class="kk">Кері қайтарылды</span>'
        )
    if crud.is_active(notice, now):
        return '<span class="badge st-closed">Действует</span><span class="kk">Күшінде</span>'
    return '<span class="badge">Завершено</span><span class="kk">Аяқталды</span>'


def _where(notice: Notice) -> str:
    parts = [district_name(d) for d in notice.districts]
    if notice.area_lat is not None and notice.area_lon is not None:
        parts.append(
            f"зона {notice.area_radius_m} м у {notice.area_lat:.4f}, {notice.area_lon:.4f}"
        )
    return e(", ".join(parts)) if parts else "Весь город"


def _local(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(ALMATY).strftime(LOCAL_FORMAT)


# ---------------------------------------------------------------- the list


@router.get("", response_class=HTMLResponse)
def notice_list(
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    scope: Annotated[str, Query(max_length=10)] = "active",
    before_id: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    who = signed_in(request, db, settings)
    if isinstance(who, Response):
        return who
    _op, auth = who
    scope = scope if scope in SCOPE_NAMES else "active"
    now = utcnow()
    rows = crud.list_notices(db, scope=scope, before_id=before_id, limit=PAGE_SIZE, now=now)
    chips = "".join(
        f'<a href="/console/notices?{e(urlencode({"scope": s}))}">'
        + (f"<b>{e(name)}</b>" if s == scope else e(name))
        + "</a>"
        for s, name in SCOPE_NAMES.items()
    )
    body_rows = [
        "<tr>"
        f'<td class="nowrap"><a href="/console/notices/{n.id}"><b>№ {n.id}</b></a></td>'
        f"<td>{_kind_badge(n.kind)}</td>"
        f"<td>{e(TOPICS.get(n.topic, {}).get('ru', n.topic))}</td>"
        f'<td>{e(n.title_ru)}<span class="kk">{e(n.title_kk)}</span></td>'
        f"<td>{_where(n)}</td>"
        f'<td class="nowrap">{e(fmt_time(n.starts_at))}<br>{e(fmt_time(n.ends_at))}</td>'
        f"<td>{_state_badge(n, now)}</td></tr>"
        for n in rows
    ]
    table = (
        "<table><thead><tr><th>№</th><th>Вид</th><th>Тема</th><th>Заголовок</th><th>Где</th>"
        "<th>Начало / конец</th><th>Состояние</th></tr></thead><tbody>"
        + (
            "".join(body_rows)
            or '<tr><td colspan="7" class="muted">Оповещений нет · Хабарландыру жоқ.</td></tr>'
        )
        + "</tbody></table>"
    )
    pager = ""
    if len(rows) == PAGE_SIZE:
        more = urlencode({"scope": scope, "before_id": str(rows[-1].id)})
        pager = f'<div class="pager"><a href="/console/notices?{e(more)}">Дальше →</a></div>'
    content = (
        f"{_subnav()}"
        '<h1>Оповещения <span class="muted small">Хабарландырулар · время: Астана</span></h1>'
        f'<div class="chips">{chips}</div>'
        '<form method="get" action="/console/notices/new"><p><button type="submit">'
        f"Новое оповещение · Жаңа хабарландыру</button></p></form>{table}{pager}"
    )
    return layout("Оповещения", content, csrf=csrf_token(settings, auth))


# ---------------------------------------------------------------- the form


@dataclass
class NoticeForm:
    """The form's raw values, kept as typed so a rejected form comes back filled in."""

    kind: str = "planned"
    topic: str = "water"
    title_kk: str = ""
    title_ru: str = ""
    body_kk: str = ""
    body_ru: str = ""
    districts: list[str] = field(default_factory=list)
    area_lat: str = ""
    area_lon: str = ""
    area_radius_m: str = ""
    starts_at: str = ""
    ends_at: str = ""

    @classmethod
    def of(cls, notice: Notice) -> NoticeForm:
        return cls(
            kind=notice.kind,
            topic=notice.topic,
            title_kk=notice.title_kk,
            title_ru=notice.title_ru,
            body_kk=notice.body_kk,
            body_ru=notice.body_ru,
            districts=list(notice.districts),
            area_lat="" if notice.area_lat is None else f"{notice.area_lat:.6f}",
            area_lon="" if notice.area_lon is None else f"{notice.area_lon:.6f}",
            area_radius_m="" if notice.area_radius_m is None else str(notice.area_radius_m),
            starts_at=_local(notice.starts_at),
            ends_at=_local(notice.ends_at),
        )

    def to_notice(self) -> NoticeIn:
        """The API shape; ValueError with a Russian explanation when a value cannot be read."""
        area_parts = [self.area_lat.strip(), self.area_lon.strip(), self.area_radius_m.strip()]
        area: dict[str, Any] | None = None
        if any(area_parts):
            if not all(area_parts):
                raise ValueError("Укажите широту, долготу и радиус зоны или оставьте все пустыми.")
            try:
                lat, lon = (float(v.replace(",", ".")) for v in area_parts[:2])
                radius = int(area_parts[2])
            except ValueError:
                raise ValueError("Координаты и радиус зоны должны быть числами.") from None
            area = {"lat": lat, "lon": lon, "radius_m": radius}
        data: dict[str, Any] = {
            "kind": self.kind,
            "topic": self.topic,
            "title_kk": self.title_kk,
            "title_ru": self.title_ru,
            "body_kk": self.body_kk,
            "body_ru": self.body_ru,
            "districts": self.districts,
            "area": area,
            "starts_at": _parse_local(self.starts_at, "Начало"),
            "ends_at": _parse_local(self.ends_at, "Окончание"),
        }
        return NoticeIn.model_validate(data)


def _parse_local(value: str, label: str) -> datetime | None:
    if not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{label}: неверная дата и время.") from None
    return moment.replace(tzinfo=ALMATY) if moment.tzinfo is None else moment


def _validation_text(exc: ValidationError) -> str:
    problems = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        name = FIELD_NAMES.get(loc[0], loc[0]) if loc else "?"
        kind = err.get("type", "")
        if kind == "string_too_short" or kind == "missing":
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


def render_form(
    settings: Settings,
    auth: AuthSession,
    form: NoticeForm,
    *,
    notice: Notice | None = None,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    csrf = csrf_token(settings, auth)
    hidden = f'<input type="hidden" name="csrf" value="{e(csrf)}">'
    if notice is None:
        title = "Новое оповещение"
        action = "/console/notices"
        hidden += f'<input type="hidden" name="client_id" value="{e(uuid.uuid4())}">'
    else:
        title = f"Оповещение № {notice.id}"
        action = f"/console/notices/{notice.id}"
    kinds = _options([(k, f"{v['ru']} · {v['kk']}") for k, v in KIND_NAMES.items()], form.kind)
    topics = _options([(k, f"{v['ru']} · {v['kk']}") for k, v in TOPICS.items()], form.topic)
    fields = (
        f'<form method="post" action="{e(action)}">{hidden}'
        '<div class="filters">'
        '<div><label for="n-kind">Вид</label>'
        f'<select id="n-kind" name="kind">{kinds}</select></div>'
        f'<div><label for="n-topic">Тема</label><select id="n-topic" name="topic">{topics}'
        "</select></div>"
        '<div><label for="n-start">Начало (Астана)</label><input type="datetime-local"'
        f' id="n-start" name="starts_at" value="{e(form.starts_at)}"></div>'
        '<div><label for="n-end">Окончание (пусто — до отзыва)</label><input type="datetime-local"'
        f' id="n-end" name="ends_at" value="{e(form.ends_at)}"></div></div>'
        '<label for="n-tkk">Заголовок на казахском · Тақырыбы (қазақша)</label>'
        f'<input type="text" class="wide" id="n-tkk" name="title_kk" maxlength="{TITLE_MAX}"'
        f' required value="{e(form.title_kk)}">'
        '<label for="n-tru">Заголовок на русском</label>'
        f'<input type="text" class="wide" id="n-tru" name="title_ru" maxlength="{TITLE_MAX}"'
        f' required value="{e(form.title_ru)}">'
        '<label for="n-bkk">Текст на казахском · Мәтіні (қазақша)</label>'
        f'<textarea id="n-bkk" name="body_kk" maxlength="{BODY_MAX}" required>'
        f"{e(form.body_kk)}</textarea>"
        '<label for="n-bru">Текст на русском</label>'
        f'<textarea id="n-bru" name="body_ru" maxlength="{BODY_MAX}" required>'
        f"{e(form.body_ru)}</textarea>"
        "<label>Районы (ни одного и без зоны — весь город)</label>"
        f"<div>{_checkboxes(form.districts)}</div>"
        '<div class="filters">'
        '<div><label for="n-lat">Зона: широта</label><input type="text" id="n-lat"'
        f' name="area_lat" value="{e(form.area_lat)}" placeholder="51.1282"></div>'
        '<div><label for="n-lon">долгота</label><input type="text" id="n-lon" name="area_lon"'
        f' value="{e(form.area_lon)}" placeholder="71.4307"></div>'
        '<div><label for="n-r">радиус, м</label><input type="text" id="n-r"'
        f' name="area_radius_m" value="{e(form.area_radius_m)}" placeholder="500"></div></div>'
        '<div class="actions"><button type="submit">'
        + ("Опубликовать · Жариялау" if notice is None else "Сохранить · Сақтау")
        + "</button></div></form>"
    )
    extra = ""
    if notice is not None and notice.state == "withdrawn":
        fields = (
            f'<p class="muted">Оповещение отозвано {e(fmt_time(notice.withdrawn_at))} и '
            "находится в архиве; изменить его нельзя.</p>"
            f'<h2>{e(notice.title_ru)}</h2><div class="text">{e(notice.body_ru)}</div>'
            f'<h2>{e(notice.title_kk)}</h2><div class="text">{e(notice.body_kk)}</div>'
        )
    elif notice is not None:
        extra = (
            f'<div class="card"><form method="post" action="/console/notices/{notice.id}'
            f'/withdraw">{hidden}<h2>Отозвать оповещение</h2>'
            '<p class="muted small">Оповещение уйдёт в архив у всех жителей.</p>'
            '<button type="submit" class="secondary">Отозвать · Кері қайтару</button>'
            "</form></div>"
        )
    content = (
        f'{_subnav()}<p class="small"><a href="/console/notices">← Все оповещения</a></p>'
        f"<h1>{e(title)}</h1>{error_box(error)}"
        f'<div class="card">{fields}</div>{extra}'
    )
    return layout(title, content, csrf=csrf, status=status)


def _notice_or_404(
    db: Session, settings: Settings, auth: AuthSession, notice_id: int
) -> Notice | HTMLResponse:
    notice = db.get(Notice, notice_id)
    if notice is None:
        return layout(
            "Не найдено",
            error_box("Оповещение не найдено.")
            + '<a href="/console/notices">К списку оповещений</a>',
            csrf=csrf_token(settings, auth),
            status=404,
        )
    return notice


def _save(
    db: Session,
    settings: Settings,
    auth: AuthSession,
    op: User,
    form: NoticeForm,
    notice: Notice | None,
    client_id: str,
) -> Response:
    """Publish (notice None) or edit; on a refusal the form comes back filled in."""
    try:
        data = form.to_notice()
    except ValidationError as exc:
        return render_form(
            settings, auth, form, notice=notice, error=_validation_text(exc), status=422
        )
    except ValueError as exc:
        return render_form(settings, auth, form, notice=notice, error=str(exc), status=422)
    try:
        if notice is None:
            assert op.id is not None
            key = f"console-notice:{client_id}" if len(client_id) >= 8 else None

            def effect() -> tuple[int, dict[str, Any]]:
                created = crud.publish(db, op, data)
                return 201, {"id": created.id}

            _status, body = run_once(
                db, op.id, key, "console.notices.publish", data.model_dump(mode="json"), effect
            )
            return _redirect(f"/console/notices/{body['id']}")
        crud.edit(db, notice, data)
        db.commit()
    except ApiError as exc:
        db.rollback()
        return render_form(
            settings, auth, form, notice=notice, error=api_error_text(exc), status=exc.status
        )
    return _redirect(f"/console/notices/{notice.id}")


Text = Annotated[str, Form(max_length=8000)]
Short = Annotated[str, Form(max_length=64)]


def notice_form(
    kind: Short = "",
    topic: Short = "",
    title_kk: Text = "",
    title_ru: Text = "",
    body_kk: Text = "",
    body_ru: Text = "",
    districts: Annotated[list[str] | None, Form()] = None,
    area_lat: Short = "",
    area_lon: Short = "",
    area_radius_m: Short = "",
    starts_at: Short = "",
    ends_at: Short = "",
) -> NoticeForm:
    """The posted notice form, as typed."""
    return NoticeForm(
        kind=kind,
        topic=topic,
        title_kk=title_kk,
        title_ru=title_ru,
        body_kk=body_kk,
        body_ru=body_ru,
        districts=list(districts or []),
        area_lat=area_lat,
        area_lon=area_lon,
        area_radius_m=area_radius_m,
        starts_at=starts_at,
        ends_at=ends_at,
    )


PostedForm = Annotated[NoticeForm, Depends(notice_form)]


@router.get("/new", response_class=HTMLResponse)
def new_form(request: Request, db: DbDep, settings: SettingsDep) -> Response:
    who = signed_in(request, db, settings)
    if isinstance(who, Response):
        return who
    _op, auth = who
    return render_form(settings, auth, NoticeForm(starts_at=_local(utcnow())))


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
    return _save(db, settings, auth, op, form, None, client_id)


@router.get("/{notice_id}", response_class=HTMLResponse)
def edit_form(notice_id: int, request: Request, db: DbDep, settings: SettingsDep) -> Response:
    who = signed_in(request, db, settings)
    if isinstance(who, Response):
        return who
    _op, auth = who
    notice = _notice_or_404(db, settings, auth, notice_id)
    if isinstance(notice, Response):
        return notice
    return render_form(settings, auth, NoticeForm.of(notice), notice=notice)


@router.post("/{notice_id}", response_class=HTMLResponse)
def update(
    notice_id: int,
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    form: PostedForm,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    who = signed_in(request, db, settings)
    if isinstance(who, Response):
        return who
    op, auth = who
    if not _check_csrf(settings, auth, csrf):
        return _stale_form(csrf_token(settings, auth))
    notice = _notice_or_404(db, settings, auth, notice_id)
    if isinstance(notice, Response):
        return notice
    return _save(db, settings, auth, op, form, notice, "")


@router.post("/{notice_id}/withdraw", response_class=HTMLResponse)
def withdraw(
    notice_id: int,
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    who = signed_in(request, db, settings)
    if isinstance(who, Response):
        return who
    _op, auth = who
    if not _check_csrf(settings, auth, csrf):
        return _stale_form(csrf_token(settings, auth))
    notice = _notice_or_404(db, settings, auth, notice_id)
    if isinstance(notice, Response):
        return notice
    crud.withdraw(db, notice)
    db.commit()
    return _redirect(f"/console/notices/{notice_id}")
