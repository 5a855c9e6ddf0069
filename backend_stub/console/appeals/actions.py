"""The routes for one appeal (/console/appeals/…): its page, moving it along, replying with a
photo, closing it with a result (asked on a page of its own, once per form); and the stored
photos and videos the pages show (/console/media/…). Refusals are shown in the operator's
language, with what they typed."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated

from fastapi import File, Form, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, Response
from sqlmodel import Session

from backend_stub import classifier
from backend_stub.config import Settings
from backend_stub.console.appeals.closing import render_close
from backend_stub.console.appeals.detail import render_appeal, staff_label
from backend_stub.console.appeals.names import ROLE_NAMES
from backend_stub.console.auth import ConsoleForm, ConsoleSession, SignedIn
from backend_stub.console.kit.confirm import YES, Confirmed
from backend_stub.console.kit.forms import once_per_form, refusals
from backend_stub.console.kit.i18n import _, language
from backend_stub.console.kit.page import (
    ConsoleExit,
    console_router,
    html_response,
    not_found,
    redirect,
)
from backend_stub.console.kit.text import fmt_time, status_name
from backend_stub.crud import appeals as appeals_crud
from backend_stub.crud import chat as chat_crud
from backend_stub.crud import media as media_crud
from backend_stub.crud import staff as staff_crud
from backend_stub.crud.records import by_key
from backend_stub.deps import DbDep, SettingsDep
from backend_stub.messages import message
from backend_stub.models import Appeal, MediaFile, User
from backend_stub.schemas.chat import MessageIn
from backend_stub.statuses import Status, can_operator_move
from backend_stub.text import clean_text

router = console_router("/console")


def _appeal_or_404(db: Session, who: SignedIn, appeal_id: int) -> Appeal:
    """The appeal, if it exists and the staff member may see it (an executor: their body's);
    the same 404 otherwise."""
    appeal = by_key(db, model=Appeal, key=appeal_id)
    if appeal is None or not who.staff.sees(appeal):
        raise not_found(
            _("Appeal not found."), "/console", _("To the list of appeals"), csrf=who.csrf
        )
    return appeal


def _again(
    db: Session,
    who: SignedIn,
    appeal: Appeal,
    *,
    draft_reply: str = "",
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
            draft_note=draft_note,
        )

    return render


def _changed_since(db: Session, appeal: Appeal, seen_status: str) -> str | None:
    """Why a form from a stale tab is refused: who moved the appeal on, and when (None: the
    appeal is still in the status the form was made in)."""
    if not seen_status or seen_status == appeal.status:
        return None
    assert appeal.id is not None
    moves = [ev for ev in appeals_crud.history(db, appeal_id=appeal.id) if ev.to_status]
    last = moves[-1] if moves else None
    staff = staff_crud.names_of(db, user_ids=[last.actor_id] if last else [])
    account = staff.get(last.actor_id or 0) if last else None
    who = staff_label(account) if account else ROLE_NAMES.get(last.actor_role if last else "", "—")
    when = fmt_time(last.at) if last else "—"
    return _(
        "This appeal was already changed by {who} at {time}; reload the page.", who=who, time=when
    )


@router.get("/appeals/{appeal_id}", response_class=HTMLResponse)
def appeal_page(appeal_id: int, who: ConsoleSession, db: DbDep) -> Response:
    appeal = _appeal_or_404(db, who, appeal_id)
    assert appeal.id is not None
    last = chat_crud.last_from_resident(db, appeal_id=appeal.id)
    if last and chat_crud.mark_read(
        db, reader=who.user, appeal=appeal, up_to_id=last
    ):  # the operator saw them
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
        settings=settings,
        owner_id=op.id,
        src=photo.file,
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
    seen_status: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    appeal = _appeal_or_404(db, who, appeal_id)
    again = _again(db, who, appeal, draft_note=note)
    stale = _changed_since(db, appeal, seen_status)
    if stale:
        return again(stale, 409)
    try:
        target = Status(to_status)
    except ValueError:
        return again(_("Unknown status."), 422)
    if target == Status.CLOSED and can_operator_move(Status(appeal.status), target):
        return again(_("An appeal is closed only with a result: use «Close with a result»."), 422)
    known = {s.code for s in classifier.load_classifier().services}
    new_service = (
        service_code if service_code in known and (service_code != appeal.service_code) else None
    )
    with refusals(db, again, refresh=appeal):
        appeals_crud.change_status(
            db,
            operator=who.user,
            appeal=appeal,
            to_status=target.value,
            note=note.strip() or None,
            service_code=new_service,
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
    done = chat_crud.by_client_id(db, author_id=op.id, client_id=client_id)
    if done is not None:  # the same form sent twice
        return redirect(f"/console/appeals/{appeal_id}")
    if not text.strip() and (photo is None or not photo.filename):
        return render_appeal(
            db, who, appeal, status=422, error=_("Write a message or attach a photo.")
        )
    with refusals(
        db,
        _again(db, who, appeal, draft_reply=text),
        refresh=appeal,
        explain=lambda _exc: _("The message is too long: at most {max} characters.", max=4000),
    ):
        data = MessageIn(client_id=client_id, text=text)
        if text.strip():  # checked before a photo is stored
            clean_text(text, max_len=4000)
        media = _store_photo(db, settings, op, photo)
        if media is not None:
            data.attachment_ids = [media.id]
        chat_crud.post_message(db, author=op, appeal=appeal, data=data)
        db.commit()
    return redirect(f"/console/appeals/{appeal_id}")


def _cannot_close(appeal: Appeal) -> str | None:
    """Why the appeal cannot be closed from its current status (None: it can)."""
    current = Status(appeal.status)
    if can_operator_move(current, Status.CLOSED):
        return None
    return message(
        "invalid_transition",
        language(),
        from_status=status_name(current.value),
        to_status=status_name(Status.CLOSED.value),
    )


@router.get("/appeals/{appeal_id}/close", response_class=HTMLResponse)
def close_page(appeal_id: int, who: ConsoleSession, db: DbDep) -> Response:
    """The closing page: the confirmation and the close form (the appeal's page with the
    reason when it cannot be closed now)."""
    appeal = _appeal_or_404(db, who, appeal_id)
    refused = _cannot_close(appeal)
    if refused:
        return render_appeal(db, who, appeal, error=refused, status=409)
    return render_close(who, appeal)


@router.post("/appeals/{appeal_id}/close")
def close(
    appeal_id: int,
    who: ConsoleForm,
    db: DbDep,
    settings: SettingsDep,
    client_id: Annotated[str, Form(max_length=64)] = "",
    result_text: Annotated[str, Form(max_length=8000)] = "",
    photo: Annotated[UploadFile | None, File()] = None,
    seen_status: Annotated[str, Form(max_length=16)] = "",
    confirmed: Confirmed = "",
) -> Response:
    """Close the appeal with its result, once per form, only with `confirmed=yes` (the closing
    page's red button); anything else shows the closing page again, with what was typed."""
    appeal = _appeal_or_404(db, who, appeal_id)

    def close_again(error: str | None, status: int) -> Response:
        refused = _cannot_close(appeal)
        if refused:  # the closing page no longer fits: the appeal's own page, with why
            return render_appeal(db, who, appeal, error=error or refused, status=409)
        return render_close(who, appeal, error=error, status=status, draft_result=result_text)

    if confirmed != YES:  # asked first; a stale tab is told so, a photo to attach again
        stale = _changed_since(db, appeal, seen_status)
        posted_a_photo = photo is not None and bool(photo.filename)
        lost = _("Attach the photo again: it was not kept.") if posted_a_photo else None
        told = " ".join(filter(None, (stale, lost)))
        return close_again(told or None, 409 if stale else 200)

    def effect() -> dict[str, int]:
        stale = _changed_since(db, appeal, seen_status)
        if stale:  # the closing page again (if it still fits) with its fresh status
            raise ConsoleExit(close_again(stale, 409))
        if not result_text.strip():
            raise ConsoleExit(close_again(_("Describe the result."), 422))
        clean_text(result_text, max_len=4000, field="result_text")  # before a photo is stored
        media = _store_photo(db, settings, who.user, photo)
        appeals_crud.close(
            db,
            operator=who.user,
            appeal=appeal,
            result_text=result_text,
            after_media_ids=[media.id] if media else [],
        )
        return {"appeal_id": appeal_id}

    payload = {"appeal_id": appeal_id, "result_text": result_text}
    with refusals(db, close_again, refresh=appeal):
        once_per_form(db, who.user, client_id, "console-close", "console.close", payload, effect)
    return redirect(f"/console/appeals/{appeal_id}")


@router.get("/media/{media_id}")
def media_file(media_id: str, who: ConsoleSession, db: DbDep, settings: SettingsDep) -> Response:
    """A stored photo or video, for the signed-in console operator."""
    media = media_crud.get_media(db, media_id=media_id)
    if media is None or not media_crud.can_read(db, user=who.user, media=media):
        return html_response(_("Not found"), 404)
    path = media_crud.media_path(settings, media)
    if not path.is_file():
        return html_response(_("Not found"), 404)
    return FileResponse(
        path,
        media_type=media.content_type,
        headers={"Cache-Control": "private, max-age=86400", "X-Content-Type-Options": "nosniff"},
    )
