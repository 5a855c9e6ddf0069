"""One appeal's page, in the operator's language: its facts and place, photos and videos,
result, history and chat — each a live region the console's script refreshes — and, outside
them, the forms that move it along and reply (closing is a page of its own: `closing.py`)."""

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
from backend_stub.console.kit.i18n import _, language, ngettext
from backend_stub.console.kit.page import error_box, layout
from backend_stub.console.kit.text import district_name, e, fmt_time, status_name
from backend_stub.console.kit.widgets import (
    client_id_field,
    details,
    hidden_field,
    options,
    table,
)
from backend_stub.crud import appeals as appeals_crud
from backend_stub.crud import chat as chat_crud
from backend_stub.crud import media as media_crud
from backend_stub.crud import staff as staff_crud
from backend_stub.models import Appeal, MediaFile, StaffAccount, utcnow
from backend_stub.staff_access import ROLE_NAMES as JOB_NAMES
from backend_stub.statuses import OPERATOR_TRANSITIONS, Status


def _muted(text: str) -> str:
    return f'<span class="muted">{e(text)}</span>'


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
        applicant = _muted(_("The applicant did not share personal data"))
    repeat = ""
    if appeal.repeat_of_id:
        repeat += (
            f'{e(_("Original appeal:"))} <a href="/console/appeals/{appeal.repeat_of_id}">'
            f"#{appeal.repeat_of_id}</a>. "
        )
    if appeal.repeat_count:
        repeat += e(_("Repeat appeals: {n}", n=appeal.repeat_count))
    reopened = ngettext("{n} time", "{n} times", appeal.reopen_count)
    return details(
        [
            (_("Status"), f"{status_badge(appeal.status)} {' '.join(status_marks(appeal, now))}"),
            (_("Importance"), importance_badge(appeal.importance, appeal.importance_raised)),
            (_("Type of appeal"), e(TYPE_NAMES.get(appeal.type, appeal.type))),
            (
                _("Category"),
                f'{e(sub_name)}<span class="kk">{e(cls_name)} · {e(appeal.subclass_code)}</span>',
            ),
            (_("Executor"), e(service_name(appeal.service_code))),
            (_("Place (of an appeal)"), _place(appeal)),
            (_("District"), e(district_name(appeal.district))),
            (_("Applicant"), applicant),
            (_("Language (of an appeal)"), e(LANG_NAMES.get(appeal.language, appeal.language))),
            (_("Created"), e(fmt_time(appeal.created_at))),
            (_("Deadline"), e(fmt_time(appeal.due_at))),
            (_("Closed"), e(fmt_time(appeal.closed_at)) if appeal.closed_at else None),
            (_("Repeats"), repeat or None),
            (_("Reopened"), e(reopened) if appeal.reopen_count else None),
        ]
    )


def _result(db: Session, appeal: Appeal) -> str:
    result = ""
    if appeal.result_text:
        result += f'<h2>{e(_("Result"))}</h2><div class="text">{e(appeal.result_text)}</div>'
    if appeal.rating is not None:
        result += (
            f"<p>{e(_('Rating by the applicant:'))} "
            f"<b>{'★' * appeal.rating}{'☆' * (5 - appeal.rating)}</b> "
            f"({appeal.rating}/5) {e(appeal.rating_comment or '')}</p>"
        )
    assert appeal.id is not None
    complaints = appeals_crud.complaints_of(db, appeal_id=appeal.id)
    if complaints:
        result += f"<h2>{e(_('Complaints'))}</h2>" + "".join(
            f'<div class="text"><span class="muted small">{e(fmt_time(c.created_at))}</span>\n'
            f"{e(c.text)}</div>"
            for c in complaints
        )
    return result


def staff_label(account: StaffAccount) -> str:
    """A staff member as the console names them: their name and job (in the operator's
    language)."""
    return f"{account.display_name} · {JOB_NAMES[account.role][language()]}"


def _who(role: str, user_id: int | None, staff: dict[int, StaffAccount]) -> str:
    account = staff.get(user_id or 0) if role == "operator" else None
    return staff_label(account) if account else ROLE_NAMES.get(role, role)


def _history(db: Session, appeal: Appeal) -> str:
    assert appeal.id is not None
    events = appeals_crud.history(db, appeal_id=appeal.id)
    staff = staff_crud.names_of(db, user_ids=(ev.actor_id for ev in events))
    rows = []
    for ev in events:
        if ev.to_status:
            move = (f"{e(status_name(ev.from_status))} → " if ev.from_status else "") + e(
                status_name(ev.to_status)
            )
        else:
            move = ""
        note = history_notes.note_text(ev.kind, ev.note, language())
        rows.append(
            f"<tr><td>{e(fmt_time(ev.at))}</td>"
            f"<td>{e(_who(ev.actor_role, ev.actor_id, staff))}</td>"
            f"<td>{e(EVENT_NAMES.get(ev.kind, ev.kind))}</td><td>{move}</td>"
            f'<td class="small">{e(note or "")}</td></tr>'
        )
    headers = (_("Time"), _("Who"), _("Event"), _("Status"), _("Comment"))
    return (
        f'<div class="card" id="live-history" data-live-region><h2>{e(_("History"))}</h2>'
        f"{table(headers, rows)}</div>"
    )


