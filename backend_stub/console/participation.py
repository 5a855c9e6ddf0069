"""The console's public-participation pages (under /console/participation): polls (draft,
publish, close, results), the akimat's initiatives (create, edit, move along) and the moderation
of residents' proposals.

Every write goes through the same crud functions as the API.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode

from fastapi import Depends, Form, Query
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy import func
from sqlmodel import Session, SQLModel, col, select

from backend_stub.console.auth import ConsoleForm, ConsoleSession, SignedIn
from backend_stub.console.core import (
    ALMATY,
    LOCAL_FORMAT,
    PAGE_SIZE,
    ConsoleExit,
    FormError,
    back_link,
    badge,
    button_form,
    chips,
    console_router,
    count_label,
    details,
    district_checkboxes,
    district_name,
    e,
    error_box,
    fmt_time,
    heading,
    layout,
    options,
    pager,
    post_form,
    redirect,
    refusals,
    table,
    to_local,
)
from backend_stub.crud import initiatives as initiatives_crud
from backend_stub.crud import polls as polls_crud
from backend_stub.crud import proposals as proposals_crud
from backend_stub.deps import DbDep
from backend_stub.models import Initiative, Poll, Proposal, utcnow
from backend_stub.presenters.proposals import operator_out
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

router = console_router("/console/participation")

BASE = "/console/participation"
TABS = (
    ("", "Опросы", "Сауалнамалар"),
    ("/initiatives", "Инициативы акимата", "Әкімдік бастамалары"),
    ("/proposals", "Предложения жителей", "Тұрғындар ұсыныстары"),
)
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

Model = TypeVar("Model", bound=SQLModel)


# ---------------------------------------------------------------- page helpers


def _badge(code: str, names: dict[str, dict[str, str]]) -> str:
    name = names.get(code, {"ru": code, "kk": ""})
    colour = STATE_BADGE_COLOURS.get(code, "#e8eef6;color:#1c3d63")
    return badge(name["ru"], name["kk"], style=f"background:{colour}")


def _page(
    who: SignedIn, title: str, body: str, *, error: str | None = None, status: int = 200
) -> HTMLResponse:
    """A participation page: the way back, the section's tabs, any error, the page itself."""
    content = (
        back_link("/console", "Обращения")
        + heading("Участие жителей", "Тұрғындардың қатысуы")
        + chips((f"{BASE}{path}", f"{e(ru)} · {e(kk)}") for path, ru, kk in TABS)
        + f"{error_box(error)}<h2>{e(title)}</h2>{body}"
    )
    return layout(title, content, csrf=who.csrf, status=status)


def _text_input(name: str, label: str, value: str, *, maxlength: int, area: bool = False) -> str:
    field = (
        f'<textarea id="{name}" name="{name}" maxlength="{maxlength}">{e(value)}</textarea>'
        if area
        else f'<input type="text" class="wide" id="{name}" name="{name}" maxlength="{maxlength}"'
        f' value="{e(value)}">'
    )
    return f'<label for="{name}">{e(label)}</label>{field}'


def _parse_local(value: str, what: str) -> datetime:
    try:
        return datetime.strptime(value.strip(), LOCAL_FORMAT).replace(tzinfo=ALMATY)
    except ValueError:
        raise FormError(f"Укажите {what} в формате ДД.ММ.ГГГГ ЧЧ:ММ.") from None


def _not_found(who: SignedIn, what: str) -> HTMLResponse:
    return _page(who, "Не найдено", f'<p class="muted">{e(what)} не найдено.</p>', status=404)


def _found(db: Session, who: SignedIn, model: type[Model], item_id: int, what: str) -> Model:
    """The item, or the request ends with the "not found" page."""
    item = db.get(model, item_id)
    if item is None:
        raise ConsoleExit(_not_found(who, what))
    return item


# ---------------------------------------------------------------- polls


