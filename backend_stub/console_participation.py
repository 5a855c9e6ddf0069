"""The operator console's public-participation pages (under /console/participation): polls
(draft, publish, close, results), the akimat's initiatives (create, edit, move along) and the
moderation of residents' proposals.

Server-rendered like `console.py`, whose sign-in, CSRF, layout and escaping helpers it reuses;
every write goes through the same crud functions as the API.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy import func
from sqlmodel import Session, col, select

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
from backend_stub.crud import initiatives as initiatives_crud
from backend_stub.crud import polls as polls_crud
from backend_stub.crud import proposals as proposals_crud
from backend_stub.deps import DbDep, SettingsDep
from backend_stub.errors import ApiError
from backend_stub.geo import DISTRICT_NAMES
from backend_stub.models import AuthSession, Initiative, Poll, Proposal, User, utcnow
from backend_stub.schemas.participation import (
    CATEGORY_NAMES,
    INITIATIVE_STATE_NAMES,
    INITIATIVE_STATES,
    POLL_STATUS_NAMES,
    PROPOSAL_STATE_NAMES,
    InitiativeIn,
    InitiativePatch,
    ModerationIn,
    PollIn,
    PollOptionIn,
)

router = APIRouter(prefix="/console/participation", include_in_schema=False)

BASE = "/console/participation"
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
PROPOSALS_PAGE = 50
STATE_BADGE_COLOURS = {
    "draft": "#eef1f4;color:#46505c",
    "upcoming": "#eef0ff;color:#3b3fb0",
    "open": "#e5f6ea;color:#17693a",
    "closed": "#eef1f4;color:#46505c",
    "proposed": "#e9f1fe;color:#0b4fa3",
    "in_progress": "#fff8d6;color:#7a5d00",
    "done": "#e5f6ea;color:#17693a",
    "rejected": "#fde5e5;color:#a31616",
    "pending": "#fff1dc;color:#8a5200",
    "published": "#e5f6ea;color:#17693a",
}

Who = tuple[User, AuthSession]


class FormError(Exception):
    """A form value the console explains in Russian before anything is stored."""


# ---------------------------------------------------------------- page helpers


def _badge(code: str, names: dict[str, dict[str, str]]) -> str:
    name = names.get(code, {"ru": code, "kk": ""})
    colour = STATE_BADGE_COLOURS.get(code, "#e8eef6;color:#1c3d63")
    return (
        f'<span class="badge" style="background:{colour}">{e(name["ru"])}</span>'
        f'<span class="kk">{e(name["kk"])}</span>'
    )


def _page(
    settings: Settings,
    auth: AuthSession,
    title: str,
    body: str,
    *,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    tabs = (
        ("", "Опросы", "Сауалнамалар"),
        ("/initiatives", "Инициативы акимата", "Әкімдік бастамалары"),
        ("/proposals", "Предложения жителей", "Тұрғындар ұсыныстары"),
    )
    chips = "".join(f'<a href="{BASE}{path}">{e(ru)} · {e(kk)}</a>' for path, ru, kk in tabs)
    content = (
        '<p class="small"><a href="/console">← Обращения</a></p>'
        f'<h1>Участие жителей <span class="muted small">Тұрғындардың қатысуы</span></h1>'
        f'<div class="chips">{chips}</div>{error_box(error)}<h2>{e(title)}</h2>{body}'
    )
    return layout(title, content, csrf=csrf_token(settings, auth), status=status)


def _hidden(settings: Settings, auth: AuthSession) -> str:
    return f'<input type="hidden" name="csrf" value="{e(csrf_token(settings, auth))}">'


def _text_input(name: str, label: str, value: str, *, maxlength: int, area: bool = False) -> str:
    field = (
        f'<textarea id="{name}" name="{name}" maxlength="{maxlength}">{e(value)}</textarea>'
        if area
        else f'<input type="text" class="wide" id="{name}" name="{name}" maxlength="{maxlength}"'
        f' value="{e(value)}">'
    )
    return f'<label for="{name}">{e(label)}</label>{field}'


def _local(moment: datetime) -> str:
    return moment.astimezone(ALMATY).strftime(LOCAL_FORMAT)


def _parse_local(value: str, what: str) -> datetime:
    try:
        return datetime.strptime(value.strip(), LOCAL_FORMAT).replace(tzinfo=ALMATY)
    except ValueError:
        raise FormError(f"Укажите {what} в формате ДД.ММ.ГГГГ ЧЧ:ММ.") from None


def _not_found(settings: Settings, auth: AuthSession, what: str) -> HTMLResponse:
    return _page(
        settings, auth, "Не найдено", f'<p class="muted">{e(what)} не найдено.</p>', status=404
    )


def _guarded(
    request: Request, db: Session, settings: Settings, csrf: str | None = None
) -> Who | Response:
    """The signed-in operator (and, for a form, a valid CSRF token), or the response to send."""
    who = signed_in(request, db, settings)
    if isinstance(who, Response):
        return who
    if csrf is not None and not _check_csrf(settings, who[1], csrf):
        return _stale_form(csrf_token(settings, who[1]))
    return who


def _write(
    db: Session, action: Callable[[], object], on_error: Callable[[str, int], Response]
) -> Response | None:
    """Run a crud write and commit; on a refusal roll back and render the error instead."""
    try:
        action()
        db.commit()
    except FormError as exc:
        db.rollback()
        return on_error(str(exc), 422)
    except ApiError as exc:
        db.rollback()
        return on_error(api_error_text(exc), exc.status)
    return None


# ---------------------------------------------------------------- polls


def _poll_form(settings: Settings, auth: AuthSession, values: dict[str, Any]) -> str:
    now = utcnow()
    chosen = set(values.get("districts") or [])
    districts = "".join(
        f'<label style="display:inline-block;margin-right:12px"><input type="checkbox"'
        f' name="districts" value="{e(code)}"{" checked" if code in chosen else ""}>'
        f" {e(names['ru'])}</label>"
        for code, names in DISTRICT_NAMES.items()
    )
    multiple = " checked" if values.get("multiple") else ""
    return (
        f'<form class="card" method="post" action="{BASE}/polls">{_hidden(settings, auth)}'
        "<h2>Новый опрос · Жаңа сауалнама</h2>"
        + _text_input("question_kk", "Вопрос (каз.)", values.get("question_kk", ""), maxlength=1000)
        + _text_input("question_ru", "Вопрос (рус.)", values.get("question_ru", ""), maxlength=1000)
        + '<div class="grid"><div>'
        + _text_input(
            "options_kk",
            "Варианты ответа (каз.), по одному в строке",
            values.get("options_kk", ""),
            maxlength=4000,
            area=True,
        )
        + "</div><div>"
        + _text_input(
            "options_ru",
            "Варианты ответа (рус.), в том же порядке",
            values.get("options_ru", ""),
            maxlength=4000,
            area=True,
        )
        + "</div></div>"
        f'<label><input type="checkbox" name="multiple" value="1"{multiple}>'
        " Можно выбрать несколько вариантов</label>"
        '<label for="max_choices">Не более вариантов (для нескольких; пусто — все)</label>'
        f'<input type="text" id="max_choices" name="max_choices" maxlength="2"'
        f' value="{e(values.get("max_choices", ""))}">'
        '<div class="filters"><div><label for="opens_at">Начало (Астана)</label>'
        '<input type="datetime-local" id="opens_at" name="opens_at"'
        f' value="{e(values.get("opens_at") or _local(now))}"></div>'
        '<div><label for="closes_at">Окончание (Астана)</label>'
        '<input type="datetime-local" id="closes_at" name="closes_at"'
        f' value="{e(values.get("closes_at") or _local(now + timedelta(days=7)))}"></div></div>'
        "<label>Районы (ни одного — весь город)</label>"
        f"<div>{districts}</div>"
        '<div class="actions"><button type="submit">Сохранить черновик</button></div></form>'
    )


def _votes_total(db: Session, poll: Poll) -> int:
    return polls_crud.results(db, poll).total


def _poll_list(
    db: Session,
    settings: Settings,
    auth: AuthSession,
    *,
    values: dict[str, Any] | None = None,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    now = utcnow()
    rows = []
    for poll in polls_crud.all_polls(db):
        scope = ", ".join(district_name(d) for d in poll.districts) or "Весь город"
        rows.append(
            f'<tr><td><a href="{BASE}/polls/{poll.id}"><b>{e(poll.question_ru)}</b></a>'
            f'<span class="kk">{e(poll.question_kk)}</span></td>'
            f"<td>{_badge(polls_crud.poll_status(poll, now), POLL_STATUS_NAMES)}</td>"
            f'<td class="nowrap">{e(fmt_time(poll.opens_at))} —<br>{e(fmt_time(poll.closes_at))}'
            f"</td><td>{e(scope)}</td><td>{_votes_total(db, poll)}</td></tr>"
        )
    table = (
        "<table><thead><tr><th>Вопрос</th><th>Статус</th><th>Период</th><th>Районы</th>"
        "<th>Голосов</th></tr></thead><tbody>"
        + ("".join(rows) or '<tr><td colspan="5" class="muted">Опросов пока нет.</td></tr>')
        + "</tbody></table>"
    )
    body = f'<div class="card">{table}</div>' + _poll_form(settings, auth, values or {})
    return _page(settings, auth, "Опросы", body, error=error, status=status)


@router.get("", response_class=HTMLResponse)
def polls_page(request: Request, db: DbDep, settings: SettingsDep) -> Response:
    who = _guarded(request, db, settings)
    if isinstance(who, Response):
        return who
    return _poll_list(db, settings, who[1])


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _poll_in(values: dict[str, Any]) -> PollIn:
    kk, ru = _lines(values["options_kk"]), _lines(values["options_ru"])
    if len(kk) != len(ru):
        raise FormError("Число вариантов на казахском и на русском должно совпадать.")
    raw_max = values["max_choices"].strip()
    if raw_max and not raw_max.isdigit():
        raise FormError("«Не более вариантов» — целое число.")
    try:
        return PollIn(
            question_kk=values["question_kk"],
            question_ru=values["question_ru"],
            options=[PollOptionIn(text_kk=k, text_ru=r) for k, r in zip(kk, ru, strict=True)],
            multiple=bool(values["multiple"]),
            max_choices=int(raw_max) if raw_max else None,
            opens_at=_parse_local(values["opens_at"], "начало"),
            closes_at=_parse_local(values["closes_at"], "окончание"),
            districts=values["districts"],
        )
    except ValidationError:
        raise FormError(
            "Заполните вопрос на обоих языках (до 1000 символов) и от 2 до 12 вариантов ответа"
            " (до 300 символов каждый)."
        ) from None


@router.post("/polls")
def create_poll(
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form()] = "",
    question_kk: Annotated[str, Form(max_length=2000)] = "",
    question_ru: Annotated[str, Form(max_length=2000)] = "",
    options_kk: Annotated[str, Form(max_length=8000)] = "",
    options_ru: Annotated[str, Form(max_length=8000)] = "",
    multiple: Annotated[str, Form(max_length=2)] = "",
    max_choices: Annotated[str, Form(max_length=4)] = "",
    opens_at: Annotated[str, Form(max_length=32)] = "",
    closes_at: Annotated[str, Form(max_length=32)] = "",
    districts: Annotated[list[str] | None, Form()] = None,
) -> Response:
    who = _guarded(request, db, settings, csrf)
    if isinstance(who, Response):
        return who
    op, auth = who
    values: dict[str, Any] = {
        "question_kk": question_kk,
        "question_ru": question_ru,
        "options_kk": options_kk,
        "options_ru": options_ru,
        "multiple": multiple,
        "max_choices": max_choices,
        "opens_at": opens_at,
        "closes_at": closes_at,
        "districts": [d[:60] for d in (districts or [])][:20],
    }
    created: list[Poll] = []
    failed = _write(
        db,
        lambda: created.append(polls_crud.create_poll(db, op, _poll_in(values))),
        lambda msg, code: _poll_list(db, settings, auth, values=values, error=msg, status=code),
    )
    return failed or _redirect(f"{BASE}/polls/{created[0].id}")


def _render_poll(
    db: Session,
    settings: Settings,
    auth: AuthSession,
    poll: Poll,
    *,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    assert poll.id is not None
    now = utcnow()
    state = polls_crud.poll_status(poll, now)
    options = polls_crud.options_of(db, poll.id)
    res = polls_crud.results(db, poll, options)
    counts = {r.option_id: r for r in res.options}
    bars = []
    for option in options:
        r = counts[option.id or 0]
        pct = round(r.share * 100, 1)
        bars.append(
            f'<tr><td>{e(option.text_ru)}<span class="kk">{e(option.text_kk)}</span>'
            f'<div style="background:#e6eaef;border-radius:4px;height:8px;margin-top:4px">'
            f'<div style="background:#0b5cad;border-radius:4px;height:8px;width:{pct}%"></div>'
            f'</div></td><td class="nowrap"><b>{r.count}</b></td>'
            f'<td class="nowrap">{pct}%</td></tr>'
        )
    kind = f"несколько вариантов, не более {poll.max_choices}" if poll.multiple else "один вариант"
    scope = ", ".join(district_name(d) for d in poll.districts) or "Весь город"
    hidden = _hidden(settings, auth)
    actions = []
    if poll.state == "draft":
        actions.append(
            f'<form class="inline" method="post" action="{BASE}/polls/{poll.id}/publish">'
            f'{hidden}<button type="submit">Опубликовать · Жариялау</button></form>'
        )
        actions.append(
            f'<form class="inline" method="post" action="{BASE}/polls/{poll.id}/delete">'
            f'{hidden}<button type="submit" class="secondary">Удалить черновик</button></form>'
        )
    elif state in {"open", "upcoming"}:
        actions.append(
            f'<form class="inline" method="post" action="{BASE}/polls/{poll.id}/close">'
            f'{hidden}<button type="submit" class="danger">Завершить голосование сейчас'
            "</button></form>"
        )
    body = (
        f'<div class="card"><p><b>{e(poll.question_ru)}</b><span class="kk">'
        f"{e(poll.question_kk)}</span></p><dl>"
        f"<dt>Статус</dt><dd>{_badge(state, POLL_STATUS_NAMES)}</dd>"
        f"<dt>Выбор</dt><dd>{e(kind)}</dd>"
        f"<dt>Период</dt><dd>{e(fmt_time(poll.opens_at))} — {e(fmt_time(poll.closes_at))}</dd>"
        f"<dt>Районы</dt><dd>{e(scope)}</dd>"
        f"<dt>Проголосовали</dt><dd><b>{res.total}</b></dd></dl>"
        '<h2 style="margin-top:14px">Результаты</h2><table><thead><tr><th>Вариант</th>'
        "<th>Голосов</th><th>Доля</th></tr></thead><tbody>"
        + "".join(bars)
        + f'</tbody></table><div class="actions">{"".join(actions)}</div></div>'
    )
    return _page(settings, auth, "Опрос", body, error=error, status=status)


def _poll_or_404(db: Session, poll_id: int) -> Poll | None:
    return db.get(Poll, poll_id)


@router.get("/polls/{poll_id}", response_class=HTMLResponse)
def poll_page(poll_id: int, request: Request, db: DbDep, settings: SettingsDep) -> Response:
    who = _guarded(request, db, settings)
    if isinstance(who, Response):
        return who
    poll = _poll_or_404(db, poll_id)
    if poll is None:
        return _not_found(settings, who[1], "Опрос")
    return _render_poll(db, settings, who[1], poll)


def _poll_action(
    poll_id: int,
    request: Request,
    db: Session,
    settings: Settings,
    csrf: str,
    apply: Callable[[Poll], object],
    done_url: str | None = None,
) -> Response:
    who = _guarded(request, db, settings, csrf)
    if isinstance(who, Response):
        return who
    auth = who[1]
    poll = _poll_or_404(db, poll_id)
    if poll is None:
        return _not_found(settings, auth, "Опрос")

    def on_error(msg: str, code: int) -> Response:
        fresh = db.get(Poll, poll_id)
        if fresh is None:
            return _not_found(settings, auth, "Опрос")
        return _render_poll(db, settings, auth, fresh, error=msg, status=code)

    failed = _write(db, lambda: apply(poll), on_error)
    return failed or _redirect(done_url or f"{BASE}/polls/{poll_id}")


@router.post("/polls/{poll_id}/publish")
def publish_poll(
    poll_id: int,
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    return _poll_action(poll_id, request, db, settings, csrf, lambda p: polls_crud.publish(db, p))


@router.post("/polls/{poll_id}/close")
def close_poll(
    poll_id: int,
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    return _poll_action(poll_id, request, db, settings, csrf, lambda p: polls_crud.close(db, p))


@router.post("/polls/{poll_id}/delete")
def delete_poll(
    poll_id: int,
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    return _poll_action(
        poll_id,
        request,
        db,
        settings,
        csrf,
        lambda p: polls_crud.delete_draft(db, p),
        done_url=BASE,
    )


# ---------------------------------------------------------------- initiatives


def _initiative_fields(values: dict[str, str], *, with_state: bool) -> str:
    state = ""
    if with_state:
        choices = [(s, INITIATIVE_STATE_NAMES[s]["ru"]) for s in INITIATIVE_STATES]
        state = (
            '<label for="state">Статус</label><select id="state" name="state">'
            f"{_options(choices, values.get('state') or 'proposed')}</select>"
        )
    return (
        _text_input("title_kk", "Название (каз.)", values.get("title_kk", ""), maxlength=300)
        + _text_input("title_ru", "Название (рус.)", values.get("title_ru", ""), maxlength=300)
        + _text_input(
            "description_kk",
            "Описание (каз.)",
            values.get("description_kk", ""),
            maxlength=5000,
            area=True,
        )
        + _text_input(
            "description_ru",
            "Описание (рус.)",
            values.get("description_ru", ""),
            maxlength=5000,
            area=True,
        )
        + state
    )


def _initiative_list(
    db: Session,
    settings: Settings,
    auth: AuthSession,
    *,
    values: dict[str, str] | None = None,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    rows = [
        f'<tr><td><a href="{BASE}/initiatives/{i.id}"><b>{e(i.title_ru)}</b></a>'
        f'<span class="kk">{e(i.title_kk)}</span></td>'
        f"<td>{_badge(i.state, INITIATIVE_STATE_NAMES)}</td><td>{i.support_count}</td>"
        f'<td class="nowrap">{e(fmt_time(i.updated_at))}</td></tr>'
        for i in initiatives_crud.list_initiatives(db)
    ]
    table = (
        "<table><thead><tr><th>Инициатива</th><th>Статус</th><th>Поддержали</th>"
        "<th>Изменена</th></tr></thead><tbody>"
        + ("".join(rows) or '<tr><td colspan="4" class="muted">Инициатив пока нет.</td></tr>')
        + "</tbody></table>"
    )
    form = (
        f'<form class="card" method="post" action="{BASE}/initiatives">'
        f"{_hidden(settings, auth)}<h2>Новая инициатива · Жаңа бастама</h2>"
        + _initiative_fields(values or {}, with_state=True)
        + '<div class="actions"><button type="submit">Опубликовать</button></div></form>'
    )
    body = f'<div class="card">{table}</div>{form}'
    return _page(settings, auth, "Инициативы акимата", body, error=error, status=status)


@router.get("/initiatives", response_class=HTMLResponse)
def initiatives_page(request: Request, db: DbDep, settings: SettingsDep) -> Response:
    who = _guarded(request, db, settings)
    if isinstance(who, Response):
        return who
    return _initiative_list(db, settings, who[1])


def _checked_model(build: Callable[[], Any]) -> Any:
    try:
        return build()
    except ValidationError:
        raise FormError(
            "Заполните название (до 300 символов) и описание (до 5000 символов) на обоих языках."
        ) from None


@router.post("/initiatives")
def create_initiative(
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form()] = "",
    title_kk: Annotated[str, Form(max_length=600)] = "",
    title_ru: Annotated[str, Form(max_length=600)] = "",
    description_kk: Annotated[str, Form(max_length=10000)] = "",
    description_ru: Annotated[str, Form(max_length=10000)] = "",
    state: Annotated[str, Form(max_length=16)] = "proposed",
) -> Response:
    who = _guarded(request, db, settings, csrf)
    if isinstance(who, Response):
        return who
    op, auth = who
    values = {
        "title_kk": title_kk,
        "title_ru": title_ru,
        "description_kk": description_kk,
        "description_ru": description_ru,
        "state": state if state in INITIATIVE_STATES else "proposed",
    }
    failed = _write(
        db,
        lambda: initiatives_crud.create_initiative(
            db, op, _checked_model(lambda: InitiativeIn.model_validate(values))
        ),
        lambda msg, code: _initiative_list(
            db, settings, auth, values=values, error=msg, status=code
        ),
    )
    return failed or _redirect(f"{BASE}/initiatives")


def _render_initiative(
    settings: Settings,
    auth: AuthSession,
    initiative: Initiative,
    *,
    values: dict[str, str] | None = None,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    shown = values or {
        "title_kk": initiative.title_kk,
        "title_ru": initiative.title_ru,
        "description_kk": initiative.description_kk,
        "description_ru": initiative.description_ru,
        "state": initiative.state,
    }
    body = (
        f'<form class="card" method="post" action="{BASE}/initiatives/{initiative.id}">'
        f"{_hidden(settings, auth)}<p>Поддержали: <b>{initiative.support_count}</b> · "
        f"{_badge(initiative.state, INITIATIVE_STATE_NAMES)}</p>"
        + _initiative_fields(shown, with_state=True)
        + '<div class="actions"><button type="submit">Сохранить</button></div></form>'
        f'<p class="small"><a href="{BASE}/initiatives">← Все инициативы</a></p>'
    )
    return _page(settings, auth, "Инициатива", body, error=error, status=status)


@router.get("/initiatives/{initiative_id}", response_class=HTMLResponse)
def initiative_page(
    initiative_id: int, request: Request, db: DbDep, settings: SettingsDep
) -> Response:
    who = _guarded(request, db, settings)
    if isinstance(who, Response):
        return who
    initiative = db.get(Initiative, initiative_id)
    if initiative is None:
        return _not_found(settings, who[1], "Инициатива")
    return _render_initiative(settings, who[1], initiative)


@router.post("/initiatives/{initiative_id}")
def update_initiative(
    initiative_id: int,
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form()] = "",
    title_kk: Annotated[str, Form(max_length=600)] = "",
    title_ru: Annotated[str, Form(max_length=600)] = "",
    description_kk: Annotated[str, Form(max_length=10000)] = "",
    description_ru: Annotated[str, Form(max_length=10000)] = "",
    state: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    who = _guarded(request, db, settings, csrf)
    if isinstance(who, Response):
        return who
    auth = who[1]
    initiative = db.get(Initiative, initiative_id)
    if initiative is None:
        return _not_found(settings, auth, "Инициатива")
    values = {
        "title_kk": title_kk,
        "title_ru": title_ru,
        "description_kk": description_kk,
        "description_ru": description_ru,
        "state": state if state in INITIATIVE_STATES else initiative.state,
    }

    def on_error(msg: str, code: int) -> Response:
        fresh = db.get(Initiative, initiative_id)
        assert fresh is not None
        return _render_initiative(settings, auth, fresh, values=values, error=msg, status=code)

    failed = _write(
        db,
        lambda: initiatives_crud.update_initiative(
            db, initiative, _checked_model(lambda: InitiativePatch.model_validate(values))
        ),
        on_error,
    )
    return failed or _redirect(f"{BASE}/initiatives/{initiative_id}")


# ---------------------------------------------------------------- proposals


def _proposal_card(
    db: Session, settings: Settings, auth: AuthSession, p: Proposal, back: str
) -> str:
    out = proposals_crud.operator_out(db, p)
    photos = "".join(
        f'<figure><a href="/console/media/{e(m.id)}" target="_blank" rel="noopener">'
        f'<img src="/console/media/{e(m.id)}" alt=""></a></figure>'
        for m in out.photos
    )
    place = [x for x in (p.address, district_name(p.district) if p.district else None) if x]
    if p.lat is not None and p.lon is not None:
        place.append(f"{p.lat:.5f}, {p.lon:.5f}")
    category = CATEGORY_NAMES.get(p.category, {"ru": p.category, "kk": ""})
    note = (
        f'<p class="small">Комментарий модератора: {e(p.moderator_note)}</p>'
        if p.moderator_note
        else ""
    )
    buttons = []
    if p.state != "published":
        buttons.append('<button type="submit" name="state" value="published">Опубликовать</button>')
    if p.state != "rejected":
        buttons.append(
            '<button type="submit" class="secondary" name="state" value="rejected">'
            "Отклонить</button>"
        )
    return (
        f'<div class="card" id="p{p.id}"><p>{_badge(p.state, PROPOSAL_STATE_NAMES)} '
        f'<span class="badge">{e(category["ru"])}</span> '
        f'<span class="muted small">№ {p.id} · {e(fmt_time(p.created_at))} · '
        f"{e(out.author_name or 'без имени')}, {e(out.author_phone)} · "
        f"поддержали: {p.support_count}</span></p>"
        f'<div class="text">{e(p.text)}</div>'
        + (f'<p class="small">Место: {e(" · ".join(place))}</p>' if place else "")
        + (f'<div class="thumbs">{photos}</div>' if photos else "")
        + note
        + f'<form method="post" action="{BASE}/proposals/{p.id}/moderate">'
        f'{_hidden(settings, auth)}<input type="hidden" name="back" value="{e(back)}">'
        f'<label for="note{p.id}">Комментарий автору (обязателен при отклонении)</label>'
        f'<textarea id="note{p.id}" name="note" maxlength="1000"></textarea>'
        f'<div class="actions">{"".join(buttons)}</div></form></div>'
    )


def _proposal_list(
    db: Session,
    settings: Settings,
    auth: AuthSession,
    state: str,
    before_id: int | None = None,
    *,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    totals = dict(db.exec(select(Proposal.state, func.count()).group_by(col(Proposal.state))).all())
    chips = "".join(
        f'<a href="{BASE}/proposals?{e(urlencode({"state": s}))}">{e(names["ru"])}: '
        f"<b>{int(totals.get(s, 0))}</b></a>"
        for s, names in PROPOSAL_STATE_NAMES.items()
    )
    rows = proposals_crud.list_for_operator(
        db, state=state or None, before_id=before_id, limit=PROPOSALS_PAGE
    )
    back = f"{BASE}/proposals?{urlencode({'state': state})}"
    cards = "".join(_proposal_card(db, settings, auth, p, back) for p in rows)
    pager = ""
    if len(rows) == PROPOSALS_PAGE:
        more = urlencode({"state": state, "before_id": rows[-1].id})
        pager = f'<div class="pager"><a href="{BASE}/proposals?{e(more)}">Дальше →</a></div>'
    body = (
        f'<div class="chips">{chips}<a href="{BASE}/proposals?state=">Все</a></div>'
        + (cards or '<p class="muted">Предложений нет.</p>')
        + pager
    )
    return _page(settings, auth, "Предложения жителей", body, error=error, status=status)


@router.get("/proposals", response_class=HTMLResponse)
def proposals_page(
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    state: Annotated[str, Query(max_length=16)] = "pending",
    before_id: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    who = _guarded(request, db, settings)
    if isinstance(who, Response):
        return who
    state = state if state in PROPOSAL_STATE_NAMES else ""
    return _proposal_list(db, settings, who[1], state, before_id)


@router.post("/proposals/{proposal_id}/moderate")
def moderate_proposal(
    proposal_id: int,
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form()] = "",
    state: Annotated[str, Form(max_length=16)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
    back: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    who = _guarded(request, db, settings, csrf)
    if isinstance(who, Response):
        return who
    op, auth = who
    proposal = db.get(Proposal, proposal_id)
    if proposal is None:
        return _not_found(settings, auth, "Предложение")
    back = back if back.startswith(f"{BASE}/proposals") else f"{BASE}/proposals"

    def apply() -> None:
        if state not in {"published", "rejected"}:
            raise FormError("Выберите: опубликовать или отклонить.")
        if len(note) > 1000:
            raise FormError("Комментарий слишком длинный: не более 1000 символов.")
        data = ModerationIn(state=state, note=note or None)
        proposals_crud.moderate(db, op, proposal, data)

    failed = _write(
        db,
        apply,
        lambda msg, code: _proposal_list(
            db, settings, auth, proposal.state, error=msg, status=code
        ),
    )
    return failed or _redirect(back)
