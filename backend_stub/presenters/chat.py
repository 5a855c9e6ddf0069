"""What both sides of an appeal's chat see: `MessageOut` (with its media and the language its text
was written in) and the sync-feed rows."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from backend_stub.crud.appeals import of_own_appeals
from backend_stub.crud.chat import media_of
from backend_stub.models import Message, User
from backend_stub.presenters.media import media_out
from backend_stub.presenters.staff import staff_titles
from backend_stub.schemas.chat import MessageOut
from backend_stub.text_language import written_in


def message_out(db: Session, message: Message) -> MessageOut:
    assert message.id is not None
    return MessageOut(
        id=message.id,
        appeal_id=message.appeal_id,
        client_id=message.client_id,
        author_role=message.author_role,
        author_titles=staff_titles(db, user_ids=[message.author_id]).get(message.author_id),
        text=message.text,
        created_at=message.created_at,
        read_at=message.read_at,
        media=[media_out(m) for m in media_of(db, message_id=message.id)],
        language=written_in(message.text),
    )


def sync_rows(db: Session, user: User, ids: list[str], *, lang: str) -> list[dict[str, Any]]:
    """The sync loader: changed messages of the resident's own appeals."""
    rows = of_own_appeals(db, model=Message, user=user, ids=[int(i) for i in ids])
    return [message_out(db, m).model_dump(mode="json") for m in rows]