def _poll_form(who: SignedIn, values: dict[str, Any]) -> str:
    now = utcnow()
    multiple = " checked" if values.get("multiple") else ""
    return post_form(
        f"{BASE}/polls",
        who.hidden,
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
        f' value="{e(values.get("opens_at") or to_local(now))}"></div>'
        '<div><label for="closes_at">Окончание (Астана)</label>'
        '<input type="datetime-local" id="closes_at" name="closes_at"'
        f' value="{e(values.get("closes_at") or to_local(now + timedelta(days=7)))}"></div></div>'
        "<label>Районы (ни одного — весь город)</label>"
        f"<div>{district_checkboxes(values.get('districts') or [], gap_px=12)}</div>",
        "Сохранить черновик",
        cls="card",
    )


def _poll_list(
    db: Session,
    who: SignedIn,
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
            f"</td><td>{e(scope)}</td><td>{polls_crud.results(db, poll).total}</td></tr>"
        )
    headers = ("Вопрос", "Статус", "Период", "Районы", "Голосов")
    body = f'<div class="card">{table(headers, rows, "Опросов пока нет.")}</div>'
    body += _poll_form(who, values or {})
    return _page(who, "Опросы", body, error=error, status=status)


@router.get("", response_class=HTMLResponse)
def polls_page(who: ConsoleSession, db: DbDep) -> Response:
    return _poll_list(db, who)


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
    who: ConsoleForm,
    db: DbDep,
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

    def again(error: str, status: int) -> Response:
        return _poll_list(db, who, values=values, error=error, status=status)

    with refusals(db, again):
        poll = polls_crud.create_poll(db, who.user, _poll_in(values))
        db.commit()
    return redirect(f"{BASE}/polls/{poll.id}")


def _render_poll(
    db: Session,
    who: SignedIn,
    poll: Poll,
    *,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    assert poll.id is not None
    now = utcnow()
    state = polls_crud.poll_status(poll, now)
    choices = polls_crud.options_of(db, poll.id)
    res = polls_crud.results(db, poll, choices)
    counts = {r.option_id: r for r in res.options}
    bars = []
    for option in choices:
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
    here = f"{BASE}/polls/{poll.id}"
    actions = []
    if poll.state == "draft":
        actions.append(button_form(f"{here}/publish", who.hidden, "Опубликовать · Жариялау"))
        actions.append(
            button_form(f"{here}/delete", who.hidden, "Удалить черновик", button_cls="secondary")
        )
    elif state in {"open", "upcoming"}:
        actions.append(
            button_form(
                f"{here}/close", who.hidden, "Завершить голосование сейчас", button_cls="danger"
            )
        )
    facts = details(
        [
            ("Статус", _badge(state, POLL_STATUS_NAMES)),
            ("Выбор", e(kind)),
            ("Период", f"{e(fmt_time(poll.opens_at))} — {e(fmt_time(poll.closes_at))}"),
            ("Районы", e(scope)),
            ("Проголосовали", f"<b>{res.total}</b>"),
        ]
    )
    body = (
        f'<div class="card"><p><b>{e(poll.question_ru)}</b><span class="kk">'
        f"{e(poll.question_kk)}</span></p>{facts}"
        '<h2 style="margin-top:14px">Результаты</h2>'
        + table(("Вариант", "Голосов", "Доля"), bars)
        + f'<div class="actions">{"".join(actions)}</div></div>'
    )
    return _page(who, "Опрос", body, error=error, status=status)


@router.get("/polls/{poll_id}", response_class=HTMLResponse)
def poll_page(poll_id: int, who: ConsoleSession, db: DbDep) -> Response:
    return _render_poll(db, who, _found(db, who, Poll, poll_id, "Опрос"))


def _poll_action(
    db: Session,
    who: SignedIn,
    poll_id: int,
    apply: Callable[[Poll], object],
    done_url: str | None = None,
) -> Response:
    poll = _found(db, who, Poll, poll_id, "Опрос")

    def again(error: str, status: int) -> Response:
        fresh = db.get(Poll, poll_id)
        if fresh is None:
            return _not_found(who, "Опрос")
        return _render_poll(db, who, fresh, error=error, status=status)

    with refusals(db, again):
        apply(poll)
        db.commit()
    return redirect(done_url or f"{BASE}/polls/{poll_id}")


@router.post("/polls/{poll_id}/publish")
def publish_poll(poll_id: int, who: ConsoleForm, db: DbDep) -> Response:
    return _poll_action(db, who, poll_id, lambda p: polls_crud.publish(db, p))


@router.post("/polls/{poll_id}/close")
def close_poll(poll_id: int, who: ConsoleForm, db: DbDep) -> Response:
    return _poll_action(db, who, poll_id, lambda p: polls_crud.close(db, p))


@router.post("/polls/{poll_id}/delete")
def delete_poll(poll_id: int, who: ConsoleForm, db: DbDep) -> Response:
    return _poll_action(db, who, poll_id, lambda p: polls_crud.delete_draft(db, p), done_url=BASE)


# ---------------------------------------------------------------- initiatives


def _initiative_fields(values: dict[str, str]) -> str:
    choices = [(s, INITIATIVE_STATE_NAMES[s]["ru"]) for s in INITIATIVE_STATES]
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
        + '<label for="state">Статус</label><select id="state" name="state">'
        f"{options(choices, values.get('state') or 'proposed')}</select>"
    )


