"""One appeal: status timeline, deadline, service, attachments, chat, rating, reopening,
complaint and emergency forwards — from the local store, with every action going through the
outbox (so all of it works offline and shows "waiting to send" until the server has it).

Nothing typed is lost: a refused input keeps the text and shows why; a refused action stays on
the screen with the server's reason and can be retried (or edited, or discarded).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from app.data.repositories import outbox as ob
from app.data.repositories.appeals import MAX_ATTACHMENTS, AppealsRepository, InvalidAction
from app.data.repositories.outbox import utcnow
from app.data.services.media import MediaPreparer, MediaRejected
from app.data.services.picker import PickedFile, UploadFailed
from app.domain.appeals import (
    AppealDetail,
    ChatMessage,
    ForwardInfo,
    HistoryEntry,
    MediaRef,
    PendingAction,
    PreparedMedia,
)
from app.errors import ApiError, NetworkError
from app.i18n import N_, Message
from app.observable import Observable
from app.viewmodels import appeal_text as t
from app.viewmodels.navigation import Navigation

log = logging.getLogger(__name__)

ServiceNames = Callable[[str], dict[str, str]]  # service code -> {lang: name} (blocking)


class MediaSource(Protocol):
    async def media_bytes(self, url: str) -> bytes: ...

    async def media_link(self, url: str) -> str: ...


MSG_TITLE = N_("Appeal No. {number}")
MSG_TITLE_PENDING = N_("Appeal (waiting to send)")
MSG_NOT_FOUND = N_("This appeal is not on this device yet. Tap \u201cSync now\u201d or go back.")
MSG_PENDING_RATING = N_("Your rating {score}/5 is waiting to send")
MSG_PENDING_REOPEN = N_("Your reopening request is waiting to send")
MSG_PENDING_COMPLAINT = N_("Your complaint is waiting to send")
MSG_PENDING_FORWARD = N_("The forward to {service} is waiting to send")
MSG_REFUSED_RATING = N_("Your rating was not accepted: {reason}")
MSG_REFUSED_REOPEN = N_("Your reopening request was not accepted: {reason}")
MSG_REFUSED_COMPLAINT = N_("Your complaint was not accepted: {reason}")
MSG_REFUSED_FORWARD = N_("The forward was not accepted: {reason}")
MSG_REFUSED_MESSAGE = N_("Not sent: {reason}")
MSG_UPLOAD_FAILED = N_("Could not read {name}. Try again.")
MSG_TOO_MANY = N_("At most 10 attachments.")
MSG_VIDEO_UNAVAILABLE = N_("The video cannot be played now: no connection. Try again later.")
MSG_VIDEO_GONE = N_("This video is not available.")

ACTION_LABELS_PENDING = {
    ob.REOPEN: MSG_PENDING_REOPEN,
    ob.COMPLAIN: MSG_PENDING_COMPLAINT,
}
ACTION_LABELS_REFUSED = {
    ob.RATE: MSG_REFUSED_RATING,
    ob.REOPEN: MSG_REFUSED_REOPEN,
    ob.COMPLAIN: MSG_REFUSED_COMPLAINT,
    ob.FORWARD: MSG_REFUSED_FORWARD,
}


@dataclass(frozen=True)
class ActionNote:
    """A resident's action shown under the appeal: waiting, or refused (retry / discard)."""

    action_id: int
    kind: str
    text: Message
    refused: bool


@dataclass(frozen=True)
class AttachedFile:
    media: PreparedMedia
    name: str


