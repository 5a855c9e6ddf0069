"""The resident's appeals, local first.

Every action (file an appeal, send a message, rate, reopen, complain, forward, mark read) writes
its local row **and** its outbox entry in one transaction, so it shows at once as "waiting to
send" and survives the app being killed; the sync engine sends it later. Reads come only from
the local store, so everything works offline.

Server-owned fields (status, number, deadline, history, rating, ...) are written only from the
server's answers (`apply_*`, used by the sync engine). The resident's actions still in the
outbox are shown beside them (`AppealDetail.actions`), never merged into them: when the server
refuses an action the appeal still shows what the server says, plus the refused action with
the reason.

Blocking methods (the `*_sync` ones and `apply_*`) touch SQLite: call them from
`asyncio.to_thread`. The async methods do that themselves and then notify listeners.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import and_, delete, func, or_, update
from sqlmodel import Session, col, select

from app.data.repositories import outbox as ob
from app.data.repositories.outbox import Outbox, payload_of, utcnow
from app.data.store.database import Database
from app.data.store.models import (
    AppealHistoryRow,
    LocalAppeal,
    LocalForward,
    LocalMedia,
    LocalMessage,
    OutboxEntry,
    SyncMeta,
)
from app.domain.appeals import (
    AppealDetail,
    AppealItem,
    AppealUpdate,
    ChatMessage,
    EmergencyService,
    ForwardInfo,
    HistoryEntry,
    MediaRef,
    NewAppeal,
    PendingAction,
    PreparedMedia,
    Status,
    SyncState,
)
from app.observable import Observable

log = logging.getLogger(__name__)

PAGE_SIZE = 30
MAX_TEXT = 4000
MAX_REASON = 2000
MAX_COMMENT = 1000
MAX_ATTACHMENTS = 10
EMERGENCY_SERVICES: tuple[EmergencyService, ...] = ("101", "102", "103", "104", "112")
STATUSES: tuple[Status, ...] = (
    "created",
    "assigned",
    "returned",
    "reassigned",
    "in_progress",
    "closed",
)
RESIDENT = "resident"


class InvalidAction(ValueError):
    """The action cannot be taken (bad input or the appeal's state): `code` says why."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class PageKey:
    """Where the next page starts: after this (created_at, client_id)."""

    created_at: datetime
    client_id: str


@dataclass(frozen=True)
class AppealPage:
    items: list[AppealItem]
    next: PageKey | None


@dataclass
class MergeResult:
    """What a batch of server data changed that the resident should hear about."""

    updates: list[AppealUpdate] = field(default_factory=list)


# -- time ------------------------------------------------------------------------------------------


def parse_time(value: Any) -> datetime | None:
    """A server timestamp (ISO 8601, any offset; none = UTC) as aware UTC."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        dt = value
    else:
        dt = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def aware(dt: datetime | None) -> datetime | None:
    return dt.replace(tzinfo=UTC) if dt is not None and dt.tzinfo is None else dt


def new_client_id() -> str:
    return str(uuid.uuid4())


# -- the repository --------------------------------------------------------------------------------


class AppealsRepository(Observable):
    """Listeners are notified after any local change (a resident's action, or a sync merge)."""

    def __init__(
        self,
        db: Database,
        *,
        now: Callable[[], datetime] = utcnow,
        new_id: Callable[[], str] = new_client_id,
    ) -> None:
        super().__init__()
        self._db = db
        self._now = now
        self._new_id = new_id
        self.outbox = Outbox(db, now=now)
        # Called after an action was queued (the composition root points it at the engine).
        self.on_enqueued: Callable[[], None] | None = None

    def changed(self, *, enqueued: bool = False) -> None:
        """Tell listeners (on the event loop); kick the sync engine after a new action."""
        self.notify()
        if enqueued and self.on_enqueued is not None:
            self.on_enqueued()

    # ==========================================================================================
    # actions of the resident: local row + outbox entry, one transaction
    # ==========================================================================================

    async def file(self, new: NewAppeal) -> str:
        """Store a new appeal with its attachments and queue its sending; returns its client id
        (also the key that makes resending it safe). Raises `InvalidAction` on bad input."""
        client_id = await asyncio.to_thread(self.file_sync, new)
        self.changed(enqueued=True)
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
        self.changed(enqueued=True)
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
            self._require(s, appeal_client_id)
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
        self.changed(enqueued=True)

    def rate_sync(self, appeal_client_id: str, score: int, comment: str | None) -> None:
        if not 1 <= int(score) <= 5:
            raise InvalidAction("score_range")
        comment = (comment or "").strip() or None
        if comment and len(comment) > MAX_COMMENT:
            raise InvalidAction("comment_too_long")
        with self._db.session() as s:
            appeal = self._require(s, appeal_client_id)
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
        self.changed(enqueued=True)

    def reopen_sync(self, appeal_client_id: str, reason: str) -> None:
        reason = self._reason(reason)
        with self._db.session() as s:
            appeal = self._require(s, appeal_client_id)
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
        self.changed(enqueued=True)

    def complain_sync(self, appeal_client_id: str, text: str) -> None:
        reason = self._reason(text)
        with self._db.session() as s:
            self._require(s, appeal_client_id)
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
        self.changed(enqueued=True)

    def forward_sync(self, appeal_client_id: str, service: str) -> None:
        if service not in EMERGENCY_SERVICES:
            raise InvalidAction("unknown_service")
        with self._db.session() as s:
            self._require(s, appeal_client_id)
            if self._has_waiting(s, appeal_client_id, ob.FORWARD, service=service):
                return
            self._queue_forward(s, appeal_client_id, service, self._now())
            s.commit()

    async def mark_read(self, appeal_client_id: str) -> bool:
        """Mark the operator's messages read here and queue telling the server; True if any."""
        changed = await asyncio.to_thread(self.mark_read_sync, appeal_client_id)
        if changed:
            self.changed(enqueued=True)
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

    def _require(self, s: Session, appeal_client_id: str) -> LocalAppeal:
        appeal = s.get(LocalAppeal, appeal_client_id)
        if appeal is None:
            raise InvalidAction("not_found")
        return appeal

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

    # -- rejected actions: retry (maybe edited) or discard -----------------------------------

    async def retry(self, entry_id: int) -> None:
        await asyncio.to_thread(self.retry_sync, entry_id)
        self.changed(enqueued=True)

    def retry_sync(self, entry_id: int) -> None:
        with self._db.session() as s:
            entry = s.get(OutboxEntry, entry_id)
            if entry is None or entry.state != ob.REJECTED:
                return
            if entry.kind == ob.CREATE_APPEAL:
                self._set_appeal_sync(s, entry.target_client_id, "pending", None)
            elif entry.kind == ob.SEND_MESSAGE and entry.entity_client_id:
                self._set_message_sync(s, entry.entity_client_id, "pending", None)
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
        self.changed(enqueued=True)

    def resubmit_sync(self, client_id: str, text: str) -> None:
        text = (text or "").strip()
        if not text:
            raise InvalidAction("text_required")
        if len(text) > MAX_TEXT:
            raise InvalidAction("text_too_long")
        with self._db.session() as s:
            appeal = self._require(s, client_id)
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
        self.changed()

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

    # ==========================================================================================
    # reads (local store only)
    # ==========================================================================================

    async def list_page(
        self, status: str | None = None, before: PageKey | None = None, limit: int = PAGE_SIZE
    ) -> AppealPage:
        return await asyncio.to_thread(self.list_sync, status, before, limit)

    def list_sync(
        self, status: str | None = None, before: PageKey | None = None, limit: int = PAGE_SIZE
    ) -> AppealPage:
        now = self._now()
        with self._db.read() as s:
            query = select(LocalAppeal)
            if status:
                query = query.where(LocalAppeal.status == status)
            if before is not None:
                query = query.where(
                    or_(
                        col(LocalAppeal.created_at) < before.created_at,
                        and_(
                            col(LocalAppeal.created_at) == before.created_at,
                            col(LocalAppeal.client_id) < before.client_id,
                        ),
                    )
                )
            rows = list(
                s.exec(
                    query.order_by(
                        col(LocalAppeal.created_at).desc(), col(LocalAppeal.client_id).desc()
                    ).limit(limit + 1)
                ).all()
            )
            more = len(rows) > limit
            rows = rows[:limit]
            ids = [r.client_id for r in rows]
            unread = self._unread_counts(s, ids)
            actions = self._waiting_by_target(s, ids)
        items = [
            self._item(r, now, unread.get(r.client_id, 0), actions.get(r.client_id, []))
            for r in rows
        ]
        last = rows[-1] if rows else None
        key = PageKey(last.created_at, last.client_id) if more and last is not None else None
        return AppealPage(items, key)

    def _unread_counts(self, s: Session, ids: list[str]) -> dict[str, int]:
        if not ids:
            return {}
        rows = s.exec(
            select(LocalMessage.appeal_client_id, func.count())
            .where(
                col(LocalMessage.appeal_client_id).in_(ids),
                LocalMessage.author_role != RESIDENT,
                col(LocalMessage.read_at).is_(None),
            )
            .group_by(col(LocalMessage.appeal_client_id))
        ).all()
        return {cid: int(n) for cid, n in rows}

    def _waiting_by_target(self, s: Session, ids: list[str]) -> dict[str, list[OutboxEntry]]:
        if not ids:
            return {}
        found: dict[str, list[OutboxEntry]] = {}
        for entry in s.exec(
            select(OutboxEntry)
            .where(
                col(OutboxEntry.target_client_id).in_(ids),
                col(OutboxEntry.state).in_((*ob.WAITING, ob.REJECTED)),
            )
            .order_by(col(OutboxEntry.id))
        ).all():
            found.setdefault(entry.target_client_id, []).append(entry)
        return found

    def _item(
        self, r: LocalAppeal, now: datetime, unread: int, entries: list[OutboxEntry]
    ) -> AppealItem:
        state: SyncState = "synced"
        error = r.sync_error
        if r.sync_state == "rejected":
            state = "rejected"
        elif r.sync_state == "pending" or any(
            e.state in ob.WAITING and e.kind != ob.MARK_READ for e in entries
        ):
            state = "pending"
        else:
            refused = [e for e in entries if e.state == ob.REJECTED]
            if refused:
                state, error = "rejected", refused[-1].last_error
        return AppealItem(
            client_id=r.client_id,
            server_id=r.server_id,
            number=r.number,
            text=r.text,
            type=r.type,
            subclass_code=r.subclass_code,
            status=cast(Status, r.status if r.status in STATUSES else "created"),
            importance=r.importance,
            created_at=cast(datetime, aware(r.created_at)),
            due_at=aware(r.due_at),
            overdue=is_overdue(r, now),
            emergency=r.emergency,
            sync_state=state,
            sync_error=error,
            unread=unread,
        )

    async def detail(self, ref: str) -> AppealDetail | None:
        return await asyncio.to_thread(self.detail_sync, ref)

    def resolve_sync(self, s: Session, ref: str) -> LocalAppeal | None:
        """An appeal by client id, or by server id (digits)."""
        ref = str(ref)
        if ref.isdigit():
            found = s.exec(select(LocalAppeal).where(LocalAppeal.server_id == int(ref))).first()
            if found is not None:
                return found
        return s.get(LocalAppeal, ref)

    def detail_sync(self, ref: str) -> AppealDetail | None:
        now = self._now()
        with self._db.read() as s:
            r = self.resolve_sync(s, ref)
            if r is None:
                return None
            cid = r.client_id
            entries = self._waiting_by_target(s, [cid]).get(cid, [])
            unread = self._unread_counts(s, [cid]).get(cid, 0)
            history = s.exec(
                select(AppealHistoryRow)
                .where(AppealHistoryRow.appeal_client_id == cid)
                .order_by(col(AppealHistoryRow.position))
            ).all()
            forwards = s.exec(
                select(LocalForward)
                .where(LocalForward.appeal_client_id == cid)
                .order_by(col(LocalForward.id))
            ).all()
            local_media = self._local_media(s, "appeal", [cid]).get(cid, [])
        forward_errors = {
            payload_of(e).get("service"): e.last_error
            for e in entries
            if e.kind == ob.FORWARD and e.state == ob.REJECTED
        }
        return AppealDetail(
            item=self._item(r, now, unread, entries),
            class_code=r.class_code,
            service_code=r.service_code,
            address=r.address,
            district=r.district,
            lat=r.lat,
            lon=r.lon,
            closed_at=aware(r.closed_at),
            result_text=r.result_text,
            reopen_count=r.reopen_count,
            rating=r.rating,
            rating_comment=r.rating_comment,
            media=tuple(server_media(r.media_json)) or tuple(local_media),
            history=tuple(
                HistoryEntry(
                    at=cast(datetime, aware(h.at)),
                    actor_role=h.actor_role,
                    kind=h.kind,
                    from_status=h.from_status,
                    to_status=h.to_status,
                    note=h.note,
                    notes=history_notes(h.notes_json),
                )
                for h in history
            ),
            forwards=tuple(
                ForwardInfo(
                    service=cast(EmergencyService, f.service),
                    state=cast(Any, f.state),
                    phone=f.phone,
                    call_advised=f.call_advised,
                    accepted_at=aware(f.accepted_at),
                    sync_error=forward_errors.get(f.service),
                )
                for f in forwards
            ),
            actions=tuple(
                PendingAction(
                    id=e.id or 0,
                    kind=e.kind,
                    state=cast(Any, e.state),
                    error=e.last_error,
                    payload=payload_of(e),
                )
                for e in entries
                if e.kind != ob.MARK_READ
            ),
        )

    def _local_media(
        self, s: Session, owner_kind: str, owners: list[str]
    ) -> dict[str, list[MediaRef]]:
        if not owners:
            return {}
        found: dict[str, list[MediaRef]] = {}
        for m in s.exec(
            select(LocalMedia)
            .where(LocalMedia.owner_kind == owner_kind, col(LocalMedia.owner_client_id).in_(owners))
            .order_by(col(LocalMedia.position))
        ).all():
            found.setdefault(m.owner_client_id, []).append(
                MediaRef(
                    kind=cast(Any, m.kind),
                    content_type=m.content_type,
                    url=f"/api/v1/media/{m.server_media_id}" if m.server_media_id else None,
                    local_path=m.path,
                    role="chat" if owner_kind == "message" else "applicant",
                    pending=m.state != "done",
                )
            )
        return found

    async def messages(self, ref: str, limit: int = 200) -> list[ChatMessage]:
        return await asyncio.to_thread(self.messages_sync, ref, limit)

    def messages_sync(self, ref: str, limit: int = 200) -> list[ChatMessage]:
        """The last `limit` messages of the chat, oldest first."""
        with self._db.read() as s:
            appeal = self.resolve_sync(s, ref)
            if appeal is None:
                return []
            rows = list(
                s.exec(
                    select(LocalMessage)
                    .where(LocalMessage.appeal_client_id == appeal.client_id)
                    .order_by(col(LocalMessage.created_at).desc(), col(LocalMessage.client_id))
                    .limit(limit)
                ).all()
            )
            rows.reverse()
            local = self._local_media(s, "message", [m.client_id for m in rows])
            errors = {
                e.entity_client_id: e.last_error
                for e in self._waiting_by_target(s, [appeal.client_id]).get(appeal.client_id, [])
                if e.kind == ob.SEND_MESSAGE and e.state == ob.REJECTED
            }
        return [
            ChatMessage(
                client_id=m.client_id,
                server_id=m.server_id,
                author_role=m.author_role,
                text=m.text,
                created_at=cast(datetime, aware(m.created_at)),
                read_at=aware(m.read_at),
                media=tuple(server_media(m.media_json)) or tuple(local.get(m.client_id, [])),
                sync_state=cast(SyncState, m.sync_state),
                sync_error=m.sync_error or errors.get(m.client_id),
            )
            for m in rows
        ]

    def message_entry_id(self, message_client_id: str) -> int | None:
        """The outbox entry of one of the resident's messages (to retry or discard it)."""
        with self._db.read() as s:
            entry = s.exec(
                select(OutboxEntry).where(
                    OutboxEntry.entity_client_id == message_client_id,
                    OutboxEntry.kind == ob.SEND_MESSAGE,
                    OutboxEntry.state != ob.DONE,
                )
            ).first()
            return entry.id if entry else None

    def status_counts_sync(self) -> dict[str, int]:
        with self._db.read() as s:
            rows = s.exec(
                select(LocalAppeal.status, func.count()).group_by(col(LocalAppeal.status))
            ).all()
        return {status: int(n) for status, n in rows}

    # ==========================================================================================
    # the sync engine's side: what to send, and merging what the server says
    # ==========================================================================================

    def server_id_of(self, client_id: str) -> int | None:
        with self._db.read() as s:
            appeal = s.get(LocalAppeal, client_id)
            return appeal.server_id if appeal else None

    def media_to_send(self, owner_kind: str, owner: str) -> list[LocalMedia]:
        with self._db.read() as s:
            return list(
                s.exec(
                    select(LocalMedia)
                    .where(LocalMedia.owner_kind == owner_kind, LocalMedia.owner_client_id == owner)
                    .order_by(col(LocalMedia.position))
                ).all()
            )

    def save_media(self, media_id: int, **values: Any) -> None:
        with self._db.begin() as conn:
            conn.execute(update(LocalMedia).where(col(LocalMedia.id) == media_id).values(**values))

    def reject(self, entry: OutboxEntry, message: str, code: str | None) -> None:
        """The server refused an action for good: mark the entry and its item."""
        with self._db.session() as s:
            if entry.kind == ob.CREATE_APPEAL:
                self._set_appeal_sync(s, entry.target_client_id, "rejected", message)
            elif entry.kind == ob.SEND_MESSAGE and entry.entity_client_id:
                self._set_message_sync(s, entry.entity_client_id, "rejected", message)
            s.commit()
        assert entry.id is not None
        self.outbox.mark_rejected(entry.id, error=message, code=code)

    def _set_appeal_sync(self, s: Session, client_id: str, state: str, error: str | None) -> None:
        appeal = s.get(LocalAppeal, client_id)
        if appeal is not None:
            appeal.sync_state, appeal.sync_error = state, error
            s.add(appeal)

    def _set_message_sync(self, s: Session, client_id: str, state: str, error: str | None) -> None:
        message = s.get(LocalMessage, client_id)
        if message is not None:
            message.sync_state, message.sync_error = state, error
            s.add(message)

    def complete(
        self,
        entry: OutboxEntry,
        *,
        appeal: dict[str, Any] | None = None,
        message: dict[str, Any] | None = None,
        forward: dict[str, Any] | None = None,
    ) -> None:
        """The server accepted an action: merge its answer and mark the entry done, together."""
        assert entry.id is not None
        with self._db.session() as s:
            if appeal is not None:
                self._apply_appeal(s, appeal, MergeResult(), quiet=True)
            if message is not None:
                self._apply_message(s, message, MergeResult(), quiet=True)
            if forward is not None:
                self._apply_forward(s, forward)
            self.outbox.mark_done(entry.id, s)
            s.commit()

    # -- pull ----------------------------------------------------------------------------------

    def sync_meta(self) -> SyncMeta:
        with self._db.read() as s:
            return s.get(SyncMeta, 1) or SyncMeta(id=1)

    def apply_sync_page(
        self,
        changes: dict[str, list[dict[str, Any]]],
        *,
        cursor: int,
        etag: str | None,
        quiet: bool,
    ) -> MergeResult:
        """Merge one page of the server's feed and move the cursor, in one transaction."""
        result = MergeResult()
        with self._db.session() as s:
            for data in changes.get("appeal", []):
                self._apply_appeal(s, data, result, quiet=quiet)
            s.flush()
            for data in sorted(changes.get("message", []), key=lambda d: int(d.get("id") or 0)):
                self._apply_message(s, data, result, quiet=quiet)
            for data in changes.get("forward", []):
                self._apply_forward(s, data)
            meta = s.get(SyncMeta, 1) or SyncMeta(id=1)
            meta.cursor, meta.etag = cursor, etag
            meta.last_synced_at, meta.last_error = self._now(), None
            s.add(meta)
            s.commit()
        return result

    def touch_synced(self) -> None:
        """A pull found nothing new (304): remember when we last heard from the server."""
        with self._db.session() as s:
            meta = s.get(SyncMeta, 1) or SyncMeta(id=1)
            meta.last_synced_at, meta.last_error = self._now(), None
            s.add(meta)
            s.commit()

    def _appeal_by_server_id(self, s: Session, server_id: int) -> LocalAppeal | None:
        return s.exec(select(LocalAppeal).where(LocalAppeal.server_id == server_id)).first()

    def _apply_appeal(
        self, s: Session, data: dict[str, Any], result: MergeResult, *, quiet: bool
    ) -> LocalAppeal:
        server_id = int(data["id"])
        client_id = str(data.get("client_id") or f"server-{server_id}")
        row = s.get(LocalAppeal, client_id) or self._appeal_by_server_id(s, server_id)
        now = self._now()
        status = str(data.get("status") or "created")
        updated = parse_time(data.get("updated_at"))
        if row is None:
            row = LocalAppeal(
                client_id=client_id,
                text=str(data.get("text") or ""),
                subclass_code=str(data.get("subclass_code") or ""),
                created_at=parse_time(data.get("created_at")) or now,
                updated_at=now,
            )
        else:
            known = row.server_updated_at
            if known is not None and updated is not None and updated < known:
                return row  # an older answer arriving late must not undo a newer state
            if not quiet and row.server_id is not None and row.status != status:
                result.updates.append(
                    AppealUpdate(
                        client_id=row.client_id,
                        server_id=server_id,
                        number=str(data.get("number") or "") or None,
                        kind="status",
                        status=status,
                    )
                )
        row.server_id = server_id
        row.number = data.get("number")
        row.text = str(data.get("text") or row.text)
        row.type = str(data.get("type") or row.type)
        row.class_code = data.get("class_code")
        row.subclass_code = str(data.get("subclass_code") or row.subclass_code)
        row.service_code = data.get("service_code")
        row.importance = data.get("importance")
        row.importance_raised = bool(data.get("importance_raised"))
        row.lat, row.lon = data.get("lat"), data.get("lon")
        row.accuracy_m = data.get("accuracy_m")
        row.address, row.district = data.get("address"), data.get("district")
        row.share_personal = bool(data.get("share_personal", True))
        row.language = str(data.get("language") or row.language)
        row.emergency = bool(data.get("emergency"))
        row.status = status
        row.created_at = parse_time(data.get("created_at")) or row.created_at
        row.updated_at = now
        row.server_updated_at = updated
        row.due_at = parse_time(data.get("due_at"))
        row.closed_at = parse_time(data.get("closed_at"))
        row.overdue = bool(data.get("overdue"))
        row.result_text = data.get("result_text")
        row.reopen_count = int(data.get("reopen_count") or 0)
        row.repeat_count = int(data.get("repeat_count") or 0)
        row.rating = data.get("rating")
        row.rating_comment = data.get("rating_comment")
        row.media_json = json.dumps(data.get("media") or [], ensure_ascii=False)
        row.sync_state, row.sync_error = "synced", None
        s.add(row)
        s.flush()
        if "history" in data:
            s.exec(
                delete(AppealHistoryRow).where(
                    col(AppealHistoryRow.appeal_client_id) == row.client_id
                )
            )
            for i, h in enumerate(data.get("history") or []):
                s.add(
                    AppealHistoryRow(
                        appeal_client_id=row.client_id,
                        position=i,
                        at=parse_time(h.get("at")) or now,
                        actor_role=str(h.get("actor_role") or "system"),
                        kind=str(h.get("kind") or "status"),
                        from_status=h.get("from_status"),
                        to_status=h.get("to_status"),
                        note=h.get("note"),
                        notes_json=notes_json(h.get("notes")),
                    )
                )
        return row

    def _apply_message(
        self, s: Session, data: dict[str, Any], result: MergeResult, *, quiet: bool
    ) -> None:
        server_id = int(data["id"])
        appeal = self._appeal_by_server_id(s, int(data["appeal_id"]))
        if appeal is None:
            log.info("message %d of an appeal not known here yet: skipped", server_id)
            return
        row = s.exec(select(LocalMessage).where(LocalMessage.server_id == server_id)).first()
        client_id = str(data.get("client_id") or f"server-{server_id}")
        if row is None:
            row = s.get(LocalMessage, client_id)
        author = str(data.get("author_role") or "operator")
        if row is None:
            row = LocalMessage(
                client_id=client_id,
                appeal_client_id=appeal.client_id,
                author_role=author,
                created_at=parse_time(data.get("created_at")) or self._now(),
            )
            if not quiet and author != RESIDENT:
                result.updates.append(
                    AppealUpdate(
                        client_id=appeal.client_id,
                        server_id=appeal.server_id,
                        number=appeal.number,
                        kind="message",
                        text=str(data.get("text") or ""),
                    )
                )
        row.server_id = server_id
        row.author_role = author
        row.text = str(data.get("text") or "")
        row.created_at = parse_time(data.get("created_at")) or row.created_at
        row.read_at = parse_time(data.get("read_at")) or row.read_at  # read never turns unread
        row.media_json = json.dumps(data.get("media") or [], ensure_ascii=False)
        row.sync_state, row.sync_error = "synced", None
        s.add(row)

    def _apply_forward(self, s: Session, data: dict[str, Any]) -> None:
        appeal = self._appeal_by_server_id(s, int(data["appeal_id"]))
        if appeal is None:
            return
        service = str(data.get("service") or "")
        row = s.exec(
            select(LocalForward).where(
                LocalForward.appeal_client_id == appeal.client_id, LocalForward.service == service
            )
        ).first()
        if row is None:
            row = LocalForward(
                appeal_client_id=appeal.client_id,
                service=service,
                phone=str(data.get("phone") or service),
                updated_at=self._now(),
            )
        row.server_id = int(data["id"])
        row.state = str(data.get("state") or "pending")
        row.phone = str(data.get("phone") or service)
        row.call_advised = bool(data.get("call_advised"))
        row.acceptance_id = data.get("acceptance_id")
        row.accepted_at = parse_time(data.get("accepted_at"))
        row.sent_at = parse_time(data.get("sent_at"))
        row.updated_at = self._now()
        s.add(row)


def is_overdue(r: LocalAppeal, now: datetime) -> bool:
    """Past the deadline: still open after it, or closed after it."""
    if r.due_at is None:
        return False
    if r.status == "closed":
        return r.closed_at is not None and r.closed_at > r.due_at
    return now > r.due_at


def notes_json(notes: Any) -> str | None:
    """A history line's {"kk": ..., "ru": ...} from the server, kept as JSON (None if absent)."""
    if not isinstance(notes, dict):
        return None
    texts = {k: v for k, v in notes.items() if isinstance(k, str) and isinstance(v, str) and v}
    return json.dumps(texts, ensure_ascii=False) if texts else None


def history_notes(raw: str | None) -> dict[str, str] | None:
    try:
        notes = json.loads(raw) if raw else None
    except ValueError:
        return None
    if not isinstance(notes, dict):
        return None
    return {k: v for k, v in notes.items() if isinstance(k, str) and isinstance(v, str)} or None


def server_media(raw: str) -> list[MediaRef]:
    try:
        items = json.loads(raw or "[]")
    except ValueError:
        return []
    out = []
    for m in items if isinstance(items, list) else []:
        if not isinstance(m, dict) or not m.get("url"):
            continue
        out.append(
            MediaRef(
                kind="video" if m.get("kind") == "video" else "image",
                content_type=str(m.get("content_type") or ""),
                url=str(m["url"]),
                role=str(m.get("role") or "applicant"),
            )
        )
    return out