def _chat(
    db: Session, who: SignedIn, appeal: Appeal, by_message: dict[int, list[MediaFile]], draft: str
) -> str:
    assert appeal.id is not None
    bubbles = []
    messages = chat_crud.messages_of(db, appeal_id=appeal.id)
    staff = staff_crud.names_of(db, user_ids=(m.author_id for m in messages))
    for msg in messages:
        mine = msg.author_role == "operator"
        read = f" · {_('read (a chat message)')}" if msg.read_at else ""
        bubbles.append(
            f'<div class="msg{" op" if mine else ""}"><div class="meta">'
            f"{e(_who(msg.author_role, msg.author_id, staff))} · "
            f"{e(fmt_time(msg.created_at))}{e(read) if mine else ''}</div>"
            f'<div class="body">{e(msg.text)}</div>'
            f"{_media_html(by_message.get(msg.id or 0, []))}</div>"
        )
    reply_form = (
        f'<form method="post" action="/console/appeals/{appeal.id}/messages"'
        ' enctype="multipart/form-data">'
        f"{who.hidden}{client_id_field()}"
        f'<label for="reply">{e(_("Reply to the applicant"))}</label>'
        f'<textarea id="reply" name="text" maxlength="4000">{e(draft)}</textarea>'
        f'<label for="reply-photo">{e(_("Photo (optional)"))}</label>'
        '<input type="file" id="reply-photo" name="photo" accept="image/*,video/*">'
        f'<div class="actions"><button type="submit">{e(_("Send message"))}</button></div></form>'
    )
    empty = f"<p>{_muted(_('No messages yet.'))}</p>"
    return (
        f'<div class="card"><h2>{e(_("Chat with the applicant"))}</h2>'
        f'<div class="chat" id="live-chat" data-live-region>{"".join(bubbles) or empty}</div>'
        f"{reply_form}</div>"
    )


def _actions(who: SignedIn, appeal: Appeal, draft_note: str) -> str:
    """The status form (the next statuses but closed) and the link to the closing page."""
    current = Status(appeal.status)
    allowed = [s for s in Status if s in OPERATOR_TRANSITIONS[current]]
    if not allowed:
        return f"<p>{_muted(_('The appeal is closed. Only the applicant can reopen it.'))}</p>"
    moves = [s for s in allowed if s != Status.CLOSED]
    actions = ""
    if moves:
        kk = language() == "kk"
        services = classifier.load_classifier().services
        service_select = options(
            [(s.code, s.name_kk if kk else s.name_ru) for s in services], appeal.service_code
        )
        buttons = "".join(
            f'<button type="submit" name="to_status" value="{e(s.value)}">'
            f"{e(status_name(s.value))}</button>"
            for s in moves
        )
        actions += (
            f'<form method="post" action="/console/appeals/{appeal.id}/status">{who.hidden}'
            f"{hidden_field('seen_status', appeal.status)}"
            f"<h2>{e(_('Change the status'))}</h2>"
            f'<label for="note">{e(_("Comment (the applicant sees it in the history)"))}</label>'
            f'<textarea id="note" name="note" maxlength="2000">{e(draft_note)}</textarea>'
            f'<label for="service">{e(_("Responsible service"))}</label>'
            f'<select id="service" class="wide" name="service_code">{service_select}</select>'
            f'<div class="actions">{buttons}</div></form>'
        )
    if Status.CLOSED in allowed:
        actions += (
            '<div class="actions" style="margin-top:16px">'
            f'<a class="button-link" href="/console/appeals/{appeal.id}/close">'
            f"{e(_('Close with a result'))}</a></div>"
        )
    return actions


def _facts(db: Session, appeal: Appeal, appeal_media: list[MediaFile]) -> str:
    """The appeal's card: its facts, text, photos and videos, result, rating and complaints."""
    return (
        f'<div class="card" id="live-facts" data-live-region>{_details(appeal, utcnow())}'
        f'<div class="text">{e(appeal.text)}</div>{_media_html(appeal_media)}'
        f"{_result(db, appeal)}</div>"
    )


def appeal_title(appeal: Appeal) -> str:
    return _("Appeal {number}", number=appeal.number)


def render_appeal(
    db: Session,
    who: SignedIn,
    appeal: Appeal,
    *,
    error: str | None = None,
    status: int = 200,
    draft_reply: str = "",
    draft_note: str = "",
) -> HTMLResponse:
    assert appeal.id is not None
    media = media_crud.media_for_appeal(db, appeal_id=appeal.id)
    by_message: dict[int, list[MediaFile]] = {}
    for m in media:
        if m.message_id is not None:
            by_message.setdefault(m.message_id, []).append(m)
    appeal_media = [m for m in media if m.message_id is None]
    title = appeal_title(appeal)
    content = (
        f'<p class="small"><a href="/console">← {e(_("All appeals"))}</a></p>'
        f"<h1>{e(title)}</h1>{error_box(error)}"
        f'<div class="grid"><div>{_facts(db, appeal, appeal_media)}{_history(db, appeal)}</div>'
        f'<div><div class="card">{_actions(who, appeal, draft_note)}</div>'
        f"{_chat(db, who, appeal, by_message, draft_reply)}</div></div>"
    )
    return layout(title, content, csrf=who.csrf, status=status)
