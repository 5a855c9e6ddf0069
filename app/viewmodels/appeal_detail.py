"""One appeal: status timeline, deadline, service, attachments, chat, rating, reopening,
complaint and emergency forwards — from the local store, with every action going through the
outbox (so all of it works offline and shows "waiting to send" until the server has it).

Nothing typed is lost: a refused input keeps the text and shows why; a refused action stays on
the screen with the server's reason and can be retried (or edited, or discarded).

What the screen reads off the loaded appeal (titles, lines, notes, which actions are open) is
`appeal_detail_view.AppealDetailView`, the base of this view model; here are loading, the photos
and videos on screen, the inputs and the actions.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from app.data.repositories.appeal_changes import AppealsChanged
from app.data.repositories.appeal_queries import AppealQueries
from app.data.repositories.appeal_refusals import RefusedActions
from app.data.repositories.appeals import MAX_ATTACHMENTS, AppealsRepository, InvalidAction
from app.data.services.media import MediaPreparer, MediaRejected
from app.data.services.picker import PickedFile, UploadFailed
from app.domain.appeals import (
    ChatMessage,
    MediaRef,
    PreparedMedia,
)
from app.domain.timestamps import utcnow
from app.errors import ApiError, NetworkError
from app.i18n import N_, Message
from app.viewmodels import appeal_text as t
from app.viewmodels.appeal_detail_view import AppealDetailView
from app.viewmodels.navigation import Navigation

log = logging.getLogger(__name__)

ServiceNames = Callable[[str], dict[str, str]]  # service code -> {lang: name} (blocking)


class MediaSource(Protocol):
    async def media_bytes(self, url: str) -> bytes: ...

    async def media_link(self, url: str) -> str: ...


MSG_NOT_FOUND = N_("This appeal is not on this device yet. Tap \u201cSync now\u201d or go back.")
MSG_UPLOAD_FAILED = N_("Could not read {name}. Try again.")
MSG_TOO_MANY = N_("At most 10 attachments.")
MSG_VIDEO_UNAVAILABLE = N_("The video cannot be played now: no connection. Try again later.")
MSG_VIDEO_GONE = N_("This video is not available.")
MSG_PHOTO_UNAVAILABLE = N_("The photo cannot be opened now: no connection. Try again later.")


@dataclass(frozen=True)
class AttachedFile:
    media: PreparedMedia
    name: str


class AppealDetailViewModel(AppealDetailView):
    """`queries` reads the appeal and its chat again whenever `changes` says so (while the
    screen is active); the resident's inputs go through `actions`, and a refused action is
    retried, resubmitted or discarded through `refused`."""

    def __init__(
        self,
        ref: str,
        navigation: Navigation,
        *,
        queries: AppealQueries,
        actions: AppealsRepository,
        refused: RefusedActions,
        changes: AppealsChanged,
        language: Callable[[], str],
        media: MediaPreparer | None = None,
        service_names: ServiceNames | None = None,
        category_name: Callable[[str, str], str | None] | None = None,
        media_source: MediaSource | None = None,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        super().__init__(ref, language=language, category_name=category_name, now=now)
        self._queries = queries
        self._actions = actions
        self._refused = refused
        self._changes = changes
        self._nav = navigation
        self._media = media
        self._service_names = service_names
        self._source = media_source
        self.images: dict[str, bytes] = {}  # photos on screen, by URL or local path
        self._tasks: set[asyncio.Task[None]] = set()
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
            self._unsubscribe = self._changes.subscribe(self._store_changed)

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
        detail = await self._queries.detail(self.ref)
        messages = await self._queries.messages(self.ref) if detail is not None else []
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
            await self._actions.mark_read(detail.item.client_id)

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

    async def photo(self, ref: MediaRef) -> bytes | None:
        """A photo to open large: as on screen, else fetched now (a thumbnail whose fetch
        failed is fetched again when tapped). None, with the reason in `errors["photo"]`, when
        it cannot be had."""
        if self.errors.pop("photo", None) is not None:
            self.notify()  # the last failure's line goes, whatever this attempt brings
        key = self.media_key(ref)
        if key not in self.images:
            await self.load_images()
        data = self.images.get(key)
        if data is None:
            self.errors["photo"] = Message(MSG_PHOTO_UNAVAILABLE)
            self.notify()
        return data

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
    def attachments_full(self) -> bool:
        """No room for another attachment (the camera button is disabled then)."""
        return len(self.attachments) + self.attach_busy >= MAX_ATTACHMENTS

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
                prepared = await file.read(self._media.prepare)
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
        if await self._act("chat", lambda cid: self._actions.send_message(cid, text, media)):
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
        if await self._act("rating", lambda cid: self._actions.rate(cid, score, comment)):
            self.rating_comment = ""
            self.input_revision += 1
            await self.load()

    async def reopen(self) -> None:
        reason = self.reopen_reason
        if await self._act("reopen", lambda cid: self._actions.reopen(cid, reason)):
            self.reopen_reason = ""
            self.show_reopen = False
            self.input_revision += 1
            await self.load()

    async def complain(self) -> None:
        text = self.complaint_text
        if await self._act("complaint", lambda cid: self._actions.complain(cid, text)):
            self.complaint_text = ""
            self.show_complaint = False
            self.input_revision += 1
            await self.load()

    async def retry(self, action_id: int) -> None:
        await self._refused.retry(action_id)
        await self.load()

    async def discard(self, action_id: int) -> None:
        await self._refused.discard(action_id)
        await self.load()

    async def retry_message(self, m: ChatMessage) -> None:
        entry = await asyncio.to_thread(self._queries.message_entry_id, m.client_id)
        if entry is not None:
            await self.retry(entry)

    async def discard_message(self, m: ChatMessage) -> None:
        entry = await asyncio.to_thread(self._queries.message_entry_id, m.client_id)
        if entry is not None:
            await self.discard(entry)

    async def resubmit(self) -> None:
        text = self.resubmit_text or ""
        if await self._act("resubmit", lambda cid: self._refused.resubmit(cid, text)):
            await self.load()

    async def discard_appeal(self) -> None:
        action = self.create_action_id
        if action is None:
            return
        await self._refused.discard(action)
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
