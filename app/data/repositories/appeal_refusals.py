"""What the resident can do with an action the server refused: send it again (maybe with
edited text) or discard it; a refused appeal goes with everything queued on it.

`RefusedActions` administers those outbox entries; the async methods tell `AppealsChanged`.
Blocking methods (`*_sync`) touch SQLite: call them from `asyncio.to_thread`. Also here, shared
with the resident's actions and the sync merge: `InvalidAction`, `require_appeal` and the sync
state shown on the appeal or message an entry creates (`set_item_sync`).
"""

from __future__ import annotations

import asyncio

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from app.data.repositories import outbox as ob
from app.data.repositories.appeal_changes import AppealsChanged
from app.data.repositories.outbox import Outbox, payload_of
from app.data.store.database import Database
from app.data.store.models import (
    LocalAppeal,
    LocalForward,
    LocalMedia,
    LocalMessage,
    OutboxEntry,
)

MAX_TEXT = 4000


class InvalidAction(ValueError):
    """The action cannot be taken (bad input or the appeal's state): `code` says why."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def require_appeal(s: Session, appeal_client_id: str) -> LocalAppeal:
    appeal = s.get(LocalAppeal, appeal_client_id)
    if appeal is None:
        raise InvalidAction("not_found")
    return appeal


def set_item_sync(s: Session, entry: OutboxEntry, state: str, error: str | None) -> None:
    """The sync state shown on the appeal or message an entry creates."""
    item: LocalAppeal | LocalMessage | None = None
    if entry.kind == ob.CREATE_APPEAL:
        item = s.get(LocalAppeal, entry.target_client_id)
    elif entry.kind == ob.SEND_MESSAGE and entry.entity_client_id:
        item = s.get(LocalMessage, entry.entity_client_id)
    if item is not None:
        item.sync_state, item.sync_error = state, error
        s.add(item)


class RefusedActions:
    """Retry, resubmit (edited) or discard an action the server refused. `outbox`: the store's
    one outbox; `changes`: the store's one "appeals changed" signal."""

    def __init__(self, db: Database, outbox: Outbox, changes: AppealsChanged) -> None:
        self._db = db
        self.outbox = outbox
        self._changes = changes

    async def retry(self, entry_id: int) -> None:
        await asyncio.to_thread(self.retry_sync, entry_id)
        self._changes.changed(enqueued=True)

    def retry_sync(self, entry_id: int) -> None:
        with self._db.session() as s:
            entry = s.get(OutboxEntry, entry_id)
            if entry is None or entry.state != ob.REJECTED:
                return
            set_item_sync(s, entry, "pending", None)
            s.exec(
                update(LocalMedia)
                .where(
                    col(LocalMedia.owner_client_id).in_(
                        [entry.target_client_id, entry.entity_client_id or ""]
                    ),
                    col(LocalMedia.state) == "failed",
                )
                .values(state="pending", error=None, upload_url=None, upload_offset=0)
            )
            s.commit()
        self.outbox.requeue(entry_id)

    async def resubmit(self, client_id: str, text: str) -> None:
        """Edit the text of an appeal the server refused and send it again."""
        await asyncio.to_thread(self.resubmit_sync, client_id, text)
        self._changes.changed(enqueued=True)

    def resubmit_sync(self, client_id: str, text: str) -> None:
        text = (text or "").strip()
        if not text:
            raise InvalidAction("text_required")
        if len(text) > MAX_TEXT:
            raise InvalidAction("text_too_long")
        with self._db.session() as s:
            appeal = require_appeal(s, client_id)
            entry = s.exec(
                select(OutboxEntry).where(
                    OutboxEntry.target_client_id == client_id,
                    OutboxEntry.kind == ob.CREATE_APPEAL,
                )
            ).first()
            if entry is None or entry.state != ob.REJECTED:
                raise InvalidAction("not_rejected")
            payload = payload_of(entry)
            payload["text"] = text
            appeal.text = text
            s.add(appeal)
            entry_id = entry.id
            s.commit()
        assert entry_id is not None
        self.retry_sync(entry_id)
        self.outbox.requeue(entry_id, payload)

    async def discard(self, entry_id: int) -> None:
        """Drop a refused action; a refused appeal goes with everything queued on it."""
        await asyncio.to_thread(self.discard_sync, entry_id)
        self._changes.changed()

    def discard_sync(self, entry_id: int) -> None:
        with self._db.session() as s:
            entry = s.get(OutboxEntry, entry_id)
            if entry is None or entry.state not in (ob.REJECTED, ob.PENDING):
                return
            if entry.state == ob.PENDING and entry.kind == ob.CREATE_APPEAL:
                return  # only refused appeals are discarded; pending ones may be on the server
            if entry.kind == ob.CREATE_APPEAL:
                target = entry.target_client_id
                self.outbox.delete_for(s, target)
                message_ids = list(
                    s.exec(
                        select(LocalMessage.client_id).where(
                            LocalMessage.appeal_client_id == target
                        )
                    ).all()
                )
                s.exec(
                    delete(LocalMedia).where(
                        col(LocalMedia.owner_client_id).in_([target, *message_ids])
                    )
                )
                appeal = s.get(LocalAppeal, target)
                if appeal is not None:
                    s.delete(appeal)  # messages, history and forwards go with it (cascade)
            else:
                if entry.kind == ob.SEND_MESSAGE and entry.entity_client_id:
                    message = s.get(LocalMessage, entry.entity_client_id)
                    if message is not None and message.server_id is None:
                        s.delete(message)
                    s.exec(
                        delete(LocalMedia).where(
                            col(LocalMedia.owner_client_id) == entry.entity_client_id
                        )
                    )
                if entry.kind == ob.FORWARD:
                    service = payload_of(entry).get("service")
                    fwd = s.exec(
                        select(LocalForward).where(
                            LocalForward.appeal_client_id == entry.target_client_id,
                            LocalForward.service == service,
                            LocalForward.state == "queued",
                        )
                    ).first()
                    if fwd is not None:
                        s.delete(fwd)
                s.delete(entry)
            s.commit()
