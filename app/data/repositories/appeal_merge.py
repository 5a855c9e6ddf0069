"""Merging what the server says about the resident's appeals into the local store: its answers
to the resident's actions (`complete`, with the entry marked done in the same transaction),
refusals (`refuse`), and the sync feed's `appeal`, `message` and `forward` rows (with who
answered: a staff member's job in kk and ru, `author_titles` / `actor_titles`).

Server-owned fields (status, number, deadline, history, rating, ...) are written only here. An
older answer arriving late never undoes a newer state. Used only by sync (`AppealsSync`);
blocking (SQLite): call it from `asyncio.to_thread`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from app.data.repositories.appeal_queries import RESIDENT
from app.data.repositories.appeal_refusals import set_item_sync
from app.data.repositories.outbox import Outbox
from app.data.store.database import Database
from app.data.store.models import (
    AppealHistoryRow,
    LocalAppeal,
    LocalForward,
    LocalMessage,
    OutboxEntry,
)
from app.domain.appeals import AppealUpdate
from app.domain.timestamps import parse_time, utcnow

log = logging.getLogger(__name__)


@dataclass
class MergeResult:
    """What a batch of server data changed that the resident should hear about."""

    updates: list[AppealUpdate] = field(default_factory=list)


class AppealsMerge:
    def __init__(
        self, db: Database, outbox: Outbox, *, now: Callable[[], datetime] = utcnow
    ) -> None:
        self._db = db
        self._now = now
        self.outbox = outbox

    def server_id_of(self, client_id: str) -> int | None:
        with self._db.read() as s:
            appeal = s.get(LocalAppeal, client_id)
            return appeal.server_id if appeal else None

    def refuse(self, entry: OutboxEntry, message: str) -> None:
        """The server refused an action for good: show it on the appeal or message it creates
        (the engine marks the entry rejected)."""
        with self._db.session() as s:
            set_item_sync(s, entry, "rejected", message)
            s.commit()

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

    def apply_page(self, changes: dict[str, list[dict[str, Any]]], *, quiet: bool) -> MergeResult:
        """Merge the `appeal`, `message` and `forward` rows of one feed page, in one transaction
        (`quiet`: the first import of an account, nothing to announce)."""
        result = MergeResult()
        with self._db.session() as s:
            for data in changes.get("appeal", []):
                self._apply_appeal(s, data, result, quiet=quiet)
            s.flush()
            for data in sorted(changes.get("message", []), key=lambda d: int(d.get("id") or 0)):
                self._apply_message(s, data, result, quiet=quiet)
            for data in changes.get("forward", []):
                self._apply_forward(s, data)
            s.commit()
        return result

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
                        notes_json=by_language_json(h.get("notes")),
                        actor_titles_json=by_language_json(h.get("actor_titles")),
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
        row.language = data.get("language")
        row.author_titles_json = by_language_json(data.get("author_titles"))
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


def by_language_json(texts: Any) -> str | None:
    """A text the server gives in each language, {"kk": ..., "ru": ...} (a history line's note,
    a staff member's job), kept as JSON (None if absent or empty)."""
    if not isinstance(texts, dict):
        return None
    texts = {k: v for k, v in texts.items() if isinstance(k, str) and isinstance(v, str) and v}
    return json.dumps(texts, ensure_ascii=False) if texts else None
