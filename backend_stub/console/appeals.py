"""Console pages for appeals (/console, /console/appeals/…): the filtered list, one appeal with
its history and chat, moving it along, replying with a photo, closing it with a result; and the
stored photos and videos the pages show (/console/media/…)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import File, Form, Query, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, Response
from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from backend_stub import classifier, history_notes
from backend_stub.config import Settings
from backend_stub.console.auth import ConsoleForm, ConsoleSession, SignedIn
from backend_stub.console.core import (
    PAGE_SIZE,
    badge,
    chips,
    client_id_field,
    console_router,
    count_label,
    details,
    district_name,
    e,
    error_box,
    fmt_time,
    heading,
    html_response,
    layout,
    not_found,
    options,
    pager,
    redirect,
    refusals,
    status_ru,
    table,
)
from backend_stub.crud import appeals as appeals_crud
from backend_stub.crud import chat as chat_crud
from backend_stub.crud import media as media_crud
from backend_stub.deps import DbDep, SettingsDep
from backend_stub.geo import DISTRICT_NAMES
from backend_stub.messages import message
from backend_stub.models import Appeal, AppealEvent, Complaint, MediaFile, Message, User, utcnow
from backend_stub.schemas.chat import MessageIn
from backend_stub.statuses import OPERATOR_TRANSITIONS, STATUS_NAMES, Status, can_operator_move
from backend_stub.text import clean_text

router = console_router("/console")

IMPORTANCE_NAMES = {
    "high": {"ru": "Высокая", "kk": "Жоғары"},
    "medium": {"ru": "Средняя", "kk": "Орташа"},
    "standard": {"ru": "Стандартная", "kk": "Стандартты"},
}
TYPE_NAMES = {
    "consultation": "Консультация",
    "incident": "Инцидент",
    "proposal": "Предложение",
    "complaint": "Жалоба",
    "gratitude": "Благодарность",
}
ROLE_NAMES = {"resident": "Заявитель", "operator": "Оператор", "system": "Система"}
EVENT_NAMES = {
    "status": "Статус",
    "rating": "Оценка",
    "complaint": "Жалоба",
    "reopen": "Возобновление",
    "emergency": "Экстренные службы",
}
MEDIA_ROLE_NAMES = {"applicant": "от заявителя", "chat": "в чате", "after": "после работ"}
LANG_NAMES = {"kk": "казахский", "ru": "русский"}
STATUS_FILTERS: list[tuple[str, str]] = [
    ("", "Все статусы"),
    ("open", "Все незакрытые"),
    *[(s.value, STATUS_NAMES[s]["ru"]) for s in Status],
]


def status_badge(code: str) -> str:
    try:
        names = STATUS_NAMES[Status(code)]
    except ValueError:
        return badge(code)
    return badge(names["ru"], names["kk"], f"st-{code}")


def importance_badge(code: str, raised: bool = False) -> str:
    names = IMPORTANCE_NAMES.get(code, {"ru": code, "kk": ""})
    mark = " ↑" if raised else ""
    title = ' title="Повышена по содержанию"' if raised else ""
    return f'<span class="badge imp-{e(code)}"{title}>{e(names["ru"])}{mark}</span>'


def category_names(subclass_code: str) -> tuple[str, str]:
    """(class name, subclass name) in Russian; the code itself when it is unknown."""
    try:
        data = classifier.load_classifier()
        return data.class_of(subclass_code).name_ru, data.subclass(subclass_code).name_ru
    except KeyError:
        return "", subclass_code


def service_name(code: str) -> str:
    for service in classifier.load_classifier().services:
        if service.code == code:
            return service.name_ru
    return code


def is_overdue(appeal: Appeal, now: datetime) -> bool:
    end = appeal.closed_at if appeal.status == Status.CLOSED.value and appeal.closed_at else now
    return end > appeal.due_at


def _marks(appeal: Appeal, now: datetime) -> list[str]:
    marks = []
    if is_overdue(appeal, now):
        marks.append(badge("Просрочено", cls="overdue"))
    if appeal.emergency:
        marks.append(badge("Экстренное", cls="emergency"))
    return marks


# ---------------------------------------------------------------- the list of appeals


def _find(
    db: Session,
    now: datetime,
    *,
    status: str,
    importance: str,
    district: str,
    number: str,
    overdue: bool,
    before_id: int | None,
) -> list[Appeal]:
    query = select(Appeal)
    if status == "open":
        query = query.where(col(Appeal.status) != Status.CLOSED.value)
    elif status in {s.value for s in Status}:
        query = query.where(Appeal.status == status)
    if importance in IMPORTANCE_NAMES:
        query = query.where(Appeal.importance == importance)
    if district:
        query = query.where(Appeal.district == district)
    if number:
        query = query.where(col(Appeal.number).contains(number, autoescape=True))
    if overdue:
        query = query.where(
            or_(
                and_(col(Appeal.status) != Status.CLOSED.value, col(Appeal.due_at) < now),
                and_(
                    col(Appeal.status) == Status.CLOSED.value,
                    col(Appeal.closed_at) > col(Appeal.due_at),
                ),
            )
        )
    if before_id:
        query = query.where(col(Appeal.id) < before_id)
    return list(db.exec(query.order_by(col(Appeal.id).desc()).limit(PAGE_SIZE)).all())


def _unread(db: Session, rows: list[Appeal]) -> dict[int, int]:
    """Residents' messages the operator has not seen, per appeal."""
    ids = [a.id for a in rows]
    if not ids:
        return {}
    counts = db.exec(
        select(Message.appeal_id, func.count())
        .where(
            col(Message.appeal_id).in_(ids),
            Message.author_role == "resident",
            col(Message.read_at).is_(None),
        )
        .group_by(col(Message.appeal_id))
    ).all()
    return {appeal_id: int(n) for appeal_id, n in counts}