def _initiative_list(
    db: Session,
    who: SignedIn,
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
    headers = ("Инициатива", "Статус", "Поддержали", "Изменена")
    form = post_form(
        f"{BASE}/initiatives",
        who.hidden,
        "<h2>Новая инициатива · Жаңа бастама</h2>" + _initiative_fields(values or {}),
        "Опубликовать",
        cls="card",
    )
    body = f'<div class="card">{table(headers, rows, "Инициатив пока нет.")}</div>{form}'
    return _page(who, "Инициативы акимата", body, error=error, status=status)


@router.get("/initiatives", response_class=HTMLResponse)
def initiatives_page(who: ConsoleSession, db: DbDep) -> Response:
    return _initiative_list(db, who)


def _checked_model(build: Callable[[], Any]) -> Any:
    try:
        return build()
    except ValidationError:
        raise FormError(
            "Заполните название (до 300 символов) и описание (до 5000 символов) на обоих языках."
        ) from None


def initiative_form(
    title_kk: Annotated[str, Form(max_length=600)] = "",
    title_ru: Annotated[str, Form(max_length=600)] = "",
    description_kk: Annotated[str, Form(max_length=10000)] = "",
    description_ru: Annotated[str, Form(max_length=10000)] = "",
    state: Annotated[str, Form(max_length=16)] = "",
) -> dict[str, str]:
    """The posted initiative form, as typed (a state that is not one of ours as "")."""
    return {
        "title_kk": title_kk,
        "title_ru": title_ru,
        "description_kk": description_kk,
        "description_ru": description_ru,
        "state": state if state in INITIATIVE_STATES else "",
    }


PostedInitiative = Annotated[dict[str, str], Depends(initiative_form)]


@router.post("/initiatives")
def create_initiative(who: ConsoleForm, db: DbDep, posted: PostedInitiative) -> Response:
    values = {**posted, "state": posted["state"] or "proposed"}

    def again(error: str, status: int) -> Response:
        return _initiative_list(db, who, values=values, error=error, status=status)

    with refusals(db, again):
        data = _checked_model(lambda: InitiativeIn.model_validate(values))
        initiatives_crud.create_initiative(db, operator=who.user, data=data)
        db.commit()
    return redirect(f"{BASE}/initiatives")


def _render_initiative(
    who: SignedIn,
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
    body = post_form(
        f"{BASE}/initiatives/{initiative.id}",
        who.hidden,
        f"<p>Поддержали: <b>{initiative.support_count}</b> · "
        f"{_badge(initiative.state, INITIATIVE_STATE_NAMES)}</p>" + _initiative_fields(shown),
        "Сохранить",
        cls="card",
    ) + back_link(f"{BASE}/initiatives", "Все инициативы")
    return _page(who, "Инициатива", body, error=error, status=status)


@router.get("/initiatives/{initiative_id}", response_class=HTMLResponse)
def initiative_page(initiative_id: int, who: ConsoleSession, db: DbDep) -> Response:
    return _render_initiative(who, _found(db, who, Initiative, initiative_id, "Инициатива"))


@router.post("/initiatives/{initiative_id}")
def update_initiative(
    initiative_id: int, who: ConsoleForm, db: DbDep, posted: PostedInitiative
) -> Response:
    initiative = _found(db, who, Initiative, initiative_id, "Инициатива")
    values = {**posted, "state": posted["state"] or initiative.state}

    def again(error: str, status: int) -> Response:
        fresh = db.get(Initiative, initiative_id)
        assert fresh is not None
        return _render_initiative(who, fresh, values=values, error=error, status=status)

    with refusals(db, again):
        data = _checked_model(lambda: InitiativePatch.model_validate(values))
        initiatives_crud.update_initiative(db, initiative=initiative, patch=data)
        db.commit()
    return redirect(f"{BASE}/initiatives/{initiative_id}")


# ---------------------------------------------------------------- proposals


def _proposal_card(db: Session, who: SignedIn, p: Proposal, back: str) -> str:
    out = operator_out(db, p)
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
        f"{badge(category['ru'])} "
        f'<span class="muted small">№ {p.id} · {e(fmt_time(p.created_at))} · '
        f"{e(out.author_name or 'без имени')}, {e(out.author_phone)} · "
        f"поддержали: {p.support_count}</span></p>"
        f'<div class="text">{e(p.text)}</div>'
        + (f'<p class="small">Место: {e(" · ".join(place))}</p>' if place else "")
        + (f'<div class="thumbs">{photos}</div>' if photos else "")
        + note
        + f'<form method="post" action="{BASE}/proposals/{p.id}/moderate">'
        f'{who.hidden}<input type="hidden" name="back" value="{e(back)}">'
        f'<label for="note{p.id}">Комментарий автору (обязателен при отклонении)</label>'
        f'<textarea id="note{p.id}" name="note" maxlength="1000"></textarea>'
        f'<div class="actions">{"".join(buttons)}</div></form></div>'
    )


def _proposal_list(
    db: Session,
    who: SignedIn,
    state: str,
    before_id: int | None = None,
    *,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    totals = dict(db.exec(select(Proposal.state, func.count()).group_by(col(Proposal.state))).all())
    states = chips(
        [
            *(
                (
                    f"{BASE}/proposals?{urlencode({'state': s})}",
                    count_label(names["ru"], totals.get(s, 0)),
                )
                for s, names in PROPOSAL_STATE_NAMES.items()
            ),
            (f"{BASE}/proposals?state=", "Все"),
        ]
    )
    rows = proposals_crud.list_for_operator(
        db, state=state or None, before_id=before_id, limit=PAGE_SIZE
    )
    back = f"{BASE}/proposals?{urlencode({'state': state})}"
    cards = "".join(_proposal_card(db, who, p, back) for p in rows)
    body = (
        states
        + (cards or '<p class="muted">Предложений нет.</p>')
        + pager(f"{BASE}/proposals", rows, {"state": state})
    )
    return _page(who, "Предложения жителей", body, error=error, status=status)


@router.get("/proposals", response_class=HTMLResponse)
def proposals_page(
    who: ConsoleSession,
    db: DbDep,
    state: Annotated[str, Query(max_length=16)] = "pending",
    before_id: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    state = state if state in PROPOSAL_STATE_NAMES else ""
    return _proposal_list(db, who, state, before_id)


@router.post("/proposals/{proposal_id}/moderate")
def moderate_proposal(
    proposal_id: int,
    who: ConsoleForm,
    db: DbDep,
    state: Annotated[str, Form(max_length=16)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
    back: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    proposal = _found(db, who, Proposal, proposal_id, "Предложение")
    back = back if back.startswith(f"{BASE}/proposals") else f"{BASE}/proposals"

    def again(error: str, status: int) -> Response:
        return _proposal_list(db, who, proposal.state, error=error, status=status)

    with refusals(db, again):
        if state not in {"published", "rejected"}:
            raise FormError("Выберите: опубликовать или отклонить.")
        if len(note) > 1000:
            raise FormError("Комментарий слишком длинный: не более 1000 символов.")
        decision = ModerationIn.model_validate({"state": state, "note": note or None})
        proposals_crud.moderate(db, who.user, proposal, decision)
        db.commit()
    return redirect(back)
