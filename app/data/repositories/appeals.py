"""The resident's actions on their appeals, local first.

Every action (file an appeal, send a message, rate, reopen, complain, forward, mark read) writes
its local row **and** its outbox entry in one transaction, so it shows at once as "waiting to
send" and survives the app being killed; the sync engine sends it later (`app.sync.appeals`).
After each one `AppealsChanged` tells the view models, which re-read `AppealQueries` (the local
store only, so everything works offline); an action the server refused is retried, edited or
discarded through `RefusedActions`.

Server-owned fields (status, number, deadline, history, rating, ...) are written only from the
server's answers (`AppealsMerge`, used only by sync). The resident's actions still in the
outbox are shown beside them (`AppealDetail.actions`), never merged into them: when the server
refuses an action the appeal still shows what the server says, plus the refused action with
the reason.

Blocking methods (the `*_sync` ones) touch SQLite: call them from
`asyncio.to_thread`. The async methods do that themselves and then notify listeners.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from app.data.repositories import outbox as ob
from app.data.repositories.appeal_changes import AppealsChanged
from app.data.repositories.appeal_queries import RESIDENT
from app.data.repositories.appeal_refusals import MAX_TEXT, InvalidAction, require_appeal
from app.data.repositories.outbox import Outbox, payload_of
from app.data.store.database import Database
from app.data.store.models import (
    LocalAppeal,
    LocalForward,
    LocalMedia,
    LocalMessage,
    OutboxEntry,
)
from app.domain.appeals import (
    EmergencyService,
    NewAppeal,
    PreparedMedia,
)
from app.domain.timestamps import utcnow

log = logging.getLogger(__name__)

MAX_REASON = 2000
MAX_COMMENT = 1000
MAX_ATTACHMENTS = 10
EMERGENCY_SERVICES: tuple[EmergencyService, ...] = ("101", "102", "103", "104", "112")


def new_client_id() -> str:
    return str(uuid.uuid4())


class AppealsRepository:
    """The resident's actions: each a local row and an outbox entry in one transaction, then
    `changes` is told (and the sync engine kicked). `outbox`: the store's one outbox;
    `changes`: the store's one "appeals changed" signal."""

    def __init__(
        self,
        db: Database,
        outbox: Outbox,
        changes: AppealsChanged,
        *,
        now: Callable[[], datetime] = utcnow,
        new_id: Callable[[], str] = new_client_id,
    ) -> None:
        self._db = db
        self.outbox = outbox
        self._changes = changes
        self._now = now
        self._new_id = new_id

    async def file(self, new: NewAppeal) -> str:
        """Store a new appeal with its attachments and queue its sending; returns its client id
        (also the key that makes resending it safe). Raises `InvalidAction` on bad input."""
        client_id = await asyncio.to_thread(self.file_sync, new)
        self._changes.changed(enqueued=True)
        return client_id

    def file_sync(self, new: NewAppeal) -> str:
        text = (new.text or "").strip()
        if not text:
            raise InvalidAction("text_required")
        if len(text) > MAX_TEXT:
            raise InvalidAction("text_too_long")
        if not (2 <= len(new.subclass_code or "") <= 8):
            raise InvalidAction("category_required")
        address = (new.address or "").strip() or None
        if new.position is None and not address:
            raise InvalidAction("location_required")
        if len(new.media) > MAX_ATTACHMENTS:
            raise InvalidAction("too_many_attachments")
        if new.emergency_service is not None and new.emergency_service not in EMERGENCY_SERVICES:
            raise InvalidAction("unknown_service")
        client_id = self._new_id()
        now = self._now()
        pos = new.position
        payload: dict[str, Any] = {
            "client_id": client_id,
            "text": text,
            "type": new.type,
            "subclass_code": new.subclass_code,
            "lat": pos.lat if pos else None,
            "lon": pos.lon if pos else None,
            "accuracy_m": pos.accuracy_m if pos else None,
            "address": address,
            "district": new.district,
            "share_personal": new.share_personal,
            "applicant_name": (new.applicant_name or None) if new.share_personal else None,
            "language": new.language,
            "emergency": new.emergency,
        }
        priority = ob.PRIORITY_EMERGENCY if new.emergency else ob.PRIORITY_NORMAL
        with self._db.session() as s:
            s.add(
                LocalAppeal(
                    client_id=client_id,
                    text=text,
                    type=new.type,
                    subclass_code=new.subclass_code,
                    lat=pos.lat if pos else None,
                    lon=pos.lon if pos else None,
                    accuracy_m=pos.accuracy_m if pos else None,
                    address=address,
                    district=new.district,
                    share_personal=new.share_personal,
                    applicant_name=payload["applicant_name"],
                    language=new.language,
                    emergency=new.emergency,
                    emergency_service=new.emergency_service,
                    status="created",
                    created_at=now,
                    updated_at=now,
                    sync_state="pending",
                )
            )
            s.flush()
            self._add_media(s, "appeal", client_id, new.media, now)
            self.outbox.add(
                s,
                kind=ob.CREATE_APPEAL,
                target=client_id,
                payload=payload,
                key=f"appeal:{client_id}",
                priority=priority,
            )
            if new.emergency and new.emergency_service:
                self._queue_forward(s, client_id, new.emergency_service, now)
            s.commit()
        log.info("appeal filed locally (%d attachments)", len(new.media))
        return client_id

    def _add_media(
        self,
        s: Session,
        owner_kind: str,
        owner: str,
        media: Iterable[PreparedMedia],
        now: datetime,
    ) -> None:
        for i, m in enumerate(media):
            s.add(
                LocalMedia(
                    owner_kind=owner_kind,
                    owner_client_id=owner,
                    position=i,
                    path=m.path,
                    kind=m.kind,
                    content_type=m.content_type,
                    size=m.size,
                    created_at=now,
                )
            )

    def _queue_forward(self, s: Session, client_id: str, service: str, now: datetime) -> None:
        existing = s.exec(
            select(LocalForward).where(
                LocalForward.appeal_client_id == client_id, LocalForward.service == service
            )
        ).first()
        if existing is None:
            s.add(
                LocalForward(
                    appeal_client_id=client_id,
                    service=service,
                    state="queued",
                    phone=service,
                    updated_at=now,
                )
            )
        self.outbox.add(
            s,
            kind=ob.FORWARD,
            target=client_id,
            payload={"service": service},
            key=f"forward:{client_id}:{service}:{self._new_id()}",
            priority=ob.PRIORITY_EMERGENCY,
        )

    async def send_message(
        self, appeal_client_id: str, text: str, media: list[PreparedMedia] | None = None
    ) -> str:
        client_id = await asyncio.to_thread(
            self.send_message_sync, appeal_client_id, text, media or []
        )
        self._changes.changed(enqueued=True)
        return client_id

    def send_message_sync(
        self, appeal_client_id: str, text: str, media: list[PreparedMedia]
    ) -> str:
        text = (text or "").strip()
        if not text and not media:
            raise InvalidAction("message_empty")
        if len(text) > MAX_TEXT:
            raise InvalidAction("text_too_long")
        if len(media) > MAX_ATTACHMENTS:
            raise InvalidAction("too_many_attachments")
        client_id = self._new_id()
        now = self._now()
        with self._db.session() as s:
            require_appeal(s, appeal_client_id)
            s.add(
                LocalMessage(
                    client_id=client_id,
                    appeal_client_id=appeal_client_id,
                    author_role=RESIDENT,
                    text=text,
                    created_at=now,
                    sync_state="pending",
                )
            )
            self._add_media(s, "message", client_id, media, now)
            self.outbox.add(
                s,
                kind=ob.SEND_MESSAGE,
                target=appeal_client_id,
                entity=client_id,
                payload={"client_id": client_id, "text": text},
                key=f"message:{client_id}",
            )
            s.commit()
        return client_id

    async def rate(self, appeal_client_id: str, score: int, comment: str | None = None) -> None:
        await asyncio.to_thread(self.rate_sync, appeal_client_id, score, comment)
        self._changes.changed(enqueued=True)

    def rate_sync(self, appeal_client_id: str, score: int, comment: str | None) -> None:
        if not 1 <= int(score) <= 5:
            raise InvalidAction("score_range")
        comment = (comment or "").strip() or None
        if comment and len(comment) > MAX_COMMENT:
            raise InvalidAction("comment_too_long")
        with self._db.session() as s:
            appeal = require_appeal(s, appeal_client_id)
            if appeal.status != "closed":
                raise InvalidAction("appeal_not_closed")
            if appeal.rating is not None or self._has_waiting(s, appeal_client_id, ob.RATE):
                raise InvalidAction("already_rated")
            self.outbox.add(
                s,
                kind=ob.RATE,
                target=appeal_client_id,
                payload={"score": int(score), "comment": comment},
                key=f"rate:{self._new_id()}",
            )
            s.commit()

    async def reopen(self, appeal_client_id: str, reason: str) -> None:
        await asyncio.to_thread(self.reopen_sync, appeal_client_id, reason)
        self._changes.changed(enqueued=True)

    def reopen_sync(self, appeal_client_id: str, reason: str) -> None:
        reason = self._reason(reason)
        with self._db.session() as s:
            appeal = require_appeal(s, appeal_client_id)
            if appeal.status != "closed":
                raise InvalidAction("appeal_not_closed")
            if self._has_waiting(s, appeal_client_id, ob.REOPEN):
                raise InvalidAction("already_reopening")
            self.outbox.add(
                s,
                kind=ob.REOPEN,
                target=appeal_client_id,
                payload={"reason": reason},
                key=f"reopen:{self._new_id()}",
            )
            s.commit()

    async def complain(self, appeal_client_id: str, text: str) -> None:
        await asyncio.to_thread(self.complain_sync, appeal_client_id, text)
        self._changes.changed(enqueued=True)

    def complain_sync(self, appeal_client_id: str, text: str) -> None:
        reason = self._reason(text)
        with self._db.session() as s:
            require_appeal(s, appeal_client_id)
            self.outbox.add(
                s,
                kind=ob.COMPLAIN,
                target=appeal_client_id,
                payload={"reason": reason},
                key=f"complaint:{self._new_id()}",
            )
            s.commit()

    async def forward(self, appeal_client_id: str, service: EmergencyService) -> None:
        await asyncio.to_thread(self.forward_sync, appeal_client_id, service)
        self._changes.changed(enqueued=True)

    def forward_sync(self, appeal_client_id: str, service: str) -> None:
        if service not in EMERGENCY_SERVICES:
            raise InvalidAction("unknown_service")
        with self._db.session() as s:
            require_appeal(s, appeal_client_id)
            if self._has_waiting(s, appeal_client_id, ob.FORWARD, service=service):
                return
            self._queue_forward(s, appeal_client_id, service, self._now())
            s.commit()

    async def mark_read(self, appeal_client_id: str) -> bool:
        """Mark the operator's messages read here and queue telling the server; True if any."""
        changed = await asyncio.to_thread(self.mark_read_sync, appeal_client_id)
        if changed:
            self._changes.changed(enqueued=True)
        return changed

    def mark_read_sync(self, appeal_client_id: str) -> bool:
        now = self._now()
        with self._db.session() as s:
            unread = s.exec(
                select(LocalMessage).where(
                    LocalMessage.appeal_client_id == appeal_client_id,
                    LocalMessage.author_role != RESIDENT,
                    col(LocalMessage.read_at).is_(None),
                    col(LocalMessage.server_id).is_not(None),
                )
            ).all()
            if not unread:
                return False
            up_to = max(m.server_id or 0 for m in unread)
            for m in unread:
                m.read_at = now
                s.add(m)
            self.outbox.add(
                s,
                kind=ob.MARK_READ,
                target=appeal_client_id,
                payload={"up_to_id": up_to},
                key=f"read:{self._new_id()}",
                priority=ob.PRIORITY_LOW,
            )
            s.commit()
        return True

    def _reason(self, text: str) -> str:
        reason = (text or "").strip()
        if not reason:
            raise InvalidAction("reason_required")
        if len(reason) > MAX_REASON:
            raise InvalidAction("reason_too_long")
        return reason

    def _has_waiting(
        self, s: Session, target: str, kind: str, *, service: str | None = None
    ) -> bool:
        rows = s.exec(
            select(OutboxEntry).where(
                OutboxEntry.target_client_id == target,
                OutboxEntry.kind == kind,
                col(OutboxEntry.state).in_(ob.WAITING),
            )
        ).all()
        if service is None:
            return bool(rows)
        return any(payload_of(r).get("service") == service for r in rows)
