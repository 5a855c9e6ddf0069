"""One appeal's page: its facts and place, photos and videos, result, history, chat and the
forms that move it along, reply and close it."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from fastapi.responses import HTMLResponse
from sqlmodel import Session

from backend_stub import classifier, history_notes
from backend_stub.console.appeals.names import (
    EVENT_NAMES,
    LANG_NAMES,
    MEDIA_ROLE_NAMES,
    ROLE_NAMES,
    TYPE_NAMES,
    category_names,
    importance_badge,
    service_name,
    status_badge,
    status_marks,
)
from backend_stub.console.auth import SignedIn
from backend_stub.console.kit.page import error_box, layout
from backend_stub.console.kit.text import district_name, e, fmt_time, status_ru
from backend_stub.console.kit.widgets import client_id_field, details, options, table
from backend_stub.crud import appeals as appeals_crud
from backend_stub.crud import chat as chat_crud
from backend_stub.crud import media as media_crud
from backend_stub.models import Appeal, MediaFile, utcnow
from backend_stub.statuses import OPERATOR_TRANSITIONS, STATUS_NAMES, Status


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
            ("Статус", f"{status_badge(appeal.status)} {' '.join(status_marks(appeal, now))}"),
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
            ("Возобновлялось", f"{appeal.reopen_count} раз" if appeal.reopen_count else None),
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
    assert appeal.id is not None
    complaints = appeals_crud.complaints_of(db, appeal_id=appeal.id)
    if complaints:
        result += "<h2>Жалобы</h2>" + "".join(
            f'<div class="text"><span class="muted small">{e(fmt_time(c.created_at))}</span>\n'
            f"{e(c.text)}</div>"
            for c in complaints
        )
    return result


def _history(db: Session, appeal: Appeal) -> str:
    assert appeal.id is not None
    events = appeals_crud.history(db, appeal_id=appeal.id)
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
    for msg in chat_crud.messages_of(db, appeal_id=appeal.id):
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
    media = media_crud.media_for_appeal(db, appeal_id=appeal.id)
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