class AppealDetailViewModel(Observable):
    def __init__(
        self,
        ref: str,
        repo: AppealsRepository,
        navigation: Navigation,
        *,
        language: Callable[[], str],
        media: MediaPreparer | None = None,
        service_names: ServiceNames | None = None,
        category_name: Callable[[str, str], str | None] | None = None,
        media_source: MediaSource | None = None,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        super().__init__()
        self.ref = ref
        self._repo = repo
        self._nav = navigation
        self._language = language
        self._media = media
        self._service_names = service_names
        self._service: dict[str, str] = {}
        self._category_name = category_name
        self._source = media_source
        self.images: dict[str, bytes] = {}  # photos on screen, by URL or local path
        self._tasks: set[asyncio.Task[None]] = set()
        self._now = now
        self.detail: AppealDetail | None = None
        self.messages: list[ChatMessage] = []
        self.loaded = False
        self.busy = False
        self.errors: dict[str, Message] = {}
        # inputs (kept across errors and language switches)
        self.chat_text = ""
        self.attachments: list[AttachedFile] = []
        self.attach_busy = 0
        self.rating_score = 0
        self.rating_comment = ""
        self.reopen_reason = ""
        self.complaint_text = ""
        self.resubmit_text: str | None = None
        self.show_reopen = False
        self.show_complaint = False
        self.input_revision = 0  # bumped when the view model itself rewrites an input
        self._unsubscribe: Callable[[], None] | None = None
        self._refresh_task: asyncio.Task[None] | None = None
        self._again = False

    # -- lifecycle -----------------------------------------------------------------------------

    def activate(self) -> None:
        if self._unsubscribe is None:
            self._unsubscribe = self._repo.subscribe(self._store_changed)

    def deactivate(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def _store_changed(self) -> None:
        if self._refresh_task is not None and not self._refresh_task.done():
            self._again = True  # one reload at a time, and one more after it
            return
        try:
            self._refresh_task = asyncio.get_running_loop().create_task(self._reload())
        except RuntimeError:
            self._refresh_task = None

    async def _reload(self) -> None:
        while True:
            self._again = False
            await self.load()
            if not self._again:
                return

    async def load(self) -> None:
        detail = await self._repo.detail(self.ref)
        messages = await self._repo.messages(self.ref) if detail is not None else []
        if detail is not None and detail.service_code and self._service_names is not None:
            try:
                self._service = await asyncio.to_thread(self._service_names, detail.service_code)
            except Exception:  # names are a nicety: the code is shown without them
                log.exception("service names unreadable")
        self.detail, self.messages, self.loaded = detail, messages, True
        if (
            detail is not None
            and detail.item.sync_state == "rejected"
            and self.resubmit_text is None
        ):
            self.resubmit_text = detail.item.text
        self.notify()
        self._spawn(self.load_images())
        if detail is not None and detail.item.unread:
            await self._repo.mark_read(detail.item.client_id)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        try:
            task = asyncio.get_running_loop().create_task(coro)
        except RuntimeError:
            coro.close()
            return
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- attachments on screen -------------------------------------------------------------------

    @staticmethod
    def media_key(ref: MediaRef) -> str:
        return ref.local_path or ref.url or ""

    def photos(self) -> list[MediaRef]:
        refs = list(self.detail.media) if self.detail else []
        for m in self.messages:
            refs.extend(m.media)
        return [r for r in refs if r.kind == "image"]

    async def load_images(self) -> None:
        """Fetch the photos on screen (local files first; the server's with the token)."""
        added = False
        for ref in self.photos():
            key = self.media_key(ref)
            if not key or key in self.images:
                continue
            try:
                data = await asyncio.to_thread(_read_local, ref.local_path)
                if data is None and ref.url and self._source is not None:
                    data = await self._source.media_bytes(ref.url)
                if data is None:
                    continue
            except (ApiError, NetworkError) as exc:
                log.debug("photo not loaded: %r", exc)
                continue
            self.images[key] = data
            added = True
        if added:
            self.notify()

    async def video_source(self, ref: MediaRef) -> str | None:
        """Where a player streams a video from: a short-lived signed link from the server
        once it is uploaded (a player sends no token; in web mode the browser cannot read a
        file of the device), else — waiting to upload, or offline — the file on this device.
        None, with the reason in `errors["video"]`, when neither works."""
        if self.errors.pop("video", None) is not None:
            self.notify()  # the last failure's line goes, whatever this attempt brings
        reason = MSG_VIDEO_UNAVAILABLE
        if ref.url and self._source is not None:
            try:
                return await self._source.media_link(ref.url)
            except NetworkError as exc:
                log.info("no video link: %r", exc)
            except ApiError as exc:
                log.info("no video link: %r", exc)
                reason = MSG_VIDEO_GONE
        local = ref.local_path
        exists: bool = await asyncio.to_thread(_is_file, local) if local else False
        if local and exists:
            return local
        self.errors["video"] = Message(reason)
        self.notify()
        return None

    @property
    def client_id(self) -> str | None:
        return self.detail.item.client_id if self.detail else None

    # -- what the screen shows -----------------------------------------------------------------

    @property
    def not_found(self) -> bool:
        return self.loaded and self.detail is None

    @property
    def attachments_full(self) -> bool:
        """No room for another attachment (the camera button is disabled then)."""
        return len(self.attachments) + self.attach_busy >= MAX_ATTACHMENTS

    @property
    def title(self) -> Message:
        if self.detail is not None and self.detail.item.number:
            return Message(MSG_TITLE, {"number": self.detail.item.number})
        if self.detail is None and self.ref.isdigit():
            return Message(MSG_TITLE, {"number": self.ref})
        return Message(MSG_TITLE_PENDING)

    @property
    def status_label(self) -> str:
        return t.STATUS_LABELS.get(self.detail.item.status, "") if self.detail else ""

    @property
    def category(self) -> str:
        if self.detail is None:
            return ""
        code = self.detail.item.subclass_code
        name = self._category_name(code, self._language()) if self._category_name else None
        return name or code

    @property
    def service(self) -> str | None:
        if self.detail is None or not self.detail.service_code:
            return None
        return self._service.get(self._language()) or self.detail.service_code

    @property
    def due_text(self) -> Message | None:
        d = self.detail
        if d is None or d.item.due_at is None:
            return None
        when = t.format_when(d.item.due_at, self._language(), self._now())
        return Message(t.MSG_DUE, {"when": when})

    @property
    def countdown(self) -> Message | None:
        d = self.detail
        if d is None:
            return None
        return t.countdown(d.item.due_at, self._now(), closed=d.item.status == "closed")

    @property
    def overdue(self) -> bool:
        return bool(self.detail and self.detail.item.overdue)

    @property
    def sync_note(self) -> Message | None:
        """About the appeal itself: waiting to send, or refused with the reason."""
        d = self.detail
        if d is None:
            return None
        if d.item.server_id is None and d.item.sync_state == "pending":
            return Message(t.MSG_WAITING)
        if d.item.sync_state == "rejected" and d.item.server_id is None:
            reason = d.item.sync_error
            return (
                Message(t.MSG_REJECTED, {"reason": Message.text(reason)})
                if reason
                else Message(t.MSG_REJECTED_NO_REASON)
            )
        return None

    @property
    def appeal_refused(self) -> bool:
        d = self.detail
        return bool(d and d.item.server_id is None and d.item.sync_state == "rejected")

    @property
    def create_action_id(self) -> int | None:
        for a in self.detail.actions if self.detail else ():
            if a.kind == ob.CREATE_APPEAL:
                return a.id
        return None

    def history_line(self, h: HistoryEntry) -> Message:
        if h.kind == "status" and h.to_status:
            return Message(t.MSG_H_STATUS, {"status": Message(t.status_label(h.to_status))})
        if h.kind == "reopen":
            return Message(t.MSG_H_REOPEN)
        if h.kind == "rating":
            return Message(t.MSG_H_RATING, {"note": h.note or ""})
        if h.kind == "complaint":
            return Message(t.MSG_H_COMPLAINT)
        if h.kind == "emergency":  # a forward to the emergency services moved on
            return Message(N_("Emergency services"))
        return Message.text(h.kind)

    def history_note(self, h: HistoryEntry) -> str | None:
        """The text under a history line, in the current language when the server gave the line
        in both (an emergency forward's move): a language switch re-reads it. Typed text (and an
        old line that has no translations) is shown as it is; a rating is already in the line."""
        if h.kind == "rating":
            return None
        if h.notes:
            return h.notes.get(self._language()) or h.note
        return h.note or None

    def when(self, dt: datetime | None) -> str:
        return t.format_when(dt, self._language(), self._now())

    def forward_line(self, f: ForwardInfo) -> Message:
        service = Message(t.service_label(f.service))
        if f.sync_error:
            return Message(MSG_REFUSED_FORWARD, {"reason": Message.text(f.sync_error)})
        if f.state == "queued":
            return Message(t.MSG_FWD_QUEUED, {"service": service, "phone": f.phone})
        if f.state == "accepted":
            return Message(
                t.MSG_FWD_ACCEPTED, {"service": service, "time": t.format_clock(f.accepted_at)}
            )
        if f.state in ("not_confirmed", "failed") or f.call_advised:
            return Message(t.MSG_FWD_NOT_CONFIRMED, {"service": service, "phone": f.phone})
        return Message(t.MSG_FWD_SENT, {"service": service, "phone": f.phone})

    def action_notes(self) -> list[ActionNote]:
        notes = []
        for a in self.detail.actions if self.detail else ():
            if a.kind in (ob.CREATE_APPEAL, ob.SEND_MESSAGE):
                continue  # shown on the appeal itself and on the message
            note = self._note(a)
            if note is not None:
                notes.append(note)
        return notes

    def _note(self, a: PendingAction) -> ActionNote | None:
        refused = a.state == "rejected"
        if refused:
            msgid = ACTION_LABELS_REFUSED.get(a.kind)
            if msgid is None:
                return None
            reason = t.error_message(None, a.error)
            return ActionNote(a.id, a.kind, Message(msgid, {"reason": reason}), True)
        if a.kind == ob.RATE:
            text = Message(MSG_PENDING_RATING, {"score": a.payload.get("score", "")})
        elif a.kind == ob.FORWARD:
            service = Message(t.service_label(str(a.payload.get("service", ""))))
            text = Message(MSG_PENDING_FORWARD, {"service": service})
        elif a.kind in ACTION_LABELS_PENDING:
            text = Message(ACTION_LABELS_PENDING[a.kind])
        else:
            return None
        return ActionNote(a.id, a.kind, text, False)

    def _waiting(self, kind: str) -> bool:
        return any(
            a.kind == kind and a.state != "rejected"
            for a in (self.detail.actions if self.detail else ())
        )

    @property
    def can_rate(self) -> bool:
        d = self.detail
        return bool(
            d and d.item.status == "closed" and d.rating is None and not self._waiting(ob.RATE)
        )

    @property
    def can_reopen(self) -> bool:
        d = self.detail
        return bool(d and d.item.status == "closed" and not self._waiting(ob.REOPEN))

    @property
    def can_complain(self) -> bool:
        return self.detail is not None and self.detail.item.server_id is not None

    @property
    def can_chat(self) -> bool:
        return self.detail is not None and not self.appeal_refused

    def message_note(self, m: ChatMessage) -> Message | None:
        if m.sync_state == "pending":
            return Message(t.MSG_WAITING)
        if m.sync_state == "rejected":
            return Message(MSG_REFUSED_MESSAGE, {"reason": t.error_message(None, m.sync_error)})
        return None

    def author(self, m: ChatMessage) -> str:
        return t.ROLE_LABELS.get(m.author_role, t.ROLE_LABELS["operator"])

    # -- inputs ----------------------------------------------------------------------------------

    def set_chat_text(self, text: str) -> None:
        self.chat_text = text
        if "chat" in self.errors:
            del self.errors["chat"]
            self.notify()

    def set_score(self, score: int) -> None:
        self.rating_score = max(0, min(5, int(score)))
        self.errors.pop("rating", None)
        self.notify()

    def set_rating_comment(self, text: str) -> None:
        self.rating_comment = text

    def set_reopen_reason(self, text: str) -> None:
        self.reopen_reason = text
        if self.errors.pop("reopen", None) is not None:
            self.notify()

    def set_complaint_text(self, text: str) -> None:
        self.complaint_text = text
        if self.errors.pop("complaint", None) is not None:
            self.notify()

    def set_resubmit_text(self, text: str) -> None:
        self.resubmit_text = text

    def toggle_reopen(self) -> None:
        self.show_reopen = not self.show_reopen
        self.notify()

    def toggle_complaint(self) -> None:
        self.show_complaint = not self.show_complaint
        self.notify()

    # -- chat attachments ------------------------------------------------------------------------

    async def add_picked(self, files: list[PickedFile]) -> None:
        self.errors.pop("attach", None)
        if self._media is None:
            return
        for file in files:
            if self.attachments_full:
                self.errors["attach"] = Message(MSG_TOO_MANY)
                break
            self.attach_busy += 1
            self.notify()
            try:
                self._media.precheck(file.name, file.size)
                path = await file.fetch()
                try:
                    prepared = await asyncio.to_thread(self._media.prepare, path, file.name)
                finally:
                    if file.temporary:
                        await asyncio.to_thread(Path(path).unlink, True)
            except MediaRejected as exc:
                self.errors["attach"] = exc.message
            except UploadFailed:
                self.errors["attach"] = Message(MSG_UPLOAD_FAILED, {"name": file.name})
            else:
                self.attachments = [*self.attachments, AttachedFile(prepared, file.name)]
            finally:
                self.attach_busy -= 1
        self.notify()

    def remove_attachment(self, index: int) -> None:
        self.attachments = [a for i, a in enumerate(self.attachments) if i != index]
        self.notify()

    # -- actions (all local first: the outbox sends them) ----------------------------------------

    async def _act(self, field: str, action: Callable[[str], object]) -> bool:
        cid = self.client_id
        if cid is None or self.busy:
            return False
        self.busy = True
        self.errors.pop(field, None)
        self.notify()
        try:
            result = action(cid)
            if asyncio.iscoroutine(result):
                await result
        except InvalidAction as exc:
            self.errors[field] = t.error_message(exc.code)
            return False
        finally:
            self.busy = False
            self.notify()
        return True

    async def send(self) -> None:
        text, media = self.chat_text, [a.media for a in self.attachments]
        if await self._act("chat", lambda cid: self._repo.send_message(cid, text, media)):
            self.chat_text = ""
            self.attachments = []
            self.input_revision += 1
            await self.load()

    async def rate(self) -> None:
        if not 1 <= self.rating_score <= 5:
            self.errors["rating"] = Message(t.ERROR_LABELS["score_range"])
            self.notify()
            return
        score, comment = self.rating_score, self.rating_comment
        if await self._act("rating", lambda cid: self._repo.rate(cid, score, comment)):
            self.rating_comment = ""
            self.input_revision += 1
            await self.load()

    async def reopen(self) -> None:
        reason = self.reopen_reason
        if await self._act("reopen", lambda cid: self._repo.reopen(cid, reason)):
            self.reopen_reason = ""
            self.show_reopen = False
            self.input_revision += 1
            await self.load()

    async def complain(self) -> None:
        text = self.complaint_text
        if await self._act("complaint", lambda cid: self._repo.complain(cid, text)):
            self.complaint_text = ""
            self.show_complaint = False
            self.input_revision += 1
            await self.load()

    async def retry(self, action_id: int) -> None:
        await self._repo.retry(action_id)
        await self.load()

    async def discard(self, action_id: int) -> None:
        await self._repo.discard(action_id)
        await self.load()

    async def retry_message(self, m: ChatMessage) -> None:
        entry = await asyncio.to_thread(self._repo.message_entry_id, m.client_id)
        if entry is not None:
            await self.retry(entry)

    async def discard_message(self, m: ChatMessage) -> None:
        entry = await asyncio.to_thread(self._repo.message_entry_id, m.client_id)
        if entry is not None:
            await self.discard(entry)

    async def resubmit(self) -> None:
        text = self.resubmit_text or ""
        if await self._act("resubmit", lambda cid: self._repo.resubmit(cid, text)):
            await self.load()

    async def discard_appeal(self) -> None:
        action = self.create_action_id
        if action is None:
            return
        await self._repo.discard(action)
        await self._nav.go("/")


def _is_file(path: str) -> bool:
    return Path(path).is_file()


def _read_local(path: str | None) -> bytes | None:
    if not path:
        return None
    try:
        return Path(path).read_bytes()
    except OSError:
        return None