def _filter_form(status: str, importance: str, district: str, number: str, overdue: str) -> str:
    importances = [("", "Любая"), *[(k, v["ru"]) for k, v in IMPORTANCE_NAMES.items()]]
    districts = [("", "Все районы"), *[(k, v["ru"]) for k, v in DISTRICT_NAMES.items()]]
    return (
        '<form class="card filters" method="get" action="/console">'
        f'<div><label for="f-status">Статус</label><select id="f-status" name="status">'
        f"{options(STATUS_FILTERS, status)}</select></div>"
        '<div><label for="f-imp">Важность</label><select id="f-imp" name="importance">'
        f"{options(importances, importance)}</select></div>"
        '<div><label for="f-d">Район</label><select id="f-d" name="district">'
        f"{options(districts, district)}</select></div>"
        '<div><label for="f-n">Номер</label>'
        f'<input type="search" id="f-n" name="number" value="{e(number)}"'
        ' placeholder="109-…"></div>'
        '<div><label><input type="checkbox" name="overdue" value="1"'
        f"{' checked' if overdue else ''}> Только просроченные</label></div>"
        '<div><button type="submit">Показать</button> '
        '<a class="small" href="/console">Сбросить</a></div></form>'
    )


@router.get("", response_class=HTMLResponse)
def appeal_list(
    who: ConsoleSession,
    db: DbDep,
    status: Annotated[str, Query(max_length=16)] = "",
    importance: Annotated[str, Query(max_length=16)] = "",
    district: Annotated[str, Query(max_length=60)] = "",
    number: Annotated[str, Query(max_length=32)] = "",
    overdue: Annotated[str, Query(max_length=2)] = "",
    before_id: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    now = utcnow()
    number = number.strip()
    rows = _find(
        db,
        now,
        status=status,
        importance=importance,
        district=district,
        number=number,
        overdue=bool(overdue),
        before_id=before_id,
    )
    unread = _unread(db, rows)
    totals = dict(db.exec(select(Appeal.status, func.count()).group_by(col(Appeal.status))).all())
    filters = {
        "status": status,
        "importance": importance,
        "district": district,
        "number": number,
        "overdue": "1" if overdue else "",
    }
    counts = chips(
        (
            f"/console?{urlencode({'status': s.value})}",
            count_label(STATUS_NAMES[s]["ru"], totals.get(s.value, 0)),
        )
        for s in Status
    )
    body_rows = []
    for a in rows:
        cls_name, sub_name = category_names(a.subclass_code)
        marks = _marks(a, now)
        if unread.get(a.id or 0):
            marks.append(badge(f"Новых сообщений: {unread[a.id or 0]}", cls="unread"))
        body_rows.append(
            "<tr>"
            f'<td class="nowrap"><a href="/console/appeals/{a.id}"><b>{e(a.number)}</b></a>'
            f'<span class="kk">{e(TYPE_NAMES.get(a.type, a.type))}</span></td>'
            f"<td>{status_badge(a.status)} {' '.join(marks)}</td>"
            f"<td>{importance_badge(a.importance, a.importance_raised)}</td>"
            f'<td>{e(sub_name)}<span class="kk">{e(cls_name)}</span></td>'
            f"<td>{e(district_name(a.district))}</td>"
            f'<td class="nowrap">{e(fmt_time(a.created_at))}</td>'
            f'<td class="nowrap">{e(fmt_time(a.due_at))}</td>'
            "</tr>"
        )
    headers = ("Номер", "Статус", "Важность", "Категория", "Район", "Создано", "Срок")
    content = (
        heading("Обращения", "Өтініштер · время: Астана")
        + counts
        + _filter_form(status, importance, district, number, overdue)
        + table(headers, body_rows, "Обращений нет.")
        + pager("/console", rows, {k: v for k, v in filters.items() if v})
    )
    return layout("Обращения", content, csrf=who.csrf)


# ---------------------------------------------------------------- one appeal


def _media_html(items: list[MediaFile]) -> str:
    if not items:
        return ""
    figures = []
    for m in items:
        url = f"/console/media/{e(m.id)}"
        role = MEDIA_ROLE_NAMES.get(m.role, m.role)
        if m.kind == "video":
            inner = f'<video src="{url}" controls preload="metadata"></video>'
        else:
            inner = f'<a href="{url}" target="_blank" rel="noopener"><img src="{url}" alt=""></a>'
        figures.append(f"<figure>{inner}<figcaption>{e(role)}</figcaption></figure>")
    return f'<div class="thumbs">{"".join(figures)}</div>'


def _place(appeal: Appeal) -> str:
    place = []
    if appeal.address:
        place.append(e(appeal.address))
    if appeal.lat is not None and appeal.lon is not None:
        osm = (
            "https://www.openstreetmap.org/?"
            + urlencode({"mlat": f"{appeal.lat:.6f}", "mlon": f"{appeal.lon:.6f}"})
            + f"#map=17/{appeal.lat:.6f}/{appeal.lon:.6f}"
        )
        acc = f" ±{appeal.accuracy_m:.0f} м" if appeal.accuracy_m is not None else ""
        place.append(
            f'<a href="{e(osm)}" target="_blank" rel="noopener noreferrer">'
            f"{appeal.lat:.6f}, {appeal.lon:.6f}</a>{e(acc)}"
        )
    return "<br>".join(place) or "—"


def _details(appeal: Appeal, now: datetime) -> str:
    cls_name, sub_name = category_names(appeal.subclass_code)
    if appeal.share_personal:
        applicant = f"{e(appeal.applicant_name or '—')}<br>{e(appeal.applicant_phone or '—')}"
    else:
        applicant = '<span class="muted">Заявитель не передал личные данные</span>'
    repeat = ""
    if appeal.repeat_of_id:
        repeat += (
            f'Повтор обращения <a href="/console/appeals/{appeal.repeat_of_id}">'
            f"#{appeal.repeat_of_id}</a>. "
        )
    if appeal.repeat_count:
        repeat += f"Повторных обращений: {appeal.repeat_count}."
    return details(
        [
            ("Статус", f"{status_badge(appeal.status)} {' '.join(_marks(appeal, now))}"),
            ("Важность", importance_badge(appeal.importance, appeal.importance_raised)),
            ("Тип", e(TYPE_NAMES.get(appeal.type, appeal.type))),
            (
                "Категория",
                f'{e(sub_name)}<span class="kk">{e(cls_name)} · {e(appeal.subclass_code)}</span>',
            ),
            ("Исполнитель", e(service_name(appeal.service_code))),
            ("Место", _place(appeal)),
            ("Район", e(district_name(appeal.district))),
            ("Заявитель", applicant),
            ("Язык", e(LANG_NAMES.get(appeal.language, appeal.language))),
            ("Создано", e(fmt_time(appeal.created_at))),
            ("Срок", e(fmt_time(appeal.due_at))),
            ("Закрыто", e(fmt_time(appeal.closed_at)) if appeal.closed_at else None),
            ("Повторы", repeat or None),
            (
                "Возобновлялось",
                f"{appeal.reopen_count} раз" if appeal.reopen_count else None,
            ),
        ]
    )


def _result(db: Session, appeal: Appeal) -> str:
    result = ""
    if appeal.result_text:
        result += f'<h2>Результат</h2><div class="text">{e(appeal.result_text)}</div>'
    if appeal.rating is not None:
        result += (
            f"<p>Оценка заявителя: <b>{'★' * appeal.rating}{'☆' * (5 - appeal.rating)}</b> "
            f"({appeal.rating}/5) {e(appeal.rating_comment or '')}</p>"
        )
    complaints = db.exec(
        select(Complaint).where(Complaint.appeal_id == appeal.id).order_by(col(Complaint.id))
    ).all()
    if complaints:
        result += "<h2>Жалобы</h2>" + "".join(
            f'<div class="text"><span class="muted small">{e(fmt_time(c.created_at))}</span>\n'
            f"{e(c.text)}</div>"
            for c in complaints
        )
    return result


def _history(db: Session, appeal: Appeal) -> str:
    events = db.exec(
        select(AppealEvent).where(AppealEvent.appeal_id == appeal.id).order_by(col(AppealEvent.id))
    ).all()
    rows = []
    for ev in events:
        if ev.to_status:
            move = (f"{e(status_ru(ev.from_status))} → " if ev.from_status else "") + e(
                status_ru(ev.to_status)
            )
        else:
            move = ""
        note = history_notes.note_text(ev.kind, ev.note, "ru")  # the console reads Russian
        rows.append(
            f"<tr><td>{e(fmt_time(ev.at))}</td>"
            f"<td>{e(ROLE_NAMES.get(ev.actor_role, ev.actor_role))}</td>"
            f"<td>{e(EVENT_NAMES.get(ev.kind, ev.kind))}</td><td>{move}</td>"
            f'<td class="small">{e(note or "")}</td></tr>'
        )
    headers = ("Время", "Кто", "Событие", "Статус", "Комментарий")
    return f'<div class="card"><h2>История</h2>{table(headers, rows)}</div>'


def _chat(
    db: Session, who: SignedIn, appeal: Appeal, by_message: dict[int, list[MediaFile]], draft: str
) -> str:
    assert appeal.id is not None
    bubbles = []
    for msg in chat_crud.messages_of(db, appeal.id):
        mine = msg.author_role == "operator"
        read = " · прочитано" if msg.read_at else ""
        bubbles.append(
            f'<div class="msg{" op" if mine else ""}"><div class="meta">'
            f"{e(ROLE_NAMES.get(msg.author_role, msg.author_role))} · "
            f"{e(fmt_time(msg.created_at))}{e(read) if mine else ''}</div>"
            f'<div class="body">{e(msg.text)}</div>'
            f"{_media_html(by_message.get(msg.id or 0, []))}</div>"
        )
    reply_form = (
        f'<form method="post" action="/console/appeals/{appeal.id}/messages"'
        ' enctype="multipart/form-data">'
        f"{who.hidden}{client_id_field()}"
        '<label for="reply">Ответ заявителю</label>'
        f'<textarea id="reply" name="text" maxlength="4000">{e(draft)}</textarea>'
        '<label for="reply-photo">Фото (необязательно)</label>'
        '<input type="file" id="reply-photo" name="photo" accept="image/*,video/*">'
        '<div class="actions"><button type="submit">Отправить</button></div></form>'
    )
    return (
        '<div class="card"><h2>Чат с заявителем</h2>'
        f'<div class="chat">{"".join(bubbles) or "<p class=muted>Сообщений пока нет.</p>"}'
        f"</div>{reply_form}</div>"
    )


def _actions(who: SignedIn, appeal: Appeal, draft_note: str, draft_result: str) -> str:
    current = Status(appeal.status)
    allowed = [s for s in Status if s in OPERATOR_TRANSITIONS[current]]
    if not allowed:
        return '<p class="muted">Обращение закрыто. Возобновить его может только заявитель.</p>'
    moves = [s for s in allowed if s != Status.CLOSED]
    actions = ""
    if moves:
        services = classifier.load_classifier().services
        service_select = options([(s.code, s.name_ru) for s in services], appeal.service_code)
        buttons = "".join(
            f'<button type="submit" name="to_status" value="{e(s.value)}">'
            f"{e(STATUS_NAMES[s]['ru'])} · {e(STATUS_NAMES[s]['kk'])}</button>"
            for s in moves
        )
        actions += (
            f'<form method="post" action="/console/appeals/{appeal.id}/status">{who.hidden}'
            "<h2>Сменить статус</h2>"
            '<label for="note">Комментарий (увидит заявитель в истории)</label>'
            f'<textarea id="note" name="note" maxlength="2000">{e(draft_note)}</textarea>'
            '<label for="service">Ответственная служба</label>'
            f'<select id="service" class="wide" name="service_code">{service_select}</select>'
            f'<div class="actions">{buttons}</div></form>'
        )
    if Status.CLOSED in allowed:
        actions += (
            f'<form method="post" action="/console/appeals/{appeal.id}/close"'
            f' enctype="multipart/form-data">{who.hidden}'
            '<h2 style="margin-top:16px">Закрыть с результатом</h2>'
            '<label for="result">Результат</label>'
            f'<textarea id="result" name="result_text" maxlength="4000" required>'
            f"{e(draft_result)}</textarea>"
            '<label for="after">Фото «после» (с того же ракурса, что у заявителя)</label>'
            '<input type="file" id="after" name="photo" accept="image/*,video/*">'
            '<div class="actions"><button type="submit" class="danger">Закрыть · '
            f"{e(STATUS_NAMES[Status.CLOSED]['kk'])}</button></div></form>"
        )
    return actions


def render_appeal(
    db: Session,
    who: SignedIn,
    appeal: Appeal,
    *,
    error: str | None = None,
    status: int = 200,
    draft_reply: str = "",
    draft_result: str = "",
    draft_note: str = "",
) -> HTMLResponse:
    assert appeal.id is not None
    media = media_crud.media_for_appeal(db, appeal.id)
    by_message: dict[int, list[MediaFile]] = {}
    for m in media:
        if m.message_id is not None:
            by_message.setdefault(m.message_id, []).append(m)
    appeal_media = [m for m in media if m.message_id is None]
    content = (
        f'<p class="small"><a href="/console">← Все обращения</a></p>'
        f"<h1>Обращение {e(appeal.number)}</h1>{error_box(error)}"
        '<div class="grid"><div>'
        f'<div class="card">{_details(appeal, utcnow())}<div class="text">{e(appeal.text)}</div>'
        f"{_media_html(appeal_media)}{_result(db, appeal)}</div>{_history(db, appeal)}</div>"
        f'<div><div class="card">{_actions(who, appeal, draft_note, draft_result)}</div>'
        f"{_chat(db, who, appeal, by_message, draft_reply)}</div></div>"
    )
    return layout(f"Обращение {appeal.number}", content, csrf=who.csrf, status=status)


def _appeal_or_404(db: Session, who: SignedIn, appeal_id: int) -> Appeal:
    appeal = db.get(Appeal, appeal_id)
    if appeal is None:
        raise not_found("Обращение не найдено.", "/console", "К списку обращений", csrf=who.csrf)
    return appeal


def _again(
    db: Session,
    who: SignedIn,
    appeal: Appeal,
    *,
    draft_reply: str = "",
    draft_result: str = "",
    draft_note: str = "",
) -> Callable[[str, int], Response]:
    """The appeal's page again, with an error and what the operator typed."""

    def render(error: str, status: int) -> Response:
        return render_appeal(
            db,
            who,
            appeal,
            error=error,
            status=status,
            draft_reply=draft_reply,
            draft_result=draft_result,
            draft_note=draft_note,
        )

    return render


@router.get("/appeals/{appeal_id}", response_class=HTMLResponse)
def appeal_page(appeal_id: int, who: ConsoleSession, db: DbDep) -> Response:
    appeal = _appeal_or_404(db, who, appeal_id)
    last = db.exec(
        select(func.max(Message.id)).where(
            Message.appeal_id == appeal.id, Message.author_role == "resident"
        )
    ).one()
    if last and chat_crud.mark_read(db, who.user, appeal, int(last)):  # the operator saw them
        db.commit()
    return render_appeal(db, who, appeal)


def _store_photo(
    db: Session, settings: Settings, op: User, photo: UploadFile | None
) -> MediaFile | None:
    if photo is None or (not photo.filename and not photo.size):
        return None
    assert op.id is not None
    return media_crud.ingest(
        db,
        settings,
        op.id,
        photo.file,
        filename=photo.filename or "",
        content_type=photo.content_type,
    )


@router.post("/appeals/{appeal_id}/status")
def change_status(
    appeal_id: int,
    who: ConsoleForm,
    db: DbDep,
    to_status: Annotated[str, Form(max_length=16)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
    service_code: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    appeal = _appeal_or_404(db, who, appeal_id)
    again = _again(db, who, appeal, draft_note=note)
    try:
        target = Status(to_status)
    except ValueError:
        return again("Неизвестный статус.", 422)
    if target == Status.CLOSED and can_operator_move(Status(appeal.status), target):
        return again(
            "Закрыть обращение можно только с результатом — "
            "заполните форму «Закрыть с результатом».",
            422,
        )
    known = {s.code for s in classifier.load_classifier().services}
    new_service = (
        service_code if service_code in known and (service_code != appeal.service_code) else None
    )
    with refusals(db, again, refresh=appeal):
        appeals_crud.change_status(
            db, who.user, appeal, target.value, note.strip() or None, new_service
        )
        db.commit()
    return redirect(f"/console/appeals/{appeal_id}")


@router.post("/appeals/{appeal_id}/messages")
def reply(
    appeal_id: int,
    who: ConsoleForm,
    db: DbDep,
    settings: SettingsDep,
    client_id: Annotated[str, Form(max_length=64)] = "",
    text: Annotated[str, Form(max_length=8000)] = "",
    photo: Annotated[UploadFile | None, File()] = None,
) -> Response:
    appeal = _appeal_or_404(db, who, appeal_id)
    op = who.user
    assert op.id is not None
    if len(client_id) < 8:
        client_id = str(uuid.uuid4())
    done = db.exec(
        select(Message).where(Message.author_id == op.id, Message.client_id == client_id)
    ).first()
    if done is not None:  # the same form sent twice
        return redirect(f"/console/appeals/{appeal_id}")
    if not text.strip() and (photo is None or not photo.filename):
        return render_appeal(
            db, who, appeal, status=422, error="Напишите сообщение или приложите фото."
        )
    with refusals(
        db,
        _again(db, who, appeal, draft_reply=text),
        refresh=appeal,
        explain=lambda _exc: "Сообщение слишком длинное: не более 4000 символов.",
    ):
        data = MessageIn(client_id=client_id, text=text)
        if text.strip():  # checked before a photo is stored
            clean_text(text, max_len=4000)
        media = _store_photo(db, settings, op, photo)
        if media is not None:
            data.attachment_ids = [media.id]
        chat_crud.post_message(db, op, appeal, data)
        db.commit()
    return redirect(f"/console/appeals/{appeal_id}")


@router.post("/appeals/{appeal_id}/close")
def close(
    appeal_id: int,
    who: ConsoleForm,
    db: DbDep,
    settings: SettingsDep,
    result_text: Annotated[str, Form(max_length=8000)] = "",
    photo: Annotated[UploadFile | None, File()] = None,
) -> Response:
    appeal = _appeal_or_404(db, who, appeal_id)
    again = _again(db, who, appeal, draft_result=result_text)
    current = Status(appeal.status)
    if not can_operator_move(current, Status.CLOSED):
        error = message(
            "invalid_transition",
            "ru",
            from_status=status_ru(current.value),
            to_status=status_ru(Status.CLOSED.value),
        )
        return again(error, 409)
    if not result_text.strip():
        return render_appeal(db, who, appeal, error="Опишите результат.", status=422)
    with refusals(db, again, refresh=appeal):
        clean_text(result_text, max_len=4000, field="result_text")  # before a photo is stored
        media = _store_photo(db, settings, who.user, photo)
        appeals_crud.close(db, who.user, appeal, result_text, [media.id] if media else [])
        db.commit()
    return redirect(f"/console/appeals/{appeal_id}")


@router.get("/media/{media_id}")
def media_file(media_id: str, who: ConsoleSession, db: DbDep, settings: SettingsDep) -> Response:
    """A stored photo or video, for the signed-in console operator."""
    media = media_crud.get_media(db, media_id)
    if media is None or not media_crud.can_read(db, who.user, media):
        return html_response("Не найдено", 404)
    path = media_crud.media_path(settings, media)
    if not path.is_file():
        return html_response("Не найдено", 404)
    return FileResponse(
        path,
        media_type=media.content_type,
        headers={"Cache-Control": "private, max-age=86400", "X-Content-Type-Options": "nosniff"},
    )
