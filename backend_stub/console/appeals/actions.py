"""The routes for one appeal (/console/appeals/…): its page, moving it along, replying with a
photo, closing it with a result; and the stored photos and videos the pages show
(/console/media/…)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated

from fastapi import File, Form, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, Response
from sqlmodel import Session

from backend_stub import classifier
from backend_stub.config import Settings
from backend_stub.console.appeals.detail import render_appeal
from backend_stub.console.auth import ConsoleForm, ConsoleSession, SignedIn
from backend_stub.console.kit.forms import refusals
from backend_stub.console.kit.page import console_router, html_response, not_found, redirect
from backend_stub.console.kit.text import status_ru
from backend_stub.crud import appeals as appeals_crud
from backend_stub.crud import chat as chat_crud
from backend_stub.crud import media as media_crud
from backend_stub.crud.records import by_key
from backend_stub.deps import DbDep, SettingsDep
from backend_stub.messages import message
from backend_stub.models import Appeal, MediaFile, User
from backend_stub.schemas.chat import MessageIn
from backend_stub.statuses import Status, can_operator_move
from backend_stub.text import clean_text

router = console_router("/console")


def _appeal_or_404(db: Session, who: SignedIn, appeal_id: int) -> Appeal:
    appeal = by_key(db, model=Appeal, key=appeal_id)
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
        chat_crud.post_message(db, author=op, appeal=appeal, data=data)
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
        appeals_crud.close(
            db,
            operator=who.user,
            appeal=appeal,
            result_text=result_text,
            after_media_ids=[media.id] if media else [],
        )
        db.commit()
    return redirect(f"/console/appeals/{appeal_id}")


@router.get("/media/{media_id}")
def media_file(media_id: str, who: ConsoleSession, db: DbDep, settings: SettingsDep) -> Response:
    """A stored photo or video, for the signed-in console operator."""
    media = media_crud.get_media(db, media_id=media_id)
    if media is None or not media_crud.can_read(db, user=who.user, media=media):
        return html_response("Не найдено", 404)
    path = media_crud.media_path(settings, media)
    if not path.is_file():
        return html_response("Не найдено", 404)
    return FileResponse(
        path,
        media_type=media.content_type,
        headers={"Cache-Control": "private, max-age=86400", "X-Content-Type-Options": "nosniff"},
    )
