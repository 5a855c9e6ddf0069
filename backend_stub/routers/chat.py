"""Chat on an appeal (the applicant's side and the operator's side use the same routes)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query
from fastapi.responses import JSONResponse

from backend_stub.crud import chat as crud
from backend_stub.crud.appeals import own_appeal
from backend_stub.deps import CurrentUser, DbDep
from backend_stub.presenters.chat import message_out
from backend_stub.presenters.idempotent import answer_once
from backend_stub.schemas.chat import MessageIn, MessageOut, ReadIn
from backend_stub.schemas.common import MAX_ID, IdPath

router = APIRouter(prefix="/api/v1/appeals/{appeal_id}/messages", tags=["chat"])


@router.get("", response_model=list[MessageOut])
def list_messages(
    appeal_id: IdPath,
    user: CurrentUser,
    db: DbDep,
    after_id: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> list[MessageOut]:
    appeal = own_appeal(db, user=user, appeal_id=appeal_id)
    assert appeal.id is not None
    return [
        message_out(db, m) for m in crud.messages_of(db, appeal_id=appeal.id, after_id=after_id)
    ]


@router.post("", response_model=MessageOut, status_code=201)
def send_message(
    appeal_id: IdPath,
    body: MessageIn,
    user: CurrentUser,
    db: DbDep,
    key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=100)] = None,
) -> JSONResponse:
    """Send a message (text and/or attachments). Retries with the same client_id are safe."""
    assert user.id is not None
    appeal = own_appeal(db, user=user, appeal_id=appeal_id)

    return answer_once(
        db,
        user_id=user.id,
        key=key or f"message:{body.client_id}",
        scope="chat.send",
        payload={"appeal_id": appeal_id, **body.model_dump(mode="json")},
        answer=lambda: message_out(
            db, crud.post_message(db, author=user, appeal=appeal, data=body)
        ),
    )


@router.post("/read", response_model=dict[str, int])
def mark_read(appeal_id: IdPath, body: ReadIn, user: CurrentUser, db: DbDep) -> dict[str, int]:
    appeal = own_appeal(db, user=user, appeal_id=appeal_id)
    changed = crud.mark_read(db, reader=user, appeal=appeal, up_to_id=body.up_to_id)
    db.commit()
    return {"marked": changed}
