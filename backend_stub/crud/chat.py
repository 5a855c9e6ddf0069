"""Chat on an appeal between the applicant and the operator/executor, with read marks."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from backend_stub.crud import feed
from backend_stub.crud.appeals import touch
from backend_stub.crud.media import attach_media
from backend_stub.errors import ApiError
from backend_stub.models import Appeal, MediaFile, Message, User, utcnow
from backend_stub.schemas.chat import MessageIn
from backend_stub.text import clean_text


def post_message(db: Session, *, author: User, appeal: Appeal, data: MessageIn) -> Message:
    assert author.id is not None and appeal.id is not None
    text = data.text.strip()
    if text:
        text = clean_text(text, max_len=4000)
    elif not data.attachment_ids:
        raise ApiError(
            422,
            "validation_error",
            details={"fields": [{"loc": ["body", "text"], "type": "missing"}]},
        )
    message = Message(
        appeal_id=appeal.id,
        client_id=data.client_id,
        author_id=author.id,
        author_role=author.role,
        text=text,
    )
    db.add(message)
    db.flush()
    assert message.id is not None
    if data.attachment_ids:
        attach_media(
            db,
            owner_id=author.id,
            media_ids=data.attachment_ids,
            appeal_id=appeal.id,
            message_id=message.id,
            role="chat",
        )
    feed.record(db, user_id=appeal.user_id, entity="message", entity_id=message.id)
    touch(db, appeal=appeal)
    return message


def messages_of(db: Session, *, appeal_id: int, after_id: int = 0) -> list[Message]:
    return list(
        db.exec(
            select(Message)
            .where(Message.appeal_id == appeal_id, col(Message.id) > after_id)
            .order_by(col(Message.id))
        ).all()
    )


def by_client_id(db: Session, *, author_id: int, client_id: str) -> Message | None:
    """The author's message sent with this `client_id` (a form sent twice), if any."""
    return db.exec(
        select(Message).where(Message.author_id == author_id, Message.client_id == client_id)
    ).first()


def last_from_resident(db: Session, *, appeal_id: int) -> int | None:
    """The id of the resident's newest message on the appeal, if any."""
    return db.exec(
        select(func.max(Message.id)).where(
            Message.appeal_id == appeal_id, Message.author_role == "resident"
        )
    ).one()


def unread_from_residents(db: Session, *, appeal_ids: list[int]) -> dict[int, int]:
    """Residents' messages no operator has read, per appeal (appeals with none left out)."""
    if not appeal_ids:
        return {}
    counts = db.exec(
        select(Message.appeal_id, func.count())
        .where(
            col(Message.appeal_id).in_(appeal_ids),
            Message.author_role == "resident",
            col(Message.read_at).is_(None),
        )
        .group_by(col(Message.appeal_id))
    ).all()
    return {appeal_id: int(n) for appeal_id, n in counts}


def mark_read(db: Session, *, reader: User, appeal: Appeal, up_to_id: int) -> int:
    """Mark the other side's messages up to `up_to_id` as read; returns how many changed."""
    assert appeal.id is not None
    changed = 0
    for message in messages_of(db, appeal_id=appeal.id):
        if (
            message.id is not None
            and message.id <= up_to_id
            and message.read_at is None
            and (message.author_role != reader.role)
        ):
            message.read_at = utcnow()
            db.add(message)
            feed.record(db, user_id=appeal.user_id, entity="message", entity_id=message.id)
            changed += 1
    return changed


def media_of(db: Session, *, message_id: int) -> list[MediaFile]:
    return list(db.exec(select(MediaFile).where(MediaFile.message_id == message_id)).all())
