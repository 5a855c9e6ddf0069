"""Reading the resident's appeals (local store only, so everything works offline): the list,
one appeal with its history, forwards and the resident's actions still in the outbox, its chat.

`AppealQueries` only reads: the view models re-read it when `AppealsChanged` tells them the
appeals changed. Blocking methods (`*_sync`) touch SQLite: call them from `asyncio.to_thread`
(the async ones do).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from app.data.repositories import outbox as ob
from app.data.repositories.outbox import payload_of
from app.data.store.database import Database
from app.data.store.models import (
    AppealHistoryRow,
    LocalAppeal,
    LocalForward,
    LocalMedia,
    LocalMessage,
    OutboxEntry,
)
from app.domain.analytics import STATUS_ORDER
from app.domain.appeals import (
    AppealDetail,
    AppealItem,
    ChatMessage,
    EmergencyService,
    ForwardInfo,
    HistoryEntry,
    MediaRef,
    PendingAction,
    Status,
    SyncState,
)
from app.domain.timestamps import utcnow

PAGE_SIZE = 30
RESIDENT = "resident"


@dataclass(frozen=True)
class PageKey:
    """Where the next page starts: after this (created_at, client_id)."""

    created_at: datetime
    client_id: str


@dataclass(frozen=True)
class AppealPage:
    items: list[AppealItem]
    next: PageKey | None


def aware(dt: datetime | None) -> datetime | None:
    return dt.replace(tzinfo=UTC) if dt is not None and dt.tzinfo is None else dt


class AppealQueries:
    """The resident's appeals as the screens show them (lists, one appeal, its chat, counts)."""

    def __init__(self, db: Database, *, now: Callable[[], datetime] = utcnow) -> None:
        self._db = db
        self._now = now

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
            status=cast(Status, r.status if r.status in STATUS_ORDER else "created"),
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
                    notes=by_language(h.notes_json),
                    actor_titles=by_language(h.actor_titles_json),
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
                language=m.language,
                author_titles=by_language(m.author_titles_json),
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


def is_overdue(r: LocalAppeal, now: datetime) -> bool:
    """Past the deadline: still open after it, or closed after it."""
    if r.due_at is None:
        return False
    if r.status == "closed":
        return r.closed_at is not None and r.closed_at > r.due_at
    return now > r.due_at


def by_language(raw: str | None) -> dict[str, str] | None:
    """A text stored in each language (`appeal_merge.by_language_json`), {"kk": ..., "ru": ...};
    None when absent or unreadable."""
    try:
        texts = json.loads(raw) if raw else None
    except ValueError:
        return None
    if not isinstance(texts, dict):
        return None
    return {k: v for k, v in texts.items() if isinstance(k, str) and isinstance(v, str)} or None


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
